// Buffered, scrubbed, counted writer of AirbyteMessages (see emitter.h).
#include "protocol/emitter.h"

#include <cerrno>
#include <cstdlib>

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

void Emitter::scrub(std::string& line) const {
  for (const auto& s : secrets_) {
    for (auto pos = line.find(s); pos != std::string::npos; pos = line.find(s, pos + 4)) line.replace(pos, s.size(), "****");
  }
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
  // Built by hand: the envelope is fixed and stream names are plain identifiers.
  std::string line;
  std::string body = data.dump(-1, ' ', false, json::error_handler_t::replace);
  line.reserve(body.size() + stream.size() + 64);
  line.append(R"({"type":"RECORD","record":{"stream":")").append(stream).append(R"(","data":)");
  line.append(body).append(R"(,"emitted_at":)").append(std::to_string(now_ms())).append("}}");
  std::lock_guard<std::mutex> lock(mu_);
  counted_record_locked(std::move(line), stream);
}

void Emitter::record_text(std::string_view stream, std::string_view leading_fields, std::string_view object) {
  std::string line;
  line.reserve(object.size() + leading_fields.size() + stream.size() + 64);
  line.append(R"({"type":"RECORD","record":{"stream":")").append(stream).append(R"(","data":{)");
  line.append(leading_fields);
  std::string_view rest = object.substr(1);  // after '{'
  if (!leading_fields.empty() && rest.front() != '}') line.push_back(',');
  line.append(rest).append(R"(,"emitted_at":)").append(std::to_string(now_ms())).append("}}");
  std::lock_guard<std::mutex> lock(mu_);
  counted_record_locked(std::move(line), stream);
}

void Emitter::counted_record_locked(std::string line, std::string_view stream) {
  write_line_locked(std::move(line));
  auto it = since_state_.find(stream);
  if (it == since_state_.end()) it = since_state_.emplace(std::string(stream), 0).first;
  ++it->second;
  auto jt = total_.find(stream);
  if (jt == total_.end()) jt = total_.emplace(std::string(stream), 0).first;
  ++jt->second;
}

void Emitter::state(std::string_view stream, json stream_state) {
  std::lock_guard<std::mutex> lock(mu_);
  double count = 0;
  if (auto it = since_state_.find(stream); it != since_state_.end()) {
    count = static_cast<double>(it->second);
    it->second = 0;
  }
  write_line_locked(state_message(stream, std::move(stream_state), count).dump());
  sink_.write(buffer_);  // a checkpoint goes out promptly, after the records it covers
  buffer_.clear();
  sink_.flush();
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
