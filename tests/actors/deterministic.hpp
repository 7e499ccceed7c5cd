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
class HoldingLog final : public storage::EventLog {
 public:
  explicit HoldingLog(storage::EventLog* inner) : inner_(inner) {}

  bool holding = true;  // false: appends go straight through
  size_t held() const { return held_.size(); }

  // Completes the oldest `n` held appends: written to `inner` (ok), or failed
  // with `status` without being written.
  void release(size_t n = SIZE_MAX, storage::Status status = storage::Status()) {
    while (n-- > 0 && !held_.empty()) {
      auto [req, done] = std::move(held_.front());
      held_.pop_front();
      if (status.ok())
        inner_->append(std::move(req), std::move(done));
      else
        done(status);
    }
  }

  void append(storage::AppendRequest request, AppendCallback done) override {
    if (!holding) return inner_->append(std::move(request), std::move(done));
    held_.emplace_back(std::move(request), std::move(done));
  }
  storage::Status replay(storage::StreamId s, uint64_t from,
                         const std::function<bool(uint64_t, std::string_view)>& fn) override {
    return inner_->replay(s, from, fn);
  }
  storage::Status next_seq(storage::StreamId s, uint64_t* next) override {
    return inner_->next_seq(s, next);
  }
  storage::Status read_chunks(uint64_t id, uint64_t off, uint64_t len, std::string* out) override {
    return inner_->read_chunks(id, off, len, out);
  }
  storage::Status get_index(std::string_view key, std::string* value) override {
    return inner_->get_index(key, value);
  }
  storage::Status scan_index(
      std::string_view prefix,
      const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return inner_->scan_index(prefix, fn);
  }
  storage::Status list_streams(storage::StreamKind kind,
                               const std::function<bool(storage::StreamId, uint64_t)>& fn) override {
    return inner_->list_streams(kind, fn);
  }
  storage::Status scan_all(const std::function<bool(const storage::StoredEvent&)>& fn) override {
    return inner_->scan_all(fn);
  }
  storage::Status delete_stream(storage::StreamId s, const std::vector<std::string>& keys) override {
    return inner_->delete_stream(s, keys);
  }

 private:
  storage::EventLog* inner_;
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
