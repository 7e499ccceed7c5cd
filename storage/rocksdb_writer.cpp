// The RocksDB EventLog's group-commit writer (FORMAT.md, "Group commit").
// append() and delete_stream() queue; one writer thread takes everything
// queued, writes it as one WriteBatch, then runs the callbacks.
#include <rocksdb/write_batch.h>

#include <set>

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

Status RocksDbLogImpl::delete_stream(StreamId stream, uint64_t expected_next_seq) {
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
  p.request.expected_seq = expected_next_seq;
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
      ++(p.is_delete ? stats_.deletes : stats_.appends);
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
      while (!queue_.empty() &&
             (group.empty() || bytes + queue_.front().bytes <= options_.max_group_bytes)) {
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

Status RocksDbLogImpl::no_space_left(uint64_t free_bytes) const {
  return Status(Code::no_space,
                "only " + std::to_string(free_bytes >> 20) + " MiB free on the disk of " +
                    options_.path + "; appends stop while less than " +
                    std::to_string(options_.min_free_bytes >> 20) +
                    " MiB would be left (RocksDB preallocates its write-ahead log): free disk "
                    "space, the next write retries");
}

Status RocksDbLogImpl::owned_index_keys(StreamId stream, std::vector<std::string>* keys) {
  const std::string prefix = keys::owner_prefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), owners_));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    keys->emplace_back(it->key().data() + prefix.size(), it->key().size() - prefix.size());
  }
  return error(it->status(), "reading the index owners of " + stream_name(stream));
}

Status RocksDbLogImpl::resume_if_needed() {
  if (!resume_needed_) return Status();
  // Resume() moves writes to a fresh WAL only by flushing a non-empty
  // memtable; with every memtable empty it keeps the WAL writer that failed,
  // and RocksDB 7.8 then fails (or, built with assertions, aborts) on the next
  // write. So resume only when some memtable holds data; otherwise only a
  // restart brings writes back.
  bool memtable_data = false;
  for (auto* cf : {events_, chunk_refs_, index_, owners_}) {
    uint64_t entries = 0;
    if (db_->GetIntProperty(cf, "rocksdb.num-entries-active-mem-table", &entries) && entries > 0)
      memtable_data = true;
  }
  if (!memtable_data) {
    return unrecoverable(
        Status(Code::io_error, "writes to " + options_.path + " stopped after \"" + write_error_ +
                                   "\" and cannot resume in this process; restart glimpsed, "
                                   "which recovers from the log"));
  }
  rocksdb::Status s = db_->Resume();
  if (!s.ok()) {
    Status mapped = error(s, "resuming writes after \"" + write_error_ + "\"");
    if (mapped.code() == Code::no_space) return mapped;  // says: free disk space
    return unrecoverable(
        Status(mapped.code(), mapped.message() + " (RocksDB will not resume after this error; "
                                                 "restart glimpsed, which recovers from the log)"));
  }
  resume_needed_ = false;
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.resumes;
  return Status();
}

Status RocksDbLogImpl::unrecoverable(Status why) {
  if (!unrecoverable_reported_ && options_.on_unrecoverable) options_.on_unrecoverable(why);
  unrecoverable_reported_ = true;
  return why;
}

Status RocksDbLogImpl::chunk_segments(uint64_t transfer_id, std::vector<uint32_t>* segments) {
  const std::string lower = keys::chunk_key(transfer_id, 0);
  const std::string upper = keys::chunk_transfer_end(transfer_id);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, chunk_refs_));
  for (it->Seek(lower); it->Valid(); it->Next()) {
    ValueRef ref;
    if (!ValueRef::decode(std::string_view(it->value().data(), it->value().size()), &ref))
      return Status(Code::corruption, "a chunk reference of transfer " +
                                          std::to_string(transfer_id) + " does not decode");
    segments->push_back(ref.segment);
  }
  return error(it->status(),
               "reading the chunk references of transfer " + std::to_string(transfer_id));
}

void RocksDbLogImpl::settle_segments(const std::map<uint32_t, int64_t>& deltas) {
  std::vector<uint32_t> unreferenced;
  for (const auto& [segment, delta] : deltas) {
    auto it = segment_refs_.find(segment);
    const int64_t refs = (it == segment_refs_.end() ? 0 : static_cast<int64_t>(it->second)) + delta;
    if (refs > 0) {
      segment_refs_[segment] = static_cast<uint64_t>(refs);
    } else if (it != segment_refs_.end()) {
      segment_refs_.erase(it);
      unreferenced.push_back(segment);
    }
  }
  // A segment emptied while it was active is deleted once writes moved on.
  if (values_->active_segment() != last_active_segment_) {
    if (segment_refs_.count(last_active_segment_) == 0)
      unreferenced.push_back(last_active_segment_);
    last_active_segment_ = values_->active_segment();
  }
  // A failed deletion leaves the file; the next open deletes it.
  for (uint32_t segment : unreferenced)
    if (segment != values_->active_segment()) values_->remove_segment(segment);
}

