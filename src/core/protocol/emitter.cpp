// Buffered, scrubbed, counted writer of AirbyteMessages (see emitter.h).
#include "core/protocol/emitter.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/util/buffers.h"

namespace sk::protocol {

namespace {
constexpr std::size_t kFlushBytes = 1 << 20;  // write stdout in ~1 MiB chunks
}

// Whoever reads stdout has gone (EPIPE, when SIGPIPE is ignored): nobody is left to tell, so the
// process ends at once and quietly. (With SIGPIPE at its default, the signal ends it the same way.)
void FileSink::write(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size() && errno == EPIPE) std::_Exit(141);
}
void FileSink::flush() {
  if (std::fflush(f_) != 0 && errno == EPIPE) std::_Exit(141);
}

Emitter::Emitter(Sink& sink, Clock& clock) : sink_(sink), clock_(clock) { buffer_.reserve(kFlushBytes + 4096); }

Emitter::~Emitter() { flush(); }

void Emitter::add_secret(std::string secret) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!secret.empty()) secrets_.push_back(std::move(secret));
}

std::int64_t Emitter::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count();
}

void Emitter::scrub(std::string& text) const {
  for (const auto& s : secrets_) {
    std::size_t from = 0;
    // memmem (two-way search) rather than std::string::find, which stops at every byte equal to
    // the secret's first one: this runs over every byte the connector prints.
    while (const void* hit = memmem(text.data() + from, text.size() - from, s.data(), s.size())) {
      const std::size_t pos = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
      text.replace(pos, s.size(), "****");
      from = pos + 4;
    }
  }
}

RecordBatch::RecordBatch(std::string_view stream, std::int64_t emitted_at)
    : stream_(stream), lines_(take_buffer()) {
  // Built by hand: the envelope is fixed and stream names are plain identifiers.
  prefix_.append(R"({"type":"RECORD","record":{"stream":")").append(stream).append(R"(","data":)");
  suffix_.append(R"(,"emitted_at":)").append(std::to_string(emitted_at)).append("}}\n");
}

RecordBatch::~RecordBatch() { give_back(std::move(lines_)); }

void RecordBatch::add_text(std::string_view leading_fields, std::string_view object) {
  lines_.append(prefix_).push_back('{');
  lines_.append(leading_fields);
  std::string_view rest = object.substr(1);  // after '{'
  const auto first = rest.find_first_not_of(" \t\r\n");
  if (!leading_fields.empty() && first != std::string_view::npos && rest[first] != '}') lines_.push_back(',');
  lines_.append(rest).append(suffix_);
  ++count_;
}

void RecordBatch::expect(std::size_t records, std::size_t record_bytes) {
  const std::size_t need = record_bytes + records * (prefix_.size() + suffix_.size() + 64);
  if (lines_.capacity() < lines_.size() + need) lines_.reserve(lines_.size() + need + need / 8);
}

void RecordBatch::add(const json& data) {
  lines_.append(prefix_).append(data.dump(-1, ' ', false, json::error_handler_t::replace)).append(suffix_);
  ++count_;
}

void Emitter::write(RecordBatch& batch) {
  if (batch.count_ == 0) return;
  scrub(batch.lines_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (buffer_.size() + batch.lines_.size() < kFlushBytes) {
      buffer_.append(batch.lines_);
    } else {  // a page's worth: written as it is, after what was buffered
      if (!buffer_.empty()) sink_.write(buffer_);
      buffer_.clear();
      sink_.write(batch.lines_);
    }
    auto it = since_state_.find(batch.stream_);
    if (it == since_state_.end()) it = since_state_.emplace(batch.stream_, 0).first;
    it->second += batch.count_;
    auto jt = total_.find(batch.stream_);
    if (jt == total_.end()) jt = total_.emplace(batch.stream_, 0).first;
    jt->second += batch.count_;
  }
  batch.lines_.clear();
  batch.count_ = 0;
}

void Emitter::write_line_locked(std::string line) {
  scrub(line);
  buffer_.append(line);
  buffer_.push_back('\n');
  if (buffer_.size() >= kFlushBytes) {
    sink_.write(buffer_);
    buffer_.clear();
  }
}

void Emitter::record(std::string_view stream, const json& data) {
  RecordBatch one(stream, now_ms());
  one.add(data);
  write(one);
}

void Emitter::record_text(std::string_view stream, std::string_view leading_fields, std::string_view object) {
  RecordBatch one(stream, now_ms());
  one.add_text(leading_fields, object);
  write(one);
}

void Emitter::state(std::string_view stream, json stream_state) {
  std::lock_guard<std::mutex> lock(mu_);
  double count = 0;
  if (auto it = since_state_.find(stream); it != since_state_.end()) {
    count = static_cast<double>(it->second);
    it->second = 0;
  }
  write_line_locked(state_message(stream, std::move(stream_state), count).dump());
  flush_locked();  // a checkpoint goes out promptly, after the records it covers
}

void Emitter::message(const json& message) {
  std::lock_guard<std::mutex> lock(mu_);
  write_line_locked(message.dump(-1, ' ', false, json::error_handler_t::replace));
  flush_locked();
}

void Emitter::log(LogLevel level, std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  write_line_locked(log_message(level, std::move(message)).dump(-1, ' ', false, json::error_handler_t::replace));
}

void Emitter::spec(json spec) {
  std::lock_guard<std::mutex> lock(mu_);
  write_line_locked(spec_message(std::move(spec)).dump());
}

void Emitter::catalog(json catalog) {
  std::lock_guard<std::mutex> lock(mu_);
  write_line_locked(catalog_message(std::move(catalog)).dump());
}

void Emitter::connection_status(bool succeeded, std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  write_line_locked(connection_status_message(succeeded, std::move(message))
                        .dump(-1, ' ', false, json::error_handler_t::replace));
}

void Emitter::error(const Failure& failure, std::optional<std::string> stream) {
  std::lock_guard<std::mutex> lock(mu_);
  write_line_locked(error_trace_message(failure, now_ms(), std::move(stream))
                        .dump(-1, ' ', false, json::error_handler_t::replace));
}

void Emitter::stream_status(std::string_view stream, StreamStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  write_line_locked(stream_status_message(stream, status, now_ms()).dump());
}

void Emitter::flush() {
  std::lock_guard<std::mutex> lock(mu_);
  flush_locked();
}

void Emitter::flush_locked() {
  if (!buffer_.empty()) sink_.write(buffer_);
  buffer_.clear();
  sink_.flush();
}

std::uint64_t Emitter::records_emitted(std::string_view stream) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = total_.find(stream);
  return it == total_.end() ? 0 : it->second;
}

std::function<void(std::string_view, const std::string&)> log_to(Emitter& out) {
  return [&out](std::string_view level, const std::string& msg) {
    LogLevel l = LogLevel::Info;
    if (level == "WARN") l = LogLevel::Warn;
    else if (level == "ERROR") l = LogLevel::Error;
    else if (level == "DEBUG") l = LogLevel::Debug;
    out.log(l, msg);
  };
}

}  // namespace sk::protocol
