#include "node/kj_bridge.hpp"

#include <kj/debug.h>

namespace glimpse::node {

void KjBridge::post(std::function<void()> fn) {
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> bell;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;  // `fn` is destroyed on this thread; see the header
    queue_.push_back(std::move(fn));
    bell = kj::mv(doorbell_);
  }
  if (bell.get() != nullptr) bell->fulfill();
}

kj::Promise<void> KjBridge::run() {
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return kj::READY_NOW;
    batch.swap(queue_);
    if (batch.empty()) {
      auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
      doorbell_ = kj::mv(paf.fulfiller);
      return paf.promise.then([this]() { return run(); });
    }
  }
  for (auto& fn : batch) {
    KJ_IF_MAYBE(e, kj::runCatchingExceptions([&]() { fn(); })) {
      KJ_LOG(ERROR, "bridge callback failed", *e);
    }
  }
  // Yield to the event loop between batches so RPC I/O keeps flowing.
  return kj::evalLater([this]() { return run(); });
}

void KjBridge::close() {
  std::deque<std::function<void()>> dropped;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> bell;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    dropped.swap(queue_);
    bell = kj::mv(doorbell_);
  }
  if (bell.get() != nullptr) bell->fulfill();
}

}  // namespace glimpse::node
