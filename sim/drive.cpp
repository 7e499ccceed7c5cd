#include "sim/drive.hpp"

#include "actors/event_codec.hpp"
#include "actors/transfer.hpp"
#include "util/crc32c.hpp"

namespace glimpse::sim {
namespace {

using namespace glimpse::actors;

class Driver {
 public:
  Driver(storage::EventLog& log, const SendPlan& plan) : log_(log), plan_(plan) {
    stream_ = {storage::StreamKind::transfer, plan.header.transfer_id};
  }

  bool run(std::string* error) {
    const uint64_t ts = plan_.bytes.size();
    const uint64_t step = std::max<uint64_t>(1, plan_.chunk_bytes);
    if (!command(0, OpenTransfer{plan_.header}, {}, error)) return false;
    double delivered_ms = -1;
    size_t i = 0;
    for (uint64_t off = 0; off < ts; off += step, ++i) {
      uint32_t len = static_cast<uint32_t>(std::min(step, ts - off));
      std::string bytes = plan_.bytes.substr(off, len);
      double at = i < plan_.chunk_ms.size() ? plan_.chunk_ms[i] : static_cast<double>(i + 1);
      bool was_delivered = state_.delivered();
      AppendChunk c{plan_.header.sender, off, len, util::crc32c(bytes)};
      if (!command(at, c, {{off, std::move(bytes)}}, error)) return false;
      if (!was_delivered && state_.delivered()) delivered_ms = at;
      last_ms_ = at;
    }
    if (delivered_ms >= 0) {
      for (uint64_t r : plan_.header.receivers)
        if (!command(delivered_ms + plan_.notify_ms, MarkReceiverNotified{r}, {}, error))
          return false;
    }
    const uint32_t crc = util::crc32c(plan_.bytes);
    return command(std::max(last_ms_, delivered_ms + plan_.notify_ms) + 1,
                   FinishTransfer{plan_.header.sender, crc, crc}, {}, error);
  }

 private:
  bool command(double at_ms, TransferCommandBody body, std::vector<storage::ChunkPut> chunks,
               std::string* error) {
    TransferCommand cmd{plan_.open_ns + static_cast<int64_t>(at_ms * 1e6), std::move(body)};
    TransferDecision d = decide(state_, cmd, limits_);
    if (!d.reply.ok()) {
      *error = "transfer " + std::to_string(stream_.id) +
               ": the rules refused a command: " + d.reply.error().to_string();
      return false;
    }
    if (d.events.empty()) return true;
    storage::AppendRequest req;
    req.stream = stream_;
    req.expected_seq = next_seq_;
    for (const Event& e : d.events) req.events.push_back(encode_event(e));
    req.chunks = std::move(chunks);
    storage::Status s = log_.append_and_wait(std::move(req));
    if (!s.ok()) {
      *error = "transfer " + std::to_string(stream_.id) + ": append failed: " + s.to_string();
      return false;
    }
    next_seq_ += d.events.size();
    for (const Event& e : d.events) apply_in_place(state_, e);
    return true;
  }

  storage::EventLog& log_;
  const SendPlan& plan_;
  storage::StreamId stream_;
  TransferState state_;
  TransferLimits limits_;
  uint64_t next_seq_ = 0;
  double last_ms_ = 0;
};

}  // namespace

bool send_through_domain(storage::EventLog& log, const SendPlan& plan, std::string* error) {
  if (plan.header.total_size != plan.bytes.size()) {
    *error = "plan's header TS " + std::to_string(plan.header.total_size) + " is not its " +
             std::to_string(plan.bytes.size()) + " bytes";
    return false;
  }
  return Driver(log, plan).run(error);
}

std::vector<double> modelled_chunk_ms(const NetworkProfile& link, uint64_t total_size,
                                      const ModelOptions& options) {
  SplitMix64 rng(options.seed);
  auto leg = simulate_leg(link, total_size, {{0, total_size}}, 0, options, &rng);
  std::vector<double> out;
  out.reserve(leg.size());
  for (const ProgressPoint& p : leg) out.push_back(p.time_ms + options.fsync_ms);
  return out;
}

}  // namespace glimpse::sim
