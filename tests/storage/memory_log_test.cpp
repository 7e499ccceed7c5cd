#include <gtest/gtest.h>

#include "storage/event_log.hpp"
#include "tests/storage/event_log_contract.hpp"

namespace glimpse::storage::testing {
namespace {

struct MemoryLogFactory {
  std::unique_ptr<EventLog> open() { return new_memory_log(); }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Memory, EventLogContractTest, MemoryLogFactory);

TEST(MemoryLog, CompletesAppendOnTheCallingThreadBeforeReturning) {
  auto log = new_memory_log();
  bool done = false;
  log->append(request(transfer(1), 0, {tagged_event(1, "a")}), [&](Status s) {
    EXPECT_TRUE(s.ok());
    done = true;
  });
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace glimpse::storage::testing
