#include "client/connection.hpp"

#include <cstdlib>

namespace glimpse::client {

std::string node_address(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  const char* env = std::getenv("GLIMPSE_NODE");
  return env != nullptr && *env != '\0' ? env : kDefaultNode;
}

std::string token_value(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  const char* env = std::getenv("GLIMPSE_TOKEN");
  return env != nullptr ? env : "";
}

std::string describe(const kj::Exception& e, const std::string& node) {
  std::string d = e.getDescription().cStr();
  const std::string remote = "remote exception: ";
  if (d.compare(0, remote.size(), remote) == 0) d = d.substr(remote.size());
  switch (e.getType()) {
    case kj::Exception::Type::DISCONNECTED:
      return "lost or could not make the connection to the node at " + node + " (" + d +
             "); is glimpsed running there?";
    case kj::Exception::Type::OVERLOADED:
      return "the node at " + node + " is overloaded (" + d + "); try again shortly";
    default:
      return d;
  }
}

Connection::Connection(const std::string& node) : node_(node), io_(kj::setupAsyncIo()) {
  auto address = io_.provider->getNetwork().parseAddress(node_, 7420).wait(io_.waitScope);
  stream_ = address->connect().wait(io_.waitScope);
  rpc_ = kj::heap<capnp::TwoPartyClient>(*stream_);
}

Connection::~Connection() = default;

kj::WaitScope& Connection::wait_scope() { return io_.waitScope; }

kj::Timer& Connection::timer() { return io_.provider->getTimer(); }

kj::Promise<void> Connection::on_disconnect() { return rpc_->onDisconnect(); }

rpc::Session::Client Connection::login(const std::string& token, uint64_t* user) {
  auto req = rpc_->bootstrap().castAs<rpc::Gateway>().loginRequest();
  req.setToken(token);
  auto reply = req.send().wait(io_.waitScope);
  if (user != nullptr) *user = reply.getUser();
  return reply.getSession();
}

}  // namespace glimpse::client
