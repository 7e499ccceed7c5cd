// A real-directory crash test: a child process appends chunks with sync
// durability and reports each acknowledged offset through a pipe; the parent
// SIGKILLs it mid-stream, reopens the directory and checks that every
// acknowledged byte is there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>

#include "storage/rocksdb_log.hpp"
#include "tests/storage/temp_dir.hpp"
#include "tests/storage/test_events.hpp"

namespace glimpse::storage::testing {
namespace {

constexpr uint64_t kTransfers = 4;
constexpr uint64_t kChunk = 16 * 1024;
constexpr int kMaxInFlight = 32;
constexpr int kKillAfterAcks = 300;

struct Ack {
  uint64_t transfer_id;
  uint64_t end;  // bytes [0, end) of the transfer are acknowledged
};

// Runs in the child; never returns.
[[noreturn]] void append_until_killed(const std::string& path, int ack_fd) {
  RocksDbOptions options;
  options.path = path;
  options.durability = Durability::sync;
  std::unique_ptr<RocksDbLog> log;
  if (!open_rocksdb_log(options, &log).ok()) _exit(2);
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  for (uint64_t seq = 0; seq < 100000; ++seq) {
    for (uint64_t t = 0; t < kTransfers; ++t) {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return in_flight < kMaxInFlight; });
        ++in_flight;
      }
      AppendRequest r = request(transfer(t), seq, {chunk_event(seq, seq * kChunk, kChunk)});
      r.chunks = {ChunkPut{seq * kChunk, pattern_bytes(seq * kChunk, kChunk)}};
      log->append(std::move(r), [&, t, seq](Status s) {
        if (!s.ok()) _exit(3);
        Ack ack{t, (seq + 1) * kChunk};
        if (write(ack_fd, &ack, sizeof ack) != sizeof ack) _exit(4);
        std::lock_guard<std::mutex> lock(mu);
        --in_flight;
        cv.notify_one();
      });
    }
  }
  _exit(5);  // the parent should have killed us long before
}

bool read_ack(int fd, Ack* ack) {
  char* p = reinterpret_cast<char*>(ack);
  size_t got = 0;
  while (got < sizeof *ack) {
    ssize_t n = read(fd, p + got, sizeof *ack - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

TEST(RocksDbCrash, EveryAcknowledgedByteSurvivesSigkillMidStream) {
  TempDir dir;
  const std::string path = dir.sub("db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    append_until_killed(path, fds[1]);
  }
  close(fds[1]);

  std::map<uint64_t, uint64_t> acked;  // transfer -> acknowledged prefix
  int acks = 0;
  Ack ack;
  bool killed = false;
  while (read_ack(fds[0], &ack)) {
    EXPECT_EQ(ack.end, acked[ack.transfer_id] + kChunk) << "acks of a transfer arrive in order";
    acked[ack.transfer_id] = ack.end;
    if (++acks == kKillAfterAcks) {
      ASSERT_EQ(kill(child, SIGKILL), 0);
      killed = true;
    }
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(killed) << "child ended on its own, status " << status;
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;

  std::unique_ptr<RocksDbLog> log;
  RocksDbOptions options;
  options.path = path;
  Status s = open_rocksdb_log(options, &log);
  ASSERT_TRUE(s.ok()) << s.to_string();
  uint64_t bytes_checked = 0;
  for (const auto& [transfer_id, end] : acked) {
    std::string out;
    s = log->read_chunks(transfer_id, 0, end, &out);
    ASSERT_TRUE(s.ok()) << "transfer " << transfer_id << ": " << s.to_string();
    EXPECT_TRUE(out == pattern_bytes(0, end)) << "transfer " << transfer_id << " bytes differ";
    uint64_t next = 0;
    ASSERT_TRUE(log->next_seq(transfer(transfer_id), &next).ok());
    EXPECT_GE(next, end / kChunk);
    bytes_checked += end;
  }
  std::cout << "[ crash    ] " << acks << " acknowledged appends, " << bytes_checked
            << " acknowledged bytes all present after SIGKILL\n";
}

}  // namespace
}  // namespace glimpse::storage::testing
