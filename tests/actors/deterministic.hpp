#pragma once
// Test support for the relay's actors on CAF's deterministic test scheduler
// (caf::scheduler::test_coordinator, "scheduler.policy" = testing): nothing
// runs until the test calls run(); timers fire only on fire_timers(). No
// sleeps, no threads. HoldingLog keeps appends pending until the test
// releases them, so "no reply before durability" is observable.
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "actors/relay.hpp"
#include "storage/event_log.hpp"

namespace glimpse::actors::testing {

// An EventLog whose appends wait until release(); everything else passes
// through to `inner`. Test thread only.
class HoldingLog final : public storage::EventLogWrapper {
 public:
  explicit HoldingLog(storage::EventLog* inner) : storage::EventLogWrapper(inner) {}

  bool holding = true;  // false: appends go straight through
  size_t held() const { return held_.size(); }

  // Completes the oldest `n` held appends: written to `inner` (ok), or failed
  // with `status` without being written.
  void release(size_t n = SIZE_MAX, storage::Status status = storage::Status()) {
    while (n-- > 0 && !held_.empty()) {
      auto [req, done] = std::move(held_.front());
      held_.pop_front();
      if (status.ok())
        target()->append(std::move(req), std::move(done));
      else
        done(status);
    }
  }

  void append(storage::AppendRequest request, AppendCallback done) override {
    if (!holding) return target()->append(std::move(request), std::move(done));
    held_.emplace_back(std::move(request), std::move(done));
  }

 private:
  std::deque<std::pair<storage::AppendRequest, AppendCallback>> held_;
};

// Collects one callback's result.
template <class T>
struct Reply {
  std::shared_ptr<std::optional<Expected<T>>> slot = std::make_shared<std::optional<Expected<T>>>();
  Relay::Callback<T> cb() {
    auto s = slot;
    return [s](Expected<T> r) { s->emplace(std::move(r)); };
  }
  bool ready() const { return slot->has_value(); }
  const Expected<T>& get() const { return **slot; }
  const T& value() const { return *get(); }
  ErrorCode code() const { return get().error().code; }
};

// An actor system on the test scheduler with a Relay over `log`.
struct DeterministicNode {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::unique_ptr<Relay> relay;

  DeterministicNode(storage::EventLog& log, RelayConfig rc) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    system = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(system->scheduler());
    relay = std::make_unique<Relay>(*system, log, std::move(rc));
    auto r = relay->recover();
    if (!r.ok()) throw std::runtime_error(r.error().to_string());
    run();
  }
  ~DeterministicNode() {
    relay.reset();
    run();
    system.reset();
  }
  // Runs every actor until no message is left.
  void run() { sched->run(); }
  // Fires every pending timer (passivation, sweeps, retries), then runs.
  void fire_timers() {
    sched->trigger_timeouts();
    run();
  }
};

inline RelayConfig test_config() {
  RelayConfig c;
  c.node = 3;
  c.now_ns = [] { return int64_t{1'000'000'000}; };
  return c;
}

inline OpenRequest test_request(const std::string& key = "k1", uint64_t ts = 4000,
                                uint64_t mts = 1000) {
  OpenRequest r;
  r.receivers = {200, 300};
  r.idempotency_key = key;
  r.total_size = ts;
  r.mts = mts;
  r.width = 64;
  r.height = 48;
  r.scan_ends = {500, mts, ts};
  return r;
}

inline std::string test_bytes(size_t n, size_t seed = 0) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7 + 7) & 0xff);
  return s;
}

}  // namespace glimpse::actors::testing
