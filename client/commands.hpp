#pragma once
// glimpse's subcommands. Each takes the whole argv with argv[1] being the
// subcommand name, prints its own --help, and returns the process exit code
// (0 success, 1 failure with one message on stderr, 2 usage error).

namespace glimpse::client {

struct Command {
  const char* name;
  const char* summary;  // one line for `glimpse --help`
  int (*run)(int argc, char** argv);
};

// Image pipeline (client/cmd_image.cpp).
int cmd_prepare(int argc, char** argv);
int cmd_render(int argc, char** argv);
int cmd_fill(int argc, char** argv);

// Relay client (client/cmd_send.cpp, cmd_recv.cpp, cmd_fetch.cpp, cmd_token.cpp).
int cmd_send(int argc, char** argv);
int cmd_recv(int argc, char** argv);
int cmd_fetch(int argc, char** argv);
int cmd_token(int argc, char** argv);

}  // namespace glimpse::client
