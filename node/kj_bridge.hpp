#pragma once
// The one crossing from CAF threads to the KJ event-loop thread.
//
// Relay callbacks run on CAF threads; they must never touch a KJ object. They
// post() a closure instead, and the closure runs later on the KJ thread, in
// post order within its lane. Closures must capture only plain data (ids,
// strings, bytes) and LiveRefs; they are run and destroyed on the KJ thread, or
// destroyed unrun on the posting thread once the bridge is closed, so they must
// own nothing that belongs to KJ.
//
// Two lanes, because a busy loop serves them differently:
//  - bulk (replies to senders' calls): while the KJ thread is busy, one wakeup
//    serves every post made meanwhile, and each batch yields to the loop's
//    queue behind the I/O already waiting, so throughput wins;
//  - urgent (what a receiver waits for: notifications, new bytes): the loop's
//    hot paths (every incoming write, every bulk batch) call run_urgent(),
//    which takes the lane at once; an idle loop is woken for it as for bulk.
//    A loop saturated by hundreds of uploads thus serves a receiver within
//    one write's time, not after a whole turn of its queue.
//
// One-shot replies (a Relay callback answering one call) use reply_through()
// below, which posts through the bulk lane. reply_from_any_thread() is the same
// crossing with a cross-thread fulfiller (one wakeup) per call, for threads
// that have no bridge. The other direction (KJ thread -> CAF) needs no bridge:
// Relay's methods are asynchronous and never block.
#include <kj/async.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace glimpse::node {

class KjBridge {
 public:
  enum class Lane { bulk, urgent };

  // Construct on the KJ thread, inside its event loop.
  KjBridge() = default;
  KjBridge(const KjBridge&) = delete;
  KjBridge& operator=(const KjBridge&) = delete;

  // Any thread. Queues `fn` to run on the KJ thread; dropped after close().
  void post(std::function<void()> fn, Lane lane = Lane::bulk);

  // KJ thread. Runs posted closures as they come, until close(); own the
  // promise (e.g. in a TaskSet) for as long as the bridge should work.
  kj::Promise<void> run();

  // KJ thread. Runs the urgent lane's closures now, if any are queued: a
  // busy loop's hot path calls this so urgent work need not wait for the
  // loop's next poll. Cheap when the lane is empty (one atomic load).
  void run_urgent();

  // KJ thread. Later posts are dropped; closures queued but not run are
  // destroyed here.
  void close();

 private:
  struct Queue {
    std::deque<std::function<void()>> items;
    kj::Own<kj::CrossThreadPromiseFulfiller<void>> doorbell;  // set while its drain() waits
  };
  kj::Promise<void> drain(Lane lane);
  Queue& queue(Lane lane) { return lane == Lane::urgent ? urgent_ : bulk_; }

  std::mutex mu_;
  Queue bulk_, urgent_;  // guarded by mu_
  bool closed_ = false;  // guarded by mu_
  std::atomic<bool> urgent_waiting_{false};  // urgent_.items is not empty (a hint)
};

// A weak handle to a KJ-thread object that closures posted through the bridge
// may hold: the object clears it in its destructor (KJ thread) and the closure
// checks get() (KJ thread), so a callback arriving after the object died is
// dropped. Copying and destroying a LiveRef is safe on any thread.
template <class T>
class LiveRef {
 public:
  LiveRef() = default;
  explicit LiveRef(T* target) : slot_(std::make_shared<T*>(target)) {}
  // KJ thread only.
  T* get() const { return slot_ ? *slot_ : nullptr; }
  void reset() {
    if (slot_) *slot_ = nullptr;
  }

 private:
  std::shared_ptr<T*> slot_;
};

}  // namespace glimpse::node

namespace glimpse::node {

// A one-shot reply from another thread: `start` (called now, on the KJ thread)
// receives a callback that any thread may call exactly once with the result;
// the returned promise resolves with it on the KJ thread. Built on a KJ
// cross-thread fulfiller, which may be fulfilled and destroyed on any thread.
template <class T, class Start>
kj::Promise<T> reply_from_any_thread(Start&& start) {
  auto paf = kj::newPromiseAndCrossThreadFulfiller<T>();
  auto holder = std::make_shared<kj::Own<kj::CrossThreadPromiseFulfiller<T>>>(kj::mv(paf.fulfiller));
  start([holder](T value) { (*holder)->fulfill(kj::mv(value)); });
  return kj::mv(paf.promise);
}

}  // namespace glimpse::node

namespace glimpse::node {

// Like reply_from_any_thread(), but the callback posts the value through
// `bridge` (it must be running). A reply arriving after the returned promise
// was dropped, or after the bridge closed, is discarded.
template <class T, class Start>
kj::Promise<T> reply_through(const std::shared_ptr<KjBridge>& bridge, Start&& start) {
  struct Slot {
    kj::Own<kj::PromiseFulfiller<T>> fulfiller;
    LiveRef<Slot> ref{this};
    ~Slot() { ref.reset(); }
  };
  auto paf = kj::newPromiseAndFulfiller<T>();
  auto slot = kj::heap<Slot>();
  slot->fulfiller = kj::mv(paf.fulfiller);
  start([bridge, ref = slot->ref](T value) {
    bridge->post([ref, value = std::move(value)]() mutable {
      if (Slot* s = ref.get()) s->fulfiller->fulfill(kj::mv(value));
    });
  });
  return paf.promise.attach(kj::mv(slot));
}

}  // namespace glimpse::node
