#pragma once
// Listener registries behind Relay's subscriptions (inbox listeners keyed by
// user, file watchers keyed by transfer id). A registry outlives any actor
// restart, so a subscription survives passivation and storage-failure
// recovery. No CAF.
//
// Threads: any thread may add, cancel or notify. A listener is called with its
// own recursive mutex held, so calls to one listener never overlap and
// cancel() waits for a running call (cancel from inside the call is allowed).
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "actors/relay.hpp"

namespace glimpse::actors {

struct Subscription::State {
  virtual ~State() = default;
  virtual void cancel() = 0;
  virtual bool active() const = 0;
};

// The last `capacity` distinct strings inserted. Not thread-safe.
class RecentSet {
 public:
  explicit RecentSet(size_t capacity) : capacity_(capacity) {}
  // False if `s` is among the last `capacity` inserted; else remembers it.
  bool insert(const std::string& s) {
    if (!set_.insert(s).second) return false;
    order_.push_back(s);
    if (order_.size() > capacity_) {
      set_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }

 private:
  size_t capacity_;
  std::unordered_set<std::string> set_;
  std::deque<std::string> order_;  // the same strings, oldest first
};

template <class Arg>
class Listener final : public Subscription::State {
 public:
  explicit Listener(std::function<void(const Arg&)> fn) : fn_(std::move(fn)) {}

  // Calls the listener unless cancelled; returns whether it is still active.
  bool call(const Arg& arg) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (!active_) return false;
    fn_(arg);
    return active_;
  }
  void cancel() override {
    std::function<void()> detach;
    {
      std::lock_guard<std::recursive_mutex> lock(mu_);
      active_ = false;
      detach = std::move(detach_);
    }
    if (detach) detach();
  }
  bool active() const override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return active_;
  }
  // Runs once, on cancel(): removes the listener from its registry.
  void set_detach(std::function<void()> detach) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    detach_ = std::move(detach);
  }

 private:
  mutable std::recursive_mutex mu_;
  bool active_ = true;
  std::function<void(const Arg&)> fn_;
  std::function<void()> detach_;
};

template <class Arg>
class Registry : public std::enable_shared_from_this<Registry<Arg>> {
 public:
  using ListenerPtr = std::shared_ptr<Listener<Arg>>;

  void add(uint64_t key, const ListenerPtr& listener) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      by_key_[key].push_back(listener);
    }
    std::weak_ptr<Registry> weak = this->shared_from_this();
    std::weak_ptr<Listener<Arg>> weak_listener = listener;
    listener->set_detach([weak, weak_listener, key] {
      if (auto self = weak.lock()) self->remove(key, weak_listener.lock().get());
    });
    // Cancelled before set_detach: its cancel() found no detach to run.
    if (!listener->active()) remove(key, listener.get());
  }

  // Calls every active listener of `key`, outside the registry's lock.
  void notify(uint64_t key, const Arg& arg) {
    std::vector<ListenerPtr> listeners;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = by_key_.find(key);
      if (it == by_key_.end()) return;
      listeners = it->second;
    }
    for (auto& l : listeners) l->call(arg);
  }

  bool has_listeners(uint64_t key) const {
    std::lock_guard<std::mutex> lock(mu_);
    return by_key_.count(key) != 0;
  }

 private:
  void remove(uint64_t key, const Listener<Arg>* listener) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return;
    auto& v = it->second;
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i].get() == listener) v.erase(v.begin() + static_cast<long>(i--));
    if (v.empty()) by_key_.erase(it);
  }

  mutable std::mutex mu_;
  std::map<uint64_t, std::vector<ListenerPtr>> by_key_;
};

}  // namespace glimpse::actors
