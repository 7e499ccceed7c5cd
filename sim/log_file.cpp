#include "sim/log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <functional>

#include <capnp/message.h>
#include <capnp/serialize-packed.h>
#include <kj/io.h>

#include "schema/events.capnp.h"
#include "sim/event_view.hpp"
#include "sim/log_file.capnp.h"

namespace glimpse::sim {
namespace {

std::string errno_text() { return std::strerror(errno); }

capnp::ReaderOptions reader_options() {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = uint64_t(1) << 33;  // chunks may be many MiB
  return o;
}

void fill_record(file::LogRecord::Builder b, const LogRecord& r) {
  b.setStreamKind(static_cast<uint8_t>(r.stream.kind));
  b.setStreamId(r.stream.id);
  b.setSeq(r.seq);
  b.setTimeNs(r.time_ns);
  b.setEvent(kj::arrayPtr(reinterpret_cast<const capnp::byte*>(r.event.data()), r.event.size()));
  auto chunks = b.initChunks(static_cast<unsigned>(r.chunks.size()));
  for (size_t i = 0; i < r.chunks.size(); ++i) {
    chunks[i].setOffset(r.chunks[i].offset);
    const util::SharedBytes& bytes = r.chunks[i].bytes;
    chunks[i].setBytes(
        kj::arrayPtr(reinterpret_cast<const capnp::byte*>(bytes.data()), bytes.size()));
  }
}

}  // namespace

namespace {

// Writes the header, then whatever `records` emits, to `path` through a
// temporary file and a rename. `records` returns false (with *error set) to
// abandon the file.
using Emit = std::function<void(const LogRecord&)>;
bool write_with(const std::string& target, const LogFileHeader& header,
                const std::function<bool(const Emit&, std::string*)>& records, std::string* error) {
  std::string path = target;
  if (struct stat st {}; ::stat(target.c_str(), &st) == 0) {
    // Never replace a device or FIFO (/dev/null) with a file.
    if (!S_ISREG(st.st_mode)) {
      *error = "cannot write " + target + ": not a regular file (a log file is written whole)";
      return false;
    }
    if (char* real = ::realpath(target.c_str(), nullptr)) {  // a symlink: its file
      path = real;
      std::free(real);
    }
  }
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot create " + tmp + ": " + errno_text();
    return false;
  }
  kj::AutoCloseFd owned(fd);
  bool produced = false;
  try {
    kj::FdOutputStream raw(fd);
    kj::BufferedOutputStreamWrapper out(raw);
    {
      capnp::MallocMessageBuilder m;
      auto h = m.initRoot<file::LogFileHeader>();
      h.setMagic(file::LOG_FILE_MAGIC);
      h.setFormatVersion(header.format_version);
      h.setSource(header.source);
      h.setTransferId(header.transfer_id);
      h.setEventSchemaVersion(header.event_schema_version);
      h.setExportedAtNs(header.exported_at_ns);
      capnp::writePackedMessage(out, m);
    }
    produced = records(
        [&](const LogRecord& r) {
          capnp::MallocMessageBuilder m;
          fill_record(m.initRoot<file::LogRecord>(), r);
          capnp::writePackedMessage(out, m);
        },
        error);
    if (produced) out.flush();
  } catch (const kj::Exception& e) {
    *error = "cannot write " + tmp + ": " + e.getDescription().cStr();
  }
  if (!produced) {
    ::unlink(tmp.c_str());
    return false;
  }
  if (::fsync(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot write " + path + ": " + errno_text();
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

bool write_log_file(const std::string& path, const LogFileHeader& header,
                    const std::vector<LogRecord>& records, std::string* error) {
  return write_with(
      path, header,
      [&](const Emit& emit, std::string*) {
        for (const LogRecord& r : records) emit(r);
        return true;
      },
      error);
}

bool export_log(storage::EventLog& log, const std::vector<storage::StreamId>& streams,
                LogFileHeader header, const std::string& path, std::string* error) {
  header.format_version = file::LOG_FILE_VERSION;
  header.event_schema_version = schema::CURRENT_EVENT_VERSION;
  return write_with(
      path, header,
      [&](const Emit& emit, std::string* failure) {
        EventView view;
        for (const storage::StreamId& stream : streams) {
          failure->clear();
          storage::Status s = log.replay(stream, 0, [&](uint64_t seq, std::string_view bytes) {
            LogRecord r;
            r.stream = stream;
            r.seq = seq;
            r.event = std::string(bytes);
            std::string where = stream_name(stream) + " seq " + std::to_string(seq) + ": ";
            if (!view.parse(r.event, failure)) {
              *failure = where + *failure;
              return false;
            }
            auto ev = view.event();
            r.time_ns = ev.getTimeNs();
            if (ev.isChunkAppended() && stream.kind == storage::StreamKind::transfer) {
              auto c = ev.getChunkAppended();
              std::string bytes;
              storage::Status rs =
                  log.read_chunks(stream.id, c.getOffset(), c.getLength(), &bytes);
              if (!rs.ok()) {
                *failure = where + "chunk bytes unreadable: " + rs.to_string();
                return false;
              }
              r.chunks.push_back(storage::ChunkPut{c.getOffset(), std::move(bytes)});
            }
            emit(r);
            return true;
          });
          if (!s.ok()) *failure = "reading " + stream_name(stream) + ": " + s.to_string();
          if (!failure->empty()) return false;
        }
        return true;
      },
      error);
}

bool read_log_file(const std::string& path, LogFileHeader* header,
                   const std::function<bool(LogRecord&)>& fn, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open log file " + path + ": " + errno_text();
    return false;
  }
  kj::AutoCloseFd owned(fd);
  uint64_t index = 0;  // 0: header, then records from 1
  try {
    kj::FdInputStream raw(fd);
    kj::BufferedInputStreamWrapper in(raw);
    if (in.tryGetReadBuffer().size() == 0) {
      *error = path + " is empty, not a glimpse-sim log file";
      return false;
    }
    {
      capnp::PackedMessageReader m(in, reader_options());
      auto h = m.getRoot<file::LogFileHeader>();
      if (h.getMagic() != file::LOG_FILE_MAGIC) {
        *error = path +
                 " is not a glimpse-sim log file (no header; make one with "
                 "`glimpse-sim export`)";
        return false;
      }
      if (h.getFormatVersion() > file::LOG_FILE_VERSION) {
        *error = path + " has log-file format " + std::to_string(h.getFormatVersion()) +
                 ", newer than this glimpse-sim reads (" + std::to_string(file::LOG_FILE_VERSION) +
                 "); use a newer glimpse-sim";
        return false;
      }
      header->format_version = h.getFormatVersion();
      header->source = h.getSource();
      header->transfer_id = h.getTransferId();
      header->event_schema_version = h.getEventSchemaVersion();
      header->exported_at_ns = h.getExportedAtNs();
    }
    while (in.tryGetReadBuffer().size() > 0) {
      ++index;
      capnp::PackedMessageReader m(in, reader_options());
      auto rec = m.getRoot<file::LogRecord>();
      LogRecord r;
      r.stream.kind = static_cast<storage::StreamKind>(rec.getStreamKind());
      r.stream.id = rec.getStreamId();
      r.seq = rec.getSeq();
      r.time_ns = rec.getTimeNs();
      auto ev = rec.getEvent();
      r.event.assign(reinterpret_cast<const char*>(ev.begin()), ev.size());
      for (auto c : rec.getChunks()) {
        auto b = c.getBytes();
        r.chunks.push_back(
            {c.getOffset(), std::string(reinterpret_cast<const char*>(b.begin()), b.size())});
      }
      if (!fn(r)) break;
    }
  } catch (const kj::Exception& e) {
    *error = path + ": damaged at " +
             (index == 0 ? std::string("the header") : "record " + std::to_string(index)) + ": " +
             e.getDescription().cStr();
    return false;
  }
  return true;
}

bool load_log_file(const std::string& path, std::unique_ptr<storage::EventLog>* out,
                   LogFileHeader* header, std::string* error) {
  auto log = storage::new_memory_log();
  std::string failure;
  uint64_t index = 0;
  bool ok = read_log_file(
      path, header,
      [&](LogRecord& r) {
        ++index;
        storage::AppendRequest req;
        req.stream = r.stream;
        req.expected_seq = r.seq;
        req.events.push_back(std::move(r.event));
        req.chunks = std::move(r.chunks);
        storage::Status s = log->append_and_wait(std::move(req));
        if (!s.ok()) {
          failure = path + ": record " + std::to_string(index) + " (" + stream_name(r.stream) +
                    " seq " + std::to_string(r.seq) + "): " + s.to_string();
          return false;
        }
        return true;
      },
      error);
  if (!ok) return false;
  if (!failure.empty()) {
    *error = failure;
    return false;
  }
  *out = std::move(log);
  return true;
}

}  // namespace glimpse::sim
