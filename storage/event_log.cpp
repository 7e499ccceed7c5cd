#include "storage/event_log.hpp"

#include <condition_variable>
#include <mutex>

namespace glimpse::storage {

Status EventLog::append_and_wait(AppendRequest request) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Status status;
  };
  auto waiter = std::make_shared<Waiter>();
  append(std::move(request), [waiter](Status s) {
    std::lock_guard<std::mutex> lock(waiter->mu);
    waiter->status = std::move(s);
    waiter->done = true;
    waiter->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(waiter->mu);
  waiter->cv.wait(lock, [&] { return waiter->done; });
  return waiter->status;
}

}  // namespace glimpse::storage
