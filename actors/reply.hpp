#pragma once
// msg::Reply<T>: the answer to one Relay call, carried inside the messages that
// route the call to the actor that answers it (so no actor awaits a response:
// CAF 0.17 searches an actor's outstanding requests linearly on every answer).
// Internal to actors/. No CAF.
//
// Copies share one holder. Its callback runs exactly once: at the first call
// of any copy (later calls do nothing), or, if no copy was ever called, with
// `unavailable` when the last copy is destroyed — the message carrying it was
// dropped (its actor stopped, failed, or had exited before it arrived), or the
// actor holding it was destroyed. No path loses an answer.
//
// Threads: the callback runs on the thread that calls, or that destroys the
// last copy; inside the actors that is a CAF worker thread. A thread that must
// not run callbacks (a Relay caller) holds a DroppedReplies while it may
// destroy the last copy, and runs what it collected elsewhere. The callback
// must not throw (it may run in a destructor).
#include <atomic>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "actors/relay.hpp"

namespace glimpse::actors::msg {

// While one lives on a thread, replies dropped on that thread are not answered
// there: their `unavailable` answers are collected for take(). Answers not
// taken run in the destructor, so none is lost. Nests; stays on its thread.
class DroppedReplies {
 public:
  DroppedReplies() : outer_(current_) { current_ = this; }
  ~DroppedReplies() {
    current_ = outer_;
    for (auto& answer : answers_) answer();
  }
  DroppedReplies(const DroppedReplies&) = delete;
  DroppedReplies& operator=(const DroppedReplies&) = delete;

  std::vector<std::function<void()>> take() { return std::exchange(answers_, {}); }

  // Runs `answer` now, or hands it to the innermost DroppedReplies of this thread.
  static void answer_or_collect(std::function<void()> answer) {
    if (current_)
      current_->answers_.push_back(std::move(answer));
    else
      answer();
  }

 private:
  static inline thread_local DroppedReplies* current_ = nullptr;
  DroppedReplies* outer_;
  std::vector<std::function<void()>> answers_;
};

inline RelayError dropped_reply_error() {
  return RelayError{ErrorCode::unavailable,
                    "the relay could not answer (the actor holding the call stopped); retry"};
}

template <class T>
class Reply {
 public:
  Reply() = default;  // answers no one: calling it does nothing
  explicit Reply(Relay::Callback<T> done)
      : holder_(done ? std::make_shared<Holder>(std::move(done)) : nullptr) {}

  void operator()(Expected<T> value) const {
    if (holder_) holder_->run(std::move(value));
  }
  // Whether a callback is still waiting for this reply.
  bool pending() const { return holder_ && !holder_->called.load(); }

 private:
  struct Holder {
    explicit Holder(Relay::Callback<T> fn) : fn(std::move(fn)) {}
    ~Holder() {
      if (called.exchange(true)) return;
      DroppedReplies::answer_or_collect(
          [fn = std::move(fn)] { fn(Expected<T>(dropped_reply_error())); });
    }
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;

    void run(Expected<T> value) {
      if (called.exchange(true)) return;
      auto done = std::move(fn);
      fn = nullptr;
      done(std::move(value));
    }

    std::atomic<bool> called{false};
    Relay::Callback<T> fn;  // touched only by whoever set `called`
  };

  std::shared_ptr<Holder> holder_;
};

}  // namespace glimpse::actors::msg
