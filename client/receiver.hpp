#pragma once
// The receiving half of the client library: follow one file's bytes as they
// land on the node, and turn a growing prefix into files on disk.
//
// Threads: everything runs on the Connection's thread; callbacks are called
// there.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/connection.hpp"

namespace glimpse::client {

// What a receiver knows about one file; `bytes` is the contiguous prefix so far.
struct FileState {
  std::string file_id;
  uint64_t sender = 0;
  uint64_t total_size = 0;
  uint64_t mts = 0;
  int width = 0;
  int height = 0;
  std::vector<uint64_t> scan_ends;
  std::string bytes;
  bool completed = false;  // all TS bytes arrived and the node checked them
  bool aborted = false;    // the sender gave up; `bytes` is all there will be
};

void read_info(rpc::FileInfo::Reader info, FileState* state);

// Opens `file_id` and streams its bytes from the start, calling `on_growth`
// after each arrival, until the node says the file is complete or aborted.
// The promise resolves to the final state; it rejects with the node's
// refusal (e.g. notFound) or when the connection is lost.
kj::Promise<std::shared_ptr<FileState>> follow_file(
    rpc::Session::Client session, const std::string& file_id,
    std::function<void(const FileState&)> on_growth);

// The bytes available now, without waiting for more (fetch).
std::shared_ptr<FileState> read_now(Connection& connection, rpc::Session::Client session,
                                    const std::string& file_id);

// Writes the prefix and, when `frames`, a PNG for every scan completed since
// the last call, into `dir`. Files are replaced atomically.
class FrameWriter {
 public:
  FrameWriter(std::string dir, bool frames) : dir_(std::move(dir)), frames_(frames) {}

  // Returns false with *error set when a file cannot be written.
  bool update(const FileState& state, std::string* error);
  // Number of complete scans in the last prefix written (0: nothing to show yet).
  int scans_shown() const { return scans_; }
  std::string jpeg_path(const std::string& file_id) const;

 private:
  std::string dir_;
  bool frames_;
  int scans_ = 0;
  uint64_t written_ = 0;
};

}  // namespace glimpse::client
