# The event log's format: every fact the relay ever persisted. Events are never
# rewritten; a reader meets only versions it knows (see `version` below).
@0xb445c561e0c312e7;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("glimpse::schema");

# Schema version written into every event by this build. A reader that finds a
# version above the one it was built with must refuse the event with a clear
# error, never skip it. Bump when an event's meaning changes; adding a field
# that old readers may ignore does not need a bump.
# 2: Completed carries the file's CRC-32C (version 1 carried a SHA-256).
const currentEventVersion :UInt16 = 2;

enum NetworkType {
  unknown @0;
  wifi @1;
  nr5g @2;
  lte4g @3;
  g3 @4;
  g2 @5;
}

# What the sender's device reported about its network when it opened a transfer.
struct NetworkReport {
  type @0 :NetworkType;
  signal @1 :UInt8;  # 0 (none) .. 4 (full bars)
}

struct TransferOpened {
  transferId @0 :UInt64;
  sender @1 :UInt64;                # user id (UIN)
  receivers @2 :List(UInt64);       # one or many, no duplicates, never the sender alone
  idempotencyKey @3 :Text;          # chosen by the client; (sender, key) names one transfer
  totalSize @4 :UInt64;             # TS, bytes of the progressive JPEG
  mts @5 :UInt64;                   # minimal transport size, 0 < MTS <= TS, a scan end
  width @6 :UInt32;
  height @7 :UInt32;
  scanEnds @8 :List(UInt64);        # byte offset at which each scan ends, ascending, last == TS
  network @9 :NetworkReport;
  node @10 :UInt16;                 # node that owns the transfer (names it in the file id)
}

# The bytes [offset, offset + length) are stored beside this event, written in
# the same atomic batch.
struct ChunkAppended {
  offset @0 :UInt64;
  length @1 :UInt32;
  crc32c @2 :UInt32;
}

# Emitted exactly once, when the durable contiguous prefix first reaches MTS.
struct Delivered {
  fileId @0 :Text;
  offset @1 :UInt64;                # contiguous durable prefix when MTS was crossed (>= MTS)
}

struct ReceiverNotified {
  receiver @0 :UInt64;
}

# Emitted when the contiguous prefix reaches TS and the sender's declared
# CRC-32C of the whole file matches the stored bytes.
struct Completed {
  sha256 @0 :Data;                  # set only in version-1 events (checked when written)
  crc32c @1 :UInt32;                # the whole file's CRC-32C; meaningful when sha256 is unset
}

struct Aborted {
  reason @0 :Text;
}

# Inbox stream (one per user): a delivered file waiting for the user's client.
struct NotificationQueued {
  fileId @0 :Text;
  transferId @1 :UInt64;
  sender @2 :UInt64;
  totalSize @3 :UInt64;
  mts @4 :UInt64;
  width @5 :UInt32;
  height @6 :UInt32;
  deliveredNs @7 :Int64;            # when its MTS bytes were reported durable (Unix ns); 0 = unknown
}

# The user's connected client acknowledged the notification; it is not sent again.
struct NotificationAcked {
  fileId @0 :Text;
}

struct Event {
  version @0 :UInt16;               # schema version that wrote the event
  timeNs @1 :Int64;                 # wall-clock Unix time in ns, captured when the command was decided
  union {
    transferOpened @2 :TransferOpened;
    chunkAppended @3 :ChunkAppended;
    delivered @4 :Delivered;
    receiverNotified @5 :ReceiverNotified;
    completed @6 :Completed;
    aborted @7 :Aborted;
    expired @8 :Void;
    notificationQueued @9 :NotificationQueued;
    notificationAcked @10 :NotificationAcked;
  }
}
