#include "actors/relay.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <iterator>

#include "actors/event_codec.hpp"
#include "actors/actor_types.hpp"
#include "actors/manager.hpp"
#include "actors/shell_common.hpp"
#include "actors/type_ids.hpp"

namespace glimpse::actors {

// -- Subscription -------------------------------------------------------------

Subscription::Subscription(std::shared_ptr<State> state) : state_(std::move(state)) {}
Subscription::Subscription(Subscription&&) noexcept = default;
Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    cancel();
    state_ = std::move(other.state_);
  }
  return *this;
}
Subscription::~Subscription() { cancel(); }
void Subscription::cancel() {
  if (state_) state_->cancel();
  state_.reset();
}
bool Subscription::active() const { return state_ && state_->active(); }

// -- Relay ----------------------------------------------------------------------

struct Relay::Impl {
  caf::actor_system& system;
  std::shared_ptr<Shared> shared;
  ManagerActorHandle manager;

  // Sends a call to the manager, with the callback inside it as a msg::Reply
  // that the answering actor calls: no actor awaits a response (CAF 0.17 keeps
  // those in a vector searched on every answer). Calls one thread makes reach
  // the manager, and the transfer, in the order they were made. A reply
  // dropped on this (the caller's) thread answers on a CAF thread instead.
  template <class T, class... Ts>
  void call(Callback<T> done, Ts&&... xs) {
    msg::DroppedReplies dropped;
    caf::anon_send(manager, std::forward<Ts>(xs)..., msg::Reply<T>(std::move(done)));
    for (auto& answer : dropped.take()) system.spawn([answer] { answer(); });
  }

  // Runs `done(value)` on a CAF thread, keeping the callback thread contract.
  template <class T>
  void post(Callback<T> done, Expected<T> value) {
    system.spawn([done = std::move(done), value = std::move(value)]() mutable {
      done(std::move(value));
    });
  }

  std::optional<uint64_t> local_transfer(const std::string& file_id) const {
    auto parsed = parse_file_id(file_id);
    if (!parsed || parsed->first != shared->config.node) return std::nullopt;
    return parsed->second;
  }
};

namespace {
RelayError no_such_file(const std::string& file_id) {
  return RelayError{ErrorCode::not_found,
                    "no file " + file_id + " for you; check the id or ask the sender"};
}
}  // namespace

