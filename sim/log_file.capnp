# The portable log file written by `glimpse-sim export` and read by `--log FILE`:
# a sequence of packed Cap'n Proto messages (capnp::writePackedMessage), one
# LogFileHeader first, then one LogRecord per event, streams in id order and
# each stream's events in seq order. Everything `replay`, `check`, `film` and
# `whatif` need is inside: events exactly as stored, and the chunk bytes that
# sit beside ChunkAppended events.
@0xb0c27c7403bed7f7;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("glimpse::sim::file");

# Bump when the container changes meaning; readers refuse a newer one.
const logFileVersion :UInt16 = 1;
const logFileMagic :Text = "glimpse-sim-log";

struct LogFileHeader {
  magic @0 :Text;               # logFileMagic
  formatVersion @1 :UInt16;     # logFileVersion of the writer
  source @2 :Text;              # where the events came from (data dir, host), for humans
  transferId @3 :UInt64;        # the exported transfer; 0 when several streams were exported
  eventSchemaVersion @4 :UInt16;  # schema::CURRENT_EVENT_VERSION of the writer
  exportedAtNs @5 :Int64;       # Unix ns; informational
}

struct StoredChunk {
  offset @0 :UInt64;
  bytes @1 :Data;
}

struct LogRecord {
  streamKind @0 :UInt8;         # storage::StreamKind: 1 transfer, 2 inbox
  streamId @1 :UInt64;
  seq @2 :UInt64;
  timeNs @3 :Int64;
  event @4 :Data;               # one serialized schema::Event, byte for byte as stored
  chunks @5 :List(StoredChunk); # bytes stored beside the event (ChunkAppended)
}
