// Builders for the AirbyteMessage JSON shapes of protocol 0.18 (see
// third_party/airbyte-protocol/airbyte_protocol.json). Switches are exhaustive on purpose.
#include "core/protocol/messages.h"

namespace sk::protocol {

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::Fatal: return "FATAL";
    case LogLevel::Error: return "ERROR";
    case LogLevel::Warn: return "WARN";
    case LogLevel::Info: return "INFO";
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Trace: return "TRACE";
  }
  return "INFO";
}

const char* status_name(StreamStatus s) {
  switch (s) {
    case StreamStatus::Started: return "STARTED";
    case StreamStatus::Running: return "RUNNING";
    case StreamStatus::Complete: return "COMPLETE";
    case StreamStatus::Incomplete: return "INCOMPLETE";
  }
  return "INCOMPLETE";
}

const char* sync_mode_name(SyncMode m) {
  switch (m) {
    case SyncMode::FullRefresh: return "full_refresh";
    case SyncMode::Incremental: return "incremental";
  }
  return "full_refresh";
}

std::optional<SyncMode> parse_sync_mode(std::string_view s) {
  if (s == "full_refresh") return SyncMode::FullRefresh;
  if (s == "incremental") return SyncMode::Incremental;
  return std::nullopt;
}

json record_message(std::string_view stream, json data, std::int64_t emitted_at_ms) {
  return {{"type", "RECORD"},
          {"record", {{"stream", stream}, {"data", std::move(data)}, {"emitted_at", emitted_at_ms}}}};
}

json state_message(std::string_view stream, json stream_state, double record_count) {
  return {{"type", "STATE"},
          {"state",
           {{"type", "STREAM"},
            {"stream", {{"stream_descriptor", {{"name", stream}}}, {"stream_state", std::move(stream_state)}}},
            {"sourceStats", {{"recordCount", record_count}}}}}};
}

json log_message(LogLevel level, std::string message) {
  return {{"type", "LOG"}, {"log", {{"level", level_name(level)}, {"message", std::move(message)}}}};
}

json spec_message(json spec) { return {{"type", "SPEC"}, {"spec", std::move(spec)}}; }

json connection_status_message(bool succeeded, std::string message) {
  return {{"type", "CONNECTION_STATUS"},
          {"connectionStatus", {{"status", succeeded ? "SUCCEEDED" : "FAILED"}, {"message", std::move(message)}}}};
}

json catalog_message(json catalog) { return {{"type", "CATALOG"}, {"catalog", std::move(catalog)}}; }

json error_trace_message(const Failure& f, std::int64_t emitted_at_ms, std::optional<std::string> stream) {
  json error = {{"message", f.message}, {"failure_type", failure_type_name(f.type)}};
  if (!f.internal_message.empty()) error["internal_message"] = f.internal_message;
  if (stream) error["stream_descriptor"] = {{"name", *stream}};
  return {{"type", "TRACE"},
          {"trace", {{"type", "ERROR"}, {"emitted_at", static_cast<double>(emitted_at_ms)}, {"error", std::move(error)}}}};
}

json stream_status_message(std::string_view stream, StreamStatus status, std::int64_t emitted_at_ms) {
  return {{"type", "TRACE"},
          {"trace",
           {{"type", "STREAM_STATUS"},
            {"emitted_at", static_cast<double>(emitted_at_ms)},
            {"stream_status", {{"stream_descriptor", {{"name", stream}}}, {"status", status_name(status)}}}}}};
}

}  // namespace sk::protocol