Relay::Relay(caf::actor_system& system, storage::EventLog& log, RelayConfig config)
    : impl_(new Impl{system, std::make_shared<Shared>(), ManagerActorHandle()}) {
  if (!config.now_ns)
    config.now_ns = [] {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  impl_->shared->log = &log;
  impl_->shared->config = std::move(config);
  impl_->manager = system.spawn(manager_actor, impl_->shared);
}

// The manager stops its children, which fail what they hold with
// `unavailable`; a call still in a mailbox, or reaching a stopped actor, is
// dropped, and its msg::Reply answers `unavailable`. Either way every pending
// callback runs once.
Relay::~Relay() { caf::anon_send(impl_->manager, stop_atom_v); }

Expected<RecoveryReport> Relay::recover() {
  const auto start = std::chrono::steady_clock::now();
  auto& log = *impl_->shared->log;
  std::vector<uint64_t> ids;
  auto s = log.list_streams(storage::StreamKind::transfer, [&](storage::StreamId id, uint64_t) {
    ids.push_back(id.id);
    return true;
  });
  if (!s.ok()) return storage_error(s, "cannot list transfers");
  msg::RecoveryData data;
  RecoveryReport report;
  for (uint64_t id : ids) {
    TransferState state;
    std::optional<RelayError> bad;
    s = log.replay(transfer_stream(id), 0, [&](uint64_t, std::string_view bytes) {
      auto e = decode_event(bytes);
      if (!e) {
        bad = e.error();
        return false;
      }
      apply_in_place(state, *e);
      return true;
    });
    ++report.transfers;
    data.next_transfer_id = std::max(data.next_transfer_id, id + 1);  // never reused, even if bad
    if (!s.ok()) bad = storage_error(s, "cannot replay transfer " + std::to_string(id));
    if (bad) {
      // One unreadable transfer must not keep every other one offline: it is
      // left to its actor, which answers every call with this error.
      if (report.unreadable++ == 0) report.first_unreadable = bad->to_string();
      continue;
    }
    if (state.phase == TransferPhase::open) {
      ++report.unfinished;
      data.unfinished.push_back({id, state.header.sender, state.last_event_ns});
    }
    if (!state.receivers_to_notify().empty()) {
      ++report.pending_notifies;
      data.pending_notifies.push_back(id);
    }
  }
  report.next_transfer_id = data.next_transfer_id;
  // Enqueued before any call made after this returns, so the manager is seeded
  // before it serves them.
  caf::anon_send(impl_->manager, init_atom_v, std::move(data));
  report.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  return report;
}

void Relay::open_transfer(uint64_t sender, OpenRequest r, Callback<TransferStatus> done) {
  TransferOpened h;
  h.sender = sender;
  h.receivers = std::move(r.receivers);
  h.idempotency_key = std::move(r.idempotency_key);
  h.total_size = r.total_size;
  h.mts = r.mts;
  h.width = r.width;
  h.height = r.height;
  h.scan_ends = std::move(r.scan_ends);
  h.network = r.network;
  impl_->call<TransferStatus>(std::move(done), transfer_atom_v,
                              msg::TransferCmd{0, OpenTransfer{std::move(h)}, {}, {}, {}});
}

void Relay::resume(uint64_t sender, uint64_t transfer_id, Callback<TransferStatus> done) {
  impl_->call<TransferStatus>(std::move(done), resume_atom_v,
                              msg::ResumeQuery{transfer_id, sender});
}

void Relay::append(uint64_t sender, uint64_t transfer_id, uint64_t offset, util::SharedBytes bytes,
                   Callback<TransferStatus> done) {
  std::vector<ChunkBytes> one;
  one.push_back(ChunkBytes{offset, std::move(bytes)});
  append(sender, transfer_id, std::move(one), std::move(done));
}

void Relay::append(uint64_t sender, uint64_t transfer_id, std::vector<ChunkBytes> chunks,
                   Callback<TransferStatus> done) {
  const auto& limits = impl_->shared->config.limits;
  if (chunks.empty())
    return impl_->post<TransferStatus>(
        std::move(done), RelayError{ErrorCode::invalid_argument, "an append needs a chunk"});
  for (const auto& c : chunks)
    if (c.bytes.size() > limits.max_chunk_size)
      return impl_->post<TransferStatus>(
          std::move(done),
          RelayError{ErrorCode::limit_exceeded,
                     "chunk of " + std::to_string(c.bytes.size()) + " bytes exceeds the maximum of " +
                         std::to_string(limits.max_chunk_size) + "; split it"});
  auto& first = chunks.front();
  AppendChunk c{sender, first.offset, static_cast<uint32_t>(first.bytes.size()), 0};
  msg::TransferCmd cmd{transfer_id, c, std::move(first.bytes), first.crc32c, {}};
  cmd.more.assign(std::make_move_iterator(chunks.begin() + 1),
                  std::make_move_iterator(chunks.end()));
  impl_->call<TransferStatus>(std::move(done), transfer_atom_v, std::move(cmd));
}

void Relay::finish(uint64_t sender, uint64_t transfer_id, uint32_t crc32c,
                   Callback<TransferStatus> done) {
  impl_->call<TransferStatus>(
      std::move(done), transfer_atom_v,
      msg::TransferCmd{transfer_id, FinishTransfer{sender, crc32c, std::nullopt}, {}, {}, {}});
}

void Relay::abort(uint64_t sender, uint64_t transfer_id, std::string reason,
                  Callback<TransferStatus> done) {
  impl_->call<TransferStatus>(
      std::move(done), transfer_atom_v,
      msg::TransferCmd{transfer_id, AbortTransfer{sender, std::move(reason)}, {}, {}, {}});
}

Subscription Relay::subscribe_inbox(uint64_t user,
                                    std::function<void(const Notification&)> listener) {
  // Each file once: it is told at delivery and again when its inbox has
  // queued it (transfer_actor.cpp, start_notifications). Listener calls never
  // overlap, so `seen` needs no lock.
  auto l = std::make_shared<Listener<Notification>>(
      [fn = std::move(listener), seen = std::make_shared<RecentSet>(4096)](const Notification& n) {
        if (seen->insert(n.file_id)) fn(n);
      });
  // A refused subscribe (the inbox could not be recovered) leaves the
  // subscription registered for live notifications only; it is retried once.
  std::weak_ptr<Listener<Notification>> weak = l;
  auto mgr = impl_->manager;
  impl_->call<Done>(
      [weak, mgr, user](Expected<Done> r) {
        auto l = weak.lock();
        if (r.ok() || !l || !l->active()) return;
        caf::anon_send(mgr, subscr_atom_v, msg::SubscribeReq{user, l}, msg::Reply<Done>());
      },
      subscr_atom_v, msg::SubscribeReq{user, l});
  return Subscription(l);
}

void Relay::ack_notification(uint64_t user, std::string file_id, Callback<Done> done) {
  impl_->call<Done>(std::move(done), inbox_atom_v,
                    msg::InboxCmd{user, AckNotification{std::move(file_id)}, 0});
}

void Relay::open_file(uint64_t user, std::string file_id, Callback<FileInfo> done) {
  auto id = impl_->local_transfer(file_id);
  if (!id) return impl_->post<FileInfo>(std::move(done), no_such_file(file_id));
  impl_->call<FileInfo>(std::move(done), file_atom_v,
                        msg::FileQuery{*id, user, std::move(file_id), 0, 0, nullptr});
}

void Relay::read_file(uint64_t user, std::string file_id, uint64_t offset, uint64_t max_len,
                      Callback<std::string> done) {
  auto id = impl_->local_transfer(file_id);
  if (!id) return impl_->post<std::string>(std::move(done), no_such_file(file_id));
  impl_->call<std::string>(std::move(done), read_atom_v,
                           msg::FileQuery{*id, user, std::move(file_id), offset, max_len, nullptr});
}

Subscription Relay::watch_file(uint64_t user, std::string file_id,
                               std::function<void(Expected<FileProgress>)> listener) {
  using Watch = Listener<Expected<FileProgress>>;
  auto l = std::make_shared<Watch>(
      [fn = std::move(listener)](const Expected<FileProgress>& p) { fn(p); });
  auto report = [l](Expected<Done> r) {
    if (r.ok()) return;
    l->call(Expected<FileProgress>(r.error()));
    l->cancel();
  };
  auto id = impl_->local_transfer(file_id);
  if (!id) {
    impl_->post<Done>(report, no_such_file(file_id));
  } else {
    impl_->call<Done>(report, watch_atom_v, msg::FileQuery{*id, user, std::move(file_id), 0, 0, l});
  }
  return Subscription(l);
}

void Relay::stats(Callback<RelayStats> done) {
  impl_->call<RelayStats>(std::move(done), stats_atom_v);
}

}  // namespace glimpse::actors