std::vector<Status> RocksDbLogImpl::write_group(std::vector<Pending>& group) {
  std::vector<Status> results(group.size());
  std::vector<size_t> accepted;
  std::map<StreamId, uint64_t> group_next;  // next seq once this group is written
  // Index keys written by this group's accepted appends, per stream, so a
  // deletion later in the group removes them too; likewise the value
  // segments of the group's chunks.
  std::map<StreamId, std::vector<std::string>> group_owned;
  std::map<StreamId, std::vector<uint32_t>> group_segments;
  std::map<uint32_t, int64_t> ref_deltas;  // references gained (lost) per segment
  std::set<StreamId> deleted_in_group;
  // Free space, asked once per group with an append: appends that would
  // leave less than min_free_bytes are refused; deletions never are.
  std::optional<uint64_t> free_bytes;
  bool space_asked = false;
  uint64_t space_used = 0;  // payload bytes of the group's accepted appends
  uint64_t space_refused = 0;
  rocksdb::WriteBatch batch;
  std::unique_lock<std::mutex> seq_lock(seq_mu_);
  for (size_t i = 0; i < group.size(); ++i) {
    Pending& p = group[i];
    const StreamId stream = p.request.stream;
    if (!p.precheck.ok()) {
      results[i] = p.precheck;
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
    if (p.is_delete) {
      if (p.request.expected_seq != next) {
        results[i] = delete_conflict(stream, p.request.expected_seq, next);
        continue;
      }
      // Everything the deletion reads first: a failed read must leave the
      // batch untouched. What is on disk was already counted by an earlier
      // deletion of the stream in this group.
      std::vector<std::string> owned;
      std::vector<uint32_t> segments;
      Status s;
      if (deleted_in_group.count(stream) == 0) {
        s = owned_index_keys(stream, &owned);
        if (s.ok() && stream.kind == StreamKind::transfer) s = chunk_segments(stream.id, &segments);
      }
      if (!s.ok()) {
        results[i] = s;
        continue;
      }
      deleted_in_group.insert(stream);
      auto& in_group = group_owned[stream];
      owned.insert(owned.end(), in_group.begin(), in_group.end());
      in_group.clear();
      auto& in_group_segments = group_segments[stream];
      segments.insert(segments.end(), in_group_segments.begin(), in_group_segments.end());
      in_group_segments.clear();
      for (uint32_t segment : segments) --ref_deltas[segment];
      batch.DeleteRange(events_, keys::event_key(stream, 0), keys::event_stream_end(stream));
      if (stream.kind == StreamKind::transfer) {
        batch.DeleteRange(chunk_refs_, keys::chunk_key(stream.id, 0),
                          keys::chunk_transfer_end(stream.id));
      }
      for (const std::string& k : owned) {
        batch.Delete(index_, slice(k));
        batch.Delete(owners_, keys::owner_key(stream, k));
      }
      group_next[stream] = 0;
      accepted.push_back(i);
      continue;
    }
    if (p.request.expected_seq != next) {
      results[i] =
          Status(Code::conflict, "append to " + stream_name(stream) + " expected seq " +
                                     std::to_string(p.request.expected_seq) + " but the next is " +
                                     std::to_string(next) + "; reload the stream");
      continue;
    }
    if (!space_asked) {
      free_bytes = free_space(options_);
      space_asked = true;
    }
    if (free_bytes && *free_bytes < options_.min_free_bytes + space_used + p.bytes) {
      results[i] = no_space_left(*free_bytes);
      ++space_refused;
      continue;
    }
    space_used += p.bytes;
    for (const std::string& e : p.request.events) {
      batch.Put(events_, keys::event_key(stream, next++), slice(e));
    }
    for (const ChunkPut& c : p.request.chunks) {
      const ValueRef ref = values_->add(stream.id, c.offset, c.bytes.view(), c.crc32c);
      batch.Put(chunk_refs_, keys::chunk_key(stream.id, c.offset), ref.encode());
      ++ref_deltas[ref.segment];
      group_segments[stream].push_back(ref.segment);
    }
    for (const IndexPut& x : p.request.index) {
      batch.Put(index_, slice(x.key), slice(x.value));
      batch.Put(owners_, keys::owner_key(stream, x.key), rocksdb::Slice());
      group_owned[stream].push_back(x.key);
    }
    group_next[stream] = next;
    accepted.push_back(i);
  }
  if (space_refused > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.space_refusals += space_refused;
  }
  if (accepted.empty()) {
    values_->discard();
    return results;
  }

  rocksdb::WriteOptions wo;
  wo.sync = options_.durability == Durability::sync;
  wo.disableWAL = options_.durability == Durability::none;
  // Every stream of the group now has a cache entry, so next_seq() will not
  // seek while the write runs; only this thread changes the entries.
  seq_lock.unlock();
  // Writes nothing while RocksDB still refuses to resume after an earlier error.
  Status failed = resume_if_needed();
  // The chunk bytes first (durable on return under `sync`), so no synced
  // reference ever points at bytes that are not.
  if (failed.ok()) {
    failed = values_->write();
  } else {
    values_->discard();
  }
  const bool wrote = failed.ok();
  if (wrote) {
    rocksdb::Status s = db_->Write(wo, &batch);
    if (!s.ok()) {
      failed = error(s, "writing a group of " + std::to_string(accepted.size()) + " batches");
      resume_needed_ = true;
      write_error_ = s.ToString();
    }
  }
  seq_lock.lock();
  if (failed.ok()) {
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
    for (size_t i : accepted) results[i] = failed;
  }
  seq_lock.unlock();
  if (failed.ok()) {
    settle_segments(ref_deltas);
  } else {
    // Recount from what RocksDB holds; if even that fails, keep the old
    // counts, which at worst keep an unreferenced segment until the next open.
    std::map<uint32_t, uint64_t> recounted;
    if (count_segment_refs(db_, chunk_refs_, options_.path, &recounted).ok())
      segment_refs_ = std::move(recounted);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (wrote) {
    ++stats_.write_groups;
    if (wo.sync) ++stats_.syncs;
    if (!failed.ok()) ++stats_.write_errors;
  }
  stats_.largest_group = std::max<uint64_t>(stats_.largest_group, accepted.size());
  return results;
}

}  // namespace glimpse::storage
