# The client RPC: what `glimpse` says to `glimpsed`. Capabilities all the way
# down: a client holds only what it was handed, so what a user may not touch it
# never gets a capability for.
#
# Refusals. Every refusal — a bad token, a header that lies, a file the user
# may not see, a limit — is reported one way: the call fails with a Cap'n Proto
# exception of type `failed` whose description is
#     "<code>: <message>"
# where <code> is one of the words of `RefusalCode` below (in snake_case)
# and <message> says what was wrong and what to do, for a person. One
# mechanism for all methods, because a `-> stream` write has no reply that
# could carry a refusal. Transport failures (`disconnected`, `overloaded`) keep
# their usual Cap'n Proto meaning. A refusal leaves no partial state behind.
@0xf2993a0e363395ae;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("glimpse::rpc");

using Events = import "events.capnp";

# The vocabulary of refusal codes (see the file comment). Never sent as a
# value: the description spells the code in snake_case (`not_found`,
# `invalid_argument`, ...), the same words as the relay's RelayError.
enum RefusalCode {
  unauthenticated @0;  # token missing, malformed, forged or expired
  notFound @1;         # no such transfer or file, or not yours to see (same answer)
  invalidArgument @2;  # the request contradicts itself or the header (MTS > TS, offset past TS, ...)
  conflict @3;         # a resent chunk differs from the stored bytes; key reused; hash mismatch
  limitExceeded @4;    # over a configured limit (TS, header size, chunk size, open transfers)
  storageFailure @5;   # the node's storage failed; nothing of the request was acknowledged
  aborted @6;          # the transfer was aborted or expired
  unavailable @7;      # the node is shutting down or restarting an entity; retry later
}

# Bootstrap capability of a node.
interface Gateway {
  # `token` as printed by `glimpse token`. The session acts for that user only.
  login @0 (token :Text) -> (session :Session, user :UInt64);
}

struct SendHeader {
  receivers @0 :List(UInt64);   # UINs; at least one, no duplicates, not only the sender
  totalSize @1 :UInt64;         # TS: bytes of the progressive JPEG
  mts @2 :UInt64;               # 0 < MTS <= TS, one of scanEnds
  width @3 :UInt32;
  height @4 :UInt32;
  scanEnds @5 :List(UInt64);    # ascending, last == TS
  network @6 :Events.NetworkReport;
  idempotencyKey @7 :Text;      # same key (same sender) = same transfer: resume
}

# Everything one user may do.
interface Session {
  # Starts a transfer, or resumes the one this user opened with the same
  # idempotency key (then the header must be the same). `ackedOffset` is the
  # contiguous durable prefix: continue writing there. `fileId` is set once
  # the transfer was delivered (MTS durable); `completed` once all TS bytes
  # are durable and their CRC-32C checked. `callback` hears about progress
  # for as long as the caller holds `upload`.
  send @0 (header :SendHeader, callback :SendCallback)
      -> (transferId :UInt64, ackedOffset :UInt64, upload :Upload, fileId :Text, completed :Bool);

  # Delivers this user's notifications to `inbox`: first those queued while
  # offline, then new ones as they happen. Dropping `handle` unsubscribes.
  # A notification is delivered again on the next subscribe until acked.
  subscribe @1 (inbox :InboxListener) -> (handle :Handle);

  # The user has what `fileId` announced; it is not delivered again.
  ack @2 (fileId :Text);

  # Opens a file this user is a receiver (or the sender) of. Anything else is
  # `notFound`, exactly as for a file that does not exist.
  open @3 (fileId :Text) -> (file :File, info :FileInfo);
}

interface SendCallback {
  # Contiguous durable prefix (only grows). At most one call is in flight,
  # with the latest offset, and at most one per the node's ack interval
  # (glimpsed --ack-interval-ms, 50 by default), the first one interval after
  # `send` and none after `done`: progress for a progress bar. The durable
  # offset to resume from is what `send` returns.
  acked @0 (offset :UInt64);
  # Once, when MTS is durable; `offset` bytes are durable (it may run ahead
  # of the last `acked`).
  delivered @1 (fileId :Text, offset :UInt64);
}

interface Upload {
  # Bytes [offset, offset + bytes.size()). Flow control through `stream`;
  # durability is announced through SendCallback.acked. A refused write fails
  # this call and every later one on this stream.
  write @0 (offset :UInt64, bytes :Data) -> stream;

  # All TS bytes were written; `crc32c` is the whole file's CRC-32C
  # (Castagnoli). Returns once every byte is durable and the CRC checked.
  done @1 (crc32c :UInt32) -> (fileId :Text);

  # Gives up the transfer (before it completes); receivers keep what they got.
  abort @2 (reason :Text);
}

struct Notification {
  fileId @0 :Text;
  sender @1 :UInt64;
  totalSize @2 :UInt64;
  mts @3 :UInt64;
  width @4 :UInt32;
  height @5 :UInt32;
  available @6 :UInt64;     # durable bytes when queued (>= mts); File.info for the current figure
  deliveredNs @7 :Int64;    # when the file was delivered (MTS durable), Unix time in ns; 0 = unknown
}

interface InboxListener {
  notify @0 (notification :Notification);
}

# Held by a client to keep a subscription alive; dropping it ends it.
interface Handle {}

struct FileInfo {
  fileId @0 :Text;
  sender @1 :UInt64;
  totalSize @2 :UInt64;
  mts @3 :UInt64;
  width @4 :UInt32;
  height @5 :UInt32;
  scanEnds @6 :List(UInt64);
  available @7 :UInt64;         # contiguous durable prefix when the info was taken
  completed @8 :Bool;
  aborted @9 :Bool;
}

interface File {
  info @0 () -> (info :FileInfo);

  # Up to `maxBytes` bytes from `offset`, of what is durable now.
  read @1 (offset :UInt64, maxBytes :UInt32) -> (bytes :Data, info :FileInfo);

  # Streams bytes from `from` to `listener` as they land, until the file is
  # complete (then `end`) or aborted (then `end` with aborted). Dropping
  # `handle` stops it.
  follow @2 (from :UInt64, listener :ByteListener) -> (handle :Handle);

  # A complete baseline JPEG of the durable prefix now (image::fill).
  filled @3 () -> (jpeg :Data, prefix :UInt64);
}

interface ByteListener {
  bytes @0 (offset :UInt64, data :Data) -> stream;
  end @1 (info :FileInfo);
}
