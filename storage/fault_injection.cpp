#include "storage/fault_injection.hpp"

#include <string>

namespace glimpse::storage {

void FaultInjectionLog::fail_next_appends(Code code, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  append_fault_ = code;
  append_faults_left_ = count;
}

void FaultInjectionLog::fail_next_sync(int count) {
  std::lock_guard<std::mutex> lock(mu_);
  sync_faults_left_ = count;
}

void FaultInjectionLog::die_after_next_write(DeathReply reply) {
  std::lock_guard<std::mutex> lock(mu_);
  die_armed_ = true;
  death_reply_ = reply;
}

void FaultInjectionLog::kill() {
  std::lock_guard<std::mutex> lock(mu_);
  dead_ = true;
}

void FaultInjectionLog::fail_next_reads(Code code, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  read_fault_ = code;
  read_faults_left_ = count;
}

void FaultInjectionLog::hold_appends() {
  std::lock_guard<std::mutex> lock(mu_);
  holding_ = true;
}

void FaultInjectionLog::release_held() {
  std::vector<std::pair<AppendRequest, AppendCallback>> held;
  {
    std::lock_guard<std::mutex> lock(mu_);
    held.swap(held_);
  }
  for (auto& [request, done] : held) inner_->append(std::move(request), std::move(done));
}

std::vector<size_t> FaultInjectionLog::wait_held(size_t n, std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mu_);
  held_changed_.wait_for(lock, limit, [&] { return held_.size() >= n; });
  std::vector<size_t> chunks;
  for (const auto& h : held_) chunks.push_back(h.first.chunks.size());
  return chunks;
}

void FaultInjectionLog::heal() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    append_faults_left_ = sync_faults_left_ = read_faults_left_ = 0;
    die_armed_ = dead_ = false;
    holding_ = false;
  }
  release_held();
}

bool FaultInjectionLog::dead() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dead_;
}

uint64_t FaultInjectionLog::appends_seen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return appends_seen_;
}

uint64_t FaultInjectionLog::appends_injected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return appends_injected_;
}

void FaultInjectionLog::append(AppendRequest request, AppendCallback done) {
  enum class Action { pass, fail, sync_fail, die } action = Action::pass;
  Code code = Code::ok;
  DeathReply reply = DeathReply::closed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++appends_seen_;
    if (dead_) {
      code = Code::closed;
      action = Action::fail;
    } else if (append_faults_left_ > 0) {
      --append_faults_left_;
      code = append_fault_;
      action = Action::fail;
    } else if (sync_faults_left_ > 0) {
      --sync_faults_left_;
      action = Action::sync_fail;
    } else if (die_armed_) {
      die_armed_ = false;
      dead_ = true;
      reply = death_reply_;
      action = Action::die;
    }
    if (action != Action::pass && !(action == Action::fail && code == Code::closed)) {
      ++appends_injected_;
    }
    if (action == Action::pass && holding_) {
      held_.emplace_back(std::move(request), std::move(done));
      held_changed_.notify_all();
      return;
    }
  }
  switch (action) {
    case Action::pass:
      inner_->append(std::move(request), std::move(done));
      return;
    case Action::fail:
      done(Status(code, code == Code::closed ? "the log is closed (injected process death)"
                                             : std::string("injected ") + code_name(code) +
                                                   " before the write; nothing was written"));
      return;
    case Action::sync_fail:
      inner_->append(std::move(request), [done = std::move(done)](Status s) {
        if (!s.ok()) return done(std::move(s));
        done(Status(Code::io_error,
                    "injected sync failure after the write: the batch may be in the log; "
                    "recover from the log before going on"));
      });
      return;
    case Action::die:
      inner_->append(std::move(request), [done = std::move(done), reply](Status) {
        if (reply == DeathReply::closed) {
          done(Status(Code::closed, "the log is closed (injected death after the write)"));
        }
      });
      return;
  }
}

Status FaultInjectionLog::before_read(const char* what) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dead_)
    return Status(Code::closed, std::string(what) + ": the log is closed (injected death)");
  if (read_faults_left_ > 0) {
    --read_faults_left_;
    return Status(read_fault_, std::string("injected ") + code_name(read_fault_) + " in " + what);
  }
  return Status();
}

Status FaultInjectionLog::replay(StreamId stream, uint64_t from_seq,
                                 const std::function<bool(uint64_t, std::string_view)>& fn) {
  Status s = before_read("replay");
  return s.ok() ? inner_->replay(stream, from_seq, fn) : s;
}

Status FaultInjectionLog::next_seq(StreamId stream, uint64_t* next) {
  Status s = before_read("next_seq");
  return s.ok() ? inner_->next_seq(stream, next) : s;
}

Status FaultInjectionLog::read_chunks(uint64_t transfer_id, uint64_t offset, uint64_t length,
                                      std::string* out) {
  Status s = before_read("read_chunks");
  return s.ok() ? inner_->read_chunks(transfer_id, offset, length, out) : s;
}

Status FaultInjectionLog::get_index(std::string_view key, std::string* value) {
  Status s = before_read("get_index");
  return s.ok() ? inner_->get_index(key, value) : s;
}

Status FaultInjectionLog::scan_index(
    std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& fn) {
  Status s = before_read("scan_index");
  return s.ok() ? inner_->scan_index(prefix, fn) : s;
}

Status FaultInjectionLog::list_streams(StreamKind kind,
                                       const std::function<bool(StreamId, uint64_t)>& fn) {
  Status s = before_read("list_streams");
  return s.ok() ? inner_->list_streams(kind, fn) : s;
}

Status FaultInjectionLog::scan_all(const std::function<bool(const StoredEvent&)>& fn) {
  Status s = before_read("scan_all");
  return s.ok() ? inner_->scan_all(fn) : s;
}

Status FaultInjectionLog::delete_stream(StreamId stream, uint64_t expected_next_seq) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (dead_) return Status(Code::closed, "delete_stream: the log is closed (injected death)");
  }
  return inner_->delete_stream(stream, expected_next_seq);
}

}  // namespace glimpse::storage
