// Airbyte protocol 0.18 message types this source emits, and their JSON. Only the emitter
// (protocol/emitter.h) prints them. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace sk::protocol {

using nlohmann::json;

enum class LogLevel { Fatal, Error, Warn, Info, Debug, Trace };
enum class StreamStatus { Started, Running, Complete, Incomplete };
enum class SyncMode { FullRefresh, Incremental };

const char* level_name(LogLevel l);
const char* status_name(StreamStatus s);
const char* sync_mode_name(SyncMode m);
std::optional<SyncMode> parse_sync_mode(std::string_view s);

// Each returns one AirbyteMessage as a JSON object.
json record_message(std::string_view stream, json data, std::int64_t emitted_at_ms);
json state_message(std::string_view stream, json stream_state, double record_count);
json log_message(LogLevel level, std::string message);
json spec_message(json spec);
json connection_status_message(bool succeeded, std::string message);
json catalog_message(json catalog);
json error_trace_message(const Failure& f, std::int64_t emitted_at_ms,
                         std::optional<std::string> stream = std::nullopt);
json stream_status_message(std::string_view stream, StreamStatus status, std::int64_t emitted_at_ms);

}  // namespace sk::protocol
