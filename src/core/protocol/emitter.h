// The one object that writes stdout. Every AirbyteMessage the process prints goes through here, one
// JSON per line, in the order the calls were made. Records are buffered and written in large
// chunks; a STATE is written after every record emitted before it, so a state never gets ahead of
// its records. It counts records per stream since that stream's previous STATE (sourceStats), and
// replaces every registered secret (the API key) with "****" in everything it prints.
// Thread-safe: all methods lock one mutex.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/messages.h"
#include "core/util/clock.h"

namespace sk::protocol {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(std::string_view bytes) = 0;
  virtual void flush() = 0;
};

// Writes to a FILE* (stdout in the binary).
class FileSink final : public Sink {
 public:
  explicit FileSink(std::FILE* f) : f_(f) {}
  void write(std::string_view bytes) override;
  void flush() override;

 private:
  std::FILE* f_;
};

// Collects output in memory (tests).
class StringSink final : public Sink {
 public:
  void write(std::string_view bytes) override { out.append(bytes); }
  void flush() override {}
  std::string out;
};

// The records of one page, formatted by the reading thread and handed to the emitter at once (one
// lock, one copy). emitted_at is the batch's creation time. Its buffer comes from and goes back to
// the shared pool (util/buffers.h).
class RecordBatch {
 public:
  RecordBatch(std::string_view stream, std::int64_t emitted_at);
  ~RecordBatch();
  RecordBatch(const RecordBatch&) = delete;
  RecordBatch& operator=(const RecordBatch&) = delete;

  // A record given as JSON text: `object` is a JSON object, `leading_fields` zero or more
  // "key":value pairs (comma-separated, no braces) put before its own fields.
  void add_text(std::string_view leading_fields, std::string_view object);
  void add(const json& data);
  // Room for `records` records of `record_bytes` in all (plus their envelopes and an eighth more,
  // so the reused buffer fits the next, slightly larger page too) before they are added, rather
  // than growing by doubling while they are.
  void expect(std::size_t records, std::size_t record_bytes);
  std::size_t size() const { return count_; }
  const std::string& stream() const { return stream_; }

 private:
  friend class Emitter;
  std::string stream_, prefix_, suffix_, lines_;
  std::size_t count_ = 0;
};

class Emitter {
 public:
  Emitter(Sink& sink, Clock& clock);
  ~Emitter();

  // Strings that must never be printed (the API key). Empty strings are ignored. Called before
  // other threads use the emitter (batches are scrubbed outside the lock).
  void add_secret(std::string secret);

  // Writes the batch's records (scrubbed, counted) and empties it for reuse.
  void write(RecordBatch& batch);

  void record(std::string_view stream, const json& data);
  // A record given as JSON text: `object` is a JSON object, `leading_fields` is zero or more
  // "key":value pairs (comma-separated, no braces) inserted before its own fields.
  void record_text(std::string_view stream, std::string_view leading_fields, std::string_view object);
  void state(std::string_view stream, json stream_state);
  // Any AirbyteMessage as given (the destination's echoed STATEs, its DESTINATION_CATALOG),
  // written after everything before it and flushed at once.
  void message(const json& message);
  void log(LogLevel level, std::string message);
  void spec(json spec);
  void catalog(json catalog);
  void connection_status(bool succeeded, std::string message);
  void error(const Failure& failure, std::optional<std::string> stream = std::nullopt);
  void stream_status(std::string_view stream, StreamStatus status);
  void flush();

  // Records emitted for `stream` during this run.
  std::uint64_t records_emitted(std::string_view stream) const;
  std::int64_t now_ms() const;

 private:
  void write_line_locked(std::string line);
  void flush_locked();  // what is buffered goes to the sink now
  void scrub(std::string& text) const;

  Sink& sink_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::string buffer_;
  std::vector<std::string> secrets_;
  std::map<std::string, std::uint64_t, std::less<>> since_state_, total_;
};

// A logging callback (level "DEBUG" | "INFO" | "WARN" | "ERROR", message) that writes LOG messages
// through `out`: what http::Client and other lower layers are given instead of the emitter.
std::function<void(std::string_view, const std::string&)> log_to(Emitter& out);

}  // namespace sk::protocol
