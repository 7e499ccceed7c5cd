#include "storage/retention_sweeper.hpp"

#include <utility>

namespace glimpse::storage {

RetentionSweeper::RetentionSweeper(EventLog* log, RetentionPolicy policy,
                                   std::chrono::milliseconds every, std::function<int64_t()> now_ns,
                                   Report report)
    : log_(log),
      policy_(policy),
      every_(every),
      now_ns_(std::move(now_ns)),
      report_(std::move(report)) {
  if (policy_.max_age.count() > 0) thread_ = std::thread([this] { loop(); });
}

RetentionSweeper::~RetentionSweeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RetentionSweeper::sweep_now() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void RetentionSweeper::loop() {
  for (;;) {
    RetentionReport report;
    Status s = apply_retention(*log_, policy_, now_ns_(), &report, &stop_);
    if (stop_) return;
    if (report_) report_(s, report);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, every_, [this] { return stop_.load() || wake_; });
    if (stop_) return;
    wake_ = false;
  }
}

}  // namespace glimpse::storage
