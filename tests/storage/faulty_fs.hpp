#pragma once
// A RocksDB FileSystem that fails WAL writes or syncs on demand, so the
// RocksDB log's real error path (mapping, rollback, no acknowledgement) can be
// tested. Test-only; storage/ itself never sees it.
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>
#include <string>

namespace glimpse::storage::testing {

class FaultyFileSystem : public rocksdb::FileSystemWrapper {
 public:
  enum class Fault { none, wal_append_no_space, wal_sync_io_error };

  FaultyFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "GlimpseFaultyFileSystem"; }

  void arm(Fault f) { fault_ = f; }
  Fault fault() const { return fault_; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, r, dbg);
    if (s.ok() && f.size() > 4 && f.compare(f.size() - 4, 4, ".log") == 0) {
      *r = std::make_unique<WalFile>(std::move(*r), this);
    }
    return s;
  }

 private:
  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> t, FaultyFileSystem* fs)
        : FSWritableFileOwnerWrapper(std::move(t)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->fault() == Fault::wal_append_no_space) {
        return rocksdb::IOStatus::NoSpace("injected: no space for the WAL");
      }
      return FSWritableFileOwnerWrapper::Append(d, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& d, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->fault() == Fault::wal_append_no_space) {
        return rocksdb::IOStatus::NoSpace("injected: no space for the WAL");
      }
      return FSWritableFileOwnerWrapper::Append(d, o, v, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->fault() == Fault::wal_sync_io_error) {
        return rocksdb::IOStatus::IOError("injected: WAL fsync failed");
      }
      return FSWritableFileOwnerWrapper::Sync(o, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->fault() == Fault::wal_sync_io_error) {
        return rocksdb::IOStatus::IOError("injected: WAL fsync failed");
      }
      return FSWritableFileOwnerWrapper::Fsync(o, dbg);
    }

   private:
    FaultyFileSystem* fs_;
  };

  std::atomic<Fault> fault_{Fault::none};
};

}  // namespace glimpse::storage::testing
