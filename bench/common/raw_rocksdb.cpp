#include "bench/common/raw_rocksdb.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace glimpse::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string key_of(uint64_t a, uint64_t b) {
  std::string k(16, '\0');
  for (int i = 0; i < 8; ++i) k[i] = static_cast<char>(a >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) k[8 + i] = static_cast<char>(b >> (56 - 8 * i));
  return k;
}

}  // namespace

RawDb::RawDb(const std::string& dir) {
  rocksdb::DBOptions o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.max_background_jobs = 2;
  rocksdb::ColumnFamilyOptions chunks;
  chunks.compression = rocksdb::kNoCompression;
  chunks.enable_blob_files = true;
  chunks.min_blob_size = 4096;
  chunks.blob_file_size = 256ull << 20;
  chunks.enable_blob_garbage_collection = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> d = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"events", rocksdb::ColumnFamilyOptions()},
      {"chunks", chunks}};
  auto s = rocksdb::DB::Open(o, dir, d, &cfs_, &db_);
  if (!s.ok()) {
    std::fprintf(stderr, "raw RocksDB open of %s: %s\n", dir.c_str(), s.ToString().c_str());
    std::exit(1);
  }
}

RawDb::~RawDb() {
  for (auto* h : cfs_) db_->DestroyColumnFamilyHandle(h);
  delete db_;
}

RawResult RawDb::write(const std::vector<std::string_view>& payloads, size_t group, bool sync) {
  const std::string event(96, 'e');  // about a serialized ChunkAppended
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  RawResult res;
  const auto start = Clock::now();
  for (size_t i = 0; i < payloads.size();) {
    rocksdb::WriteBatch batch;
    const size_t n = std::min(group, payloads.size() - i);
    for (size_t k = 0; k < n; ++k, ++seq_) {
      batch.Put(cfs_[1], key_of(k, seq_), event);
      batch.Put(cfs_[2], key_of(k, seq_), rocksdb::Slice(payloads[i + k].data(), payloads[i + k].size()));
      res.bytes += payloads[i + k].size();
    }
    const auto t0 = Clock::now();
    auto s = db_->Write(wo, &batch);
    if (!s.ok()) {
      std::fprintf(stderr, "raw RocksDB write: %s\n", s.ToString().c_str());
      std::exit(1);
    }
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    res.latencies_us.insert(res.latencies_us.end(), n, us);
    res.chunks += n;
    i += n;
  }
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return res;
}

RawResult RawDb::write_for(std::string_view payload, size_t group, double seconds, bool sync) {
  const std::vector<std::string_view> batch(group, payload);
  RawResult total;
  const auto start = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
    auto r = write(batch, group, sync);
    total.chunks += r.chunks;
    total.bytes += r.bytes;
    total.latencies_us.insert(total.latencies_us.end(), r.latencies_us.begin(), r.latencies_us.end());
  }
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return total;
}

}  // namespace glimpse::bench
