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

namespace {

// `promise`, or a DISCONNECTED failure naming `what` if it takes longer than
// `seconds`: a stopped or hung node must not hang the command.
template <class T>
kj::Promise<T> within_deadline(kj::Timer& timer, uint64_t seconds, kj::Promise<T> promise,
                               const char* what) {
  return promise.exclusiveJoin(
      timer.afterDelay(seconds * kj::SECONDS).then([seconds, what]() -> kj::Promise<T> {
        return kj::Exception(kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__,
                             kj::str("no answer to ", what, " within ", seconds, " s"));
      }));
}

}  // namespace

Connection::Connection(const std::string& node, uint64_t answer_within_s)
    : node_(node), answer_within_s_(answer_within_s), io_(kj::setupAsyncIo()) {
  auto connecting = io_.provider->getNetwork()
                        .parseAddress(node_, 7420)
                        .then([](kj::Own<kj::NetworkAddress> address) {
                          auto connected = address->connect();
                          return connected.attach(kj::mv(address));
                        });
  try {
    stream_ = within_deadline(timer(), answer_within_s_, kj::mv(connecting), "connect")
                  .wait(io_.waitScope);
  } catch (const kj::Exception& e) {
    // A bad address or a failed lookup is a connection failure too (describe()).
    throw kj::Exception(kj::Exception::Type::DISCONNECTED, e.getFile(), e.getLine(),
                        kj::heapString(e.getDescription()));
  }
  rpc_ = kj::heap<capnp::TwoPartyClient>(*stream_);
}

Connection::~Connection() = default;

kj::WaitScope& Connection::wait_scope() { return io_.waitScope; }

kj::Timer& Connection::timer() { return io_.provider->getTimer(); }

kj::Promise<void> Connection::on_disconnect() { return rpc_->onDisconnect(); }

rpc::Session::Client Connection::login(const std::string& token, uint64_t* user) {
  auto req = rpc_->bootstrap().castAs<rpc::Gateway>().loginRequest();
  req.setToken(token);
  auto reply = within_deadline(timer(), answer_within_s_, req.send(), "login").wait(io_.waitScope);
  if (user != nullptr) *user = reply.getUser();
  return reply.getSession();
}

}  // namespace glimpse::client
