// The RocksDB EventLog's group-commit writer (FORMAT.md, "Group commit").
// append() and delete_stream() queue; one writer thread takes everything
// queued, writes it as one WriteBatch, then runs the callbacks.
#include <rocksdb/write_batch.h>

#include "storage/event_codec.hpp"
#include "storage/rocksdb_keys.hpp"
#include "storage/rocksdb_log_impl.hpp"

namespace glimpse::storage {
namespace {

rocksdb::Slice slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

void RocksDbLogImpl::append(AppendRequest request, AppendCallback done) {
  Pending p;
  p.precheck = check_append_request(request);
  for (const std::string& e : request.events) p.bytes += e.size();
  for (const ChunkPut& c : request.chunks) p.bytes += c.bytes.size();
  p.request = std::move(request);
  p.done = std::move(done);
  enqueue(std::move(p));
}

Status RocksDbLogImpl::delete_stream(StreamId stream, const std::vector<std::string>& index_keys) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    Status status;
  };
  auto waiter = std::make_shared<Waiter>();
  Pending p;
  p.is_delete = true;
  p.request.stream = stream;
  p.index_keys = index_keys;
  p.done = [waiter](Status s) {
    std::lock_guard<std::mutex> lock(waiter->mu);
    waiter->status = std::move(s);
    waiter->done = true;
    waiter->cv.notify_all();
  };
  enqueue(std::move(p));
  std::unique_lock<std::mutex> lock(waiter->mu);
  waiter->cv.wait(lock, [&] { return waiter->done; });
  return waiter->status;
}

void RocksDbLogImpl::enqueue(Pending p) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      if (!p.is_delete) ++stats_.appends;
      ++queued_total_;
      queue_.push_back(std::move(p));
      queue_cv_.notify_one();
      return;
    }
  }
  p.done(Status(Code::closed, "the event log at " + options_.path + " is closing"));
}

void RocksDbLogImpl::drain() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = queued_total_;
  done_cv_.wait(lock, [&] { return done_total_ >= target; });
}

RocksDbStats RocksDbLogImpl::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void RocksDbLogImpl::writer_loop() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      uint64_t bytes = 0;
      while (!queue_.empty() && (group.empty() || bytes + queue_.front().bytes <=
                                                      options_.max_group_bytes)) {
        bytes += queue_.front().bytes;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<Status> results = write_group(group);
    uint64_t ok = 0;
    for (size_t i = 0; i < group.size(); ++i) ok += results[i].ok() && !group[i].is_delete;
    {
      // Counted before the callbacks run, so a caller woken by one sees stats
      // that already include its own append.
      std::lock_guard<std::mutex> lock(mu_);
      stats_.appends_ok += ok;
    }
    for (size_t i = 0; i < group.size(); ++i) group[i].done(std::move(results[i]));
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_total_ += group.size();
    }
    done_cv_.notify_all();
  }
}

std::vector<Status> RocksDbLogImpl::write_group(std::vector<Pending>& group) {
  std::vector<Status> results(group.size());
  std::vector<size_t> accepted;
  std::map<StreamId, uint64_t> group_next;  // next seq once this group is written
  rocksdb::WriteBatch batch;
  std::unique_lock<std::mutex> seq_lock(seq_mu_);
  for (size_t i = 0; i < group.size(); ++i) {
    Pending& p = group[i];
    const StreamId stream = p.request.stream;
    if (!p.precheck.ok()) {
      results[i] = p.precheck;
      continue;
    }
    if (p.is_delete) {
      batch.DeleteRange(events_, keys::event_key(stream, 0), keys::event_stream_end(stream));
      if (stream.kind == StreamKind::transfer) {
        batch.DeleteRange(chunks_, keys::chunk_key(stream.id, 0),
                          keys::chunk_transfer_end(stream.id));
      }
      for (const std::string& k : p.index_keys) batch.Delete(index_, slice(k));
      group_next[stream] = 0;
      accepted.push_back(i);
      continue;
    }
    uint64_t next = 0;
    auto it = group_next.find(stream);
    if (it != group_next.end()) {
      next = it->second;
    } else {
      Status s = cached_next_seq(stream, &next);
      if (!s.ok()) {
        results[i] = s;
        continue;
      }
    }
    if (p.request.expected_seq != next) {
      results[i] = Status(Code::conflict, "append to " + stream_name(stream) + " expected seq " +
                                              std::to_string(p.request.expected_seq) +
                                              " but the next is " + std::to_string(next) +
                                              "; reload the stream");
      continue;
    }
    for (const std::string& e : p.request.events) {
      batch.Put(events_, keys::event_key(stream, next++), slice(e));
    }
    for (const ChunkPut& c : p.request.chunks) {
      batch.Put(chunks_, keys::chunk_key(stream.id, c.offset), slice(c.bytes));
    }
    for (const IndexPut& x : p.request.index) batch.Put(index_, slice(x.key), slice(x.value));
    group_next[stream] = next;
    accepted.push_back(i);
  }
  if (accepted.empty()) return results;

  rocksdb::WriteOptions wo;
  wo.sync = options_.durability == Durability::sync;
  wo.disableWAL = options_.durability == Durability::none;
  // Every stream of the group now has a cache entry, so next_seq() will not
  // seek while the write runs; only this thread changes the entries.
  seq_lock.unlock();
  rocksdb::Status s = db_->Write(wo, &batch);
  seq_lock.lock();
  if (s.ok()) {
    for (const auto& [stream, next] : group_next) {
      if (next == 0) {
        next_seq_.erase(stream);  // deleted: a later use seeks and finds nothing
      } else {
        next_seq_[stream] = next;
      }
    }
  } else {
    // What reached the disk is unknown: forget the cached seqs so the next
    // use seeks them again from what RocksDB holds.
    for (const auto& entry : group_next) next_seq_.erase(entry.first);
    Status failed = error(s, "writing a group of " + std::to_string(accepted.size()) + " batches");
    for (size_t i : accepted) results[i] = failed;
  }
  seq_lock.unlock();
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.write_groups;
  if (wo.sync) ++stats_.syncs;
  if (!s.ok()) ++stats_.write_errors;
  stats_.largest_group = std::max<uint64_t>(stats_.largest_group, accepted.size());
  return results;
}

}  // namespace glimpse::storage
