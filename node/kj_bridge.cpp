#include "node/kj_bridge.hpp"

#include <kj/debug.h>

namespace glimpse::node {
namespace {

void run_all(std::deque<std::function<void()>>& batch) {
  for (auto& fn : batch) {
    KJ_IF_MAYBE(e, kj::runCatchingExceptions([&]() { fn(); })) {
      KJ_LOG(ERROR, "bridge callback failed", *e);
    }
  }
}

}  // namespace

void KjBridge::post(std::function<void()> fn, Lane lane) {
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> bell;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;  // `fn` is destroyed on this thread; see the header
    Queue& q = queue(lane);
    q.items.push_back(std::move(fn));
    if (lane == Lane::urgent) urgent_waiting_.store(true, std::memory_order_release);
    bell = kj::mv(q.doorbell);
  }
  if (bell.get() != nullptr) bell->fulfill();
}

kj::Promise<void> KjBridge::run() {
  auto lanes = kj::heapArrayBuilder<kj::Promise<void>>(2);
  lanes.add(drain(Lane::bulk));
  lanes.add(drain(Lane::urgent));
  return kj::joinPromises(lanes.finish());
}

kj::Promise<void> KjBridge::drain(Lane lane) {
  if (lane == Lane::bulk) run_urgent();
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return kj::READY_NOW;
    batch.swap(queue(lane).items);
    if (lane == Lane::urgent) urgent_waiting_.store(false, std::memory_order_relaxed);
  }
  run_all(batch);
  // Bulk, after a batch: yield behind the loop's queued I/O, so RPC keeps flowing.
  if (lane == Lane::bulk && !batch.empty())
    return kj::evalLater([this]() { return drain(Lane::bulk); });
  // Otherwise wait for the doorbell, which the loop answers at its next poll;
  // posts made while this batch ran ring it at once.
  auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
  bool pending = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Queue& q = queue(lane);
    pending = closed_ || !q.items.empty();
    if (!pending) q.doorbell = kj::mv(paf.fulfiller);
  }
  if (pending) paf.fulfiller->fulfill();
  return paf.promise.then([this, lane]() { return drain(lane); });
}

void KjBridge::run_urgent() {
  if (!urgent_waiting_.load(std::memory_order_acquire)) return;
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    batch.swap(urgent_.items);
    urgent_waiting_.store(false, std::memory_order_relaxed);
  }
  run_all(batch);
}

void KjBridge::close() {
  std::deque<std::function<void()>> dropped_bulk, dropped_urgent;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> bells[2];
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    dropped_bulk.swap(bulk_.items);
    dropped_urgent.swap(urgent_.items);
    bells[0] = kj::mv(bulk_.doorbell);
    bells[1] = kj::mv(urgent_.doorbell);
  }
  for (auto& bell : bells)
    if (bell.get() != nullptr) bell->fulfill();
}

}  // namespace glimpse::node
