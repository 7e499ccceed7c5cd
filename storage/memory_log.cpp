// The in-memory EventLog: same contract as the RocksDB log, for unit tests and
// the simulator. One mutex guards everything; user callbacks (append's `done`,
// replay/scan functions) always run with it released.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "storage/chunk_reader.hpp"
#include "storage/event_codec.hpp"
#include "storage/event_log.hpp"

namespace glimpse::storage {
namespace {

class MemoryLog final : public EventLog {
 public:
  void append(AppendRequest request, AppendCallback done) override {
    Status s = check_append_request(request);
    if (s.ok()) s = apply(request);
    done(std::move(s));
  }

  Status replay(StreamId stream, uint64_t from_seq,
                const std::function<bool(uint64_t, std::string_view)>& fn) override {
    std::vector<StoredEvent> copy;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = streams_.find(stream);
      if (it == streams_.end()) return Status();
      const auto& events = it->second;
      for (uint64_t seq = from_seq; seq < events.size(); ++seq) copy.push_back(events[seq]);
    }
    for (const StoredEvent& e : copy) {
      if (!fn(e.seq, e.bytes)) break;
    }
    return Status();
  }

  Status next_seq(StreamId stream, uint64_t* next) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = streams_.find(stream);
    *next = it == streams_.end() ? 0 : it->second.size();
    return Status();
  }

  Status read_chunks(uint64_t transfer_id, uint64_t offset, uint64_t length,
                     std::string* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    static const std::map<uint64_t, std::string> kEmpty;
    auto it = chunks_.find(transfer_id);
    const auto& chunks = it == chunks_.end() ? kEmpty : it->second;
    return assemble_chunks(MapChunkCursor(chunks), transfer_id, offset, length, out);
  }

  Status get_index(std::string_view key, std::string* value) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(std::string(key));
    if (it == index_.end()) return Status(Code::not_found, "no index entry for that key");
    *value = it->second;
    return Status();
  }

  Status scan_index(std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& fn) override {
    std::vector<std::pair<std::string, std::string>> copy;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = index_.lower_bound(std::string(prefix));
           it != index_.end() && std::string_view(it->first).substr(0, prefix.size()) == prefix;
           ++it) {
        copy.emplace_back(it->first, it->second);
      }
    }
    for (const auto& [k, v] : copy) {
      if (!fn(k, v)) break;
    }
    return Status();
  }

  Status list_streams(StreamKind kind, const std::function<bool(StreamId, uint64_t)>& fn) override {
    std::vector<std::pair<StreamId, uint64_t>> copy;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [id, events] : streams_) {
        if (id.kind == kind && !events.empty()) copy.emplace_back(id, events.size());
      }
    }
    for (const auto& [id, next] : copy) {
      if (!fn(id, next)) break;
    }
    return Status();
  }

  Status scan_all(const std::function<bool(const StoredEvent&)>& fn) override {
    std::vector<StoredEvent> copy;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [id, events] : streams_)
        copy.insert(copy.end(), events.begin(), events.end());
    }
    std::sort(copy.begin(), copy.end(), [](const StoredEvent& a, const StoredEvent& b) {
      return std::tie(a.time_ns, a.stream, a.seq) < std::tie(b.time_ns, b.stream, b.seq);
    });
    for (const StoredEvent& e : copy) {
      if (!fn(e)) break;
    }
    return Status();
  }

  Status delete_stream(StreamId stream, uint64_t expected_next_seq) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = streams_.find(stream);
    const uint64_t next = it == streams_.end() ? 0 : it->second.size();
    if (next != expected_next_seq) return delete_conflict(stream, expected_next_seq, next);
    if (it != streams_.end()) streams_.erase(it);
    if (stream.kind == StreamKind::transfer) chunks_.erase(stream.id);
    if (auto owned = owners_.find(stream); owned != owners_.end()) {
      for (const std::string& key : owned->second) index_.erase(key);
      owners_.erase(owned);
    }
    return Status();
  }

 private:
  Status apply(const AppendRequest& request) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& events = streams_[request.stream];
    if (request.expected_seq != events.size()) {
      Status s(Code::conflict, "append to " + stream_name(request.stream) + " expected seq " +
                                   std::to_string(request.expected_seq) + " but the next is " +
                                   std::to_string(events.size()) + "; reload the stream");
      if (events.empty()) streams_.erase(request.stream);
      return s;
    }
    for (const std::string& bytes : request.events) {
      EventHeader header;
      parse_event_header(bytes, Code::invalid, &header);  // checked by check_append_request
      events.push_back(StoredEvent{request.stream, events.size(), header.time_ns, bytes});
    }
    if (!request.chunks.empty()) {
      auto& chunks = chunks_[request.stream.id];
      for (const ChunkPut& chunk : request.chunks) chunks[chunk.offset] = chunk.bytes.str();
    }
    for (const IndexPut& put : request.index) {
      index_[put.key] = put.value;
      owners_[request.stream].insert(put.key);
    }
    return Status();
  }

  std::mutex mu_;
  std::map<StreamId, std::vector<StoredEvent>> streams_;        // guarded by mu_
  std::map<uint64_t, std::map<uint64_t, std::string>> chunks_;  // transfer -> offset -> bytes
  std::map<std::string, std::string, std::less<>> index_;       // guarded by mu_
  std::map<StreamId, std::set<std::string>> owners_;  // index keys each stream's appends wrote
};

}  // namespace

std::unique_ptr<EventLog> new_memory_log() { return std::make_unique<MemoryLog>(); }

}  // namespace glimpse::storage
