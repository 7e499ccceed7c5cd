#pragma once
// One dedicated thread for image::fill, off the CAF workers and the KJ thread.
// A fill decodes a whole image (hundreds of MB for a large one), so fills run
// one at a time and at most `max_waiting` wait behind the running one; more
// are refused, so a burst of requests costs neither memory nor actor threads.
//
// Threads: submit() from any thread; jobs run on the worker's own thread, in
// submission order. The destructor waits for the running job and destroys the
// waiting ones unrun.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace glimpse::node {

class FillWorker {
 public:
  explicit FillWorker(size_t max_waiting);
  ~FillWorker();
  FillWorker(const FillWorker&) = delete;
  FillWorker& operator=(const FillWorker&) = delete;

  // Queues `job`; false (and `job` destroyed unrun) when `max_waiting` jobs
  // are already waiting.
  bool submit(std::function<void()> job);

 private:
  void loop();

  const size_t max_waiting_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> waiting_;  // guarded by mu_
  bool stopping_ = false;                      // guarded by mu_
  std::thread thread_;                         // last: starts once the rest is built
};

}  // namespace glimpse::node
