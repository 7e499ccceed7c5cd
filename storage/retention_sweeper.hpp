#pragma once
// Runs apply_retention() periodically on a thread of its own, so a sweep
// (reads of every stream, a wait per deletion) never occupies an actor's or
// the RPC server's thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "storage/retention.hpp"

namespace glimpse::storage {

class RetentionSweeper {
 public:
  // What one sweep did; runs on the sweeper's thread.
  using Report = std::function<void(const Status&, const RetentionReport&)>;

  // Sweeps `log` under `policy` once at start and then every `every`, taking
  // the time of each sweep from `now_ns`. "*log" must outlive the sweeper. A
  // policy that keeps everything starts no thread.
  RetentionSweeper(EventLog* log, RetentionPolicy policy, std::chrono::milliseconds every,
                   std::function<int64_t()> now_ns, Report report);
  // Stops a sweep in progress between two streams and joins the thread.
  ~RetentionSweeper();

  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  // Starts the next sweep now instead of after `every`.
  void sweep_now();

 private:
  void loop();

  EventLog* const log_;
  const RetentionPolicy policy_;
  const std::chrono::milliseconds every_;
  const std::function<int64_t()> now_ns_;
  const Report report_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;  // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: starts after everything above exists
};

}  // namespace glimpse::storage
