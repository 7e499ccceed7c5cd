#pragma once
// `glimpse-sim check`: re-runs the actors' own pure decide/apply over a
// transfer's log and checks the invariants of ARCHITECTURE.md ("The transfer,
// as events"). For every event the checker rebuilds the command that must
// have produced it, asks actors::decide what that command yields in the state
// folded so far, and requires the log to hold exactly those events; on top,
// it checks what the rules cannot see: stored bytes against their CRC32C and
// Completed against the CRC-32C of the stored file.
//
// A stream's check stops at its first violation (everything after depends on
// it). Events of an older schema version are read as the actors' codec reads
// them; a newer one is a violation, never skipped.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/event_log.hpp"

namespace glimpse::sim {

struct Violation {
  storage::StreamKind stream = storage::StreamKind::transfer;
  uint64_t transfer_id = 0;  // or the user, for an inbox stream
  uint64_t seq = 0;          // of the event that broke the rule
  std::string event;         // "ChunkAppended offset=1024 length=512", or "" if undecodable
  std::string message;       // which invariant, and the values involved
  // "transfer 42 seq 7 (Delivered file=... offset=...): <message>" ("inbox 7 seq 2 ...")
  std::string to_string() const;
};

struct CheckOptions {
  bool verify_chunks = true;  // read every chunk's bytes and compare CRC32C
};

struct CheckReport {
  uint64_t transfers = 0;
  uint64_t inboxes = 0;
  uint64_t events = 0;
  std::vector<Violation> violations;
  // Storage failures while reading (not violations of the rules).
  std::vector<std::string> errors;
  bool ok() const { return violations.empty() && errors.empty(); }
};

// Checks one transfer stream, adding to *report. A stream with no events is
// reported as an error ("no such transfer").
void check_transfer(storage::EventLog& log, uint64_t transfer_id, const CheckOptions& options,
                    CheckReport* report);

// One user's inbox stream: the actors' inbox decide/apply re-run over it, and
// each NotificationQueued held against its transfer when the log has it (the
// same file id as the transfer's Delivered; the user one of its receivers).
void check_inbox(storage::EventLog& log, uint64_t user, CheckReport* report);
void check_all_inboxes(storage::EventLog& log, CheckReport* report);

// Every transfer stream of the log, then every inbox stream.
void check_all(storage::EventLog& log, const CheckOptions& options, CheckReport* report);

}  // namespace glimpse::sim
