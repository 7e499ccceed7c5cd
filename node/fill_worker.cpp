#include "node/fill_worker.hpp"

#include <utility>

namespace glimpse::node {

FillWorker::FillWorker(size_t max_waiting)
    : max_waiting_(max_waiting), thread_([this] { loop(); }) {}

FillWorker::~FillWorker() {
  std::deque<std::function<void()>> unrun;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    unrun.swap(waiting_);
  }
  wake_.notify_one();
  thread_.join();
}

bool FillWorker::submit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || waiting_.size() >= max_waiting_) return false;
    waiting_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void FillWorker::loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      job = std::move(waiting_.front());
      waiting_.pop_front();
    }
    job();
  }
}

}  // namespace glimpse::node
