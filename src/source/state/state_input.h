// The --state file, in every shape a platform passes it:
//   [{"type":"STREAM","stream":{"stream_descriptor":{"name":"events"},"stream_state":{...}}}, ...]
//   [{"type":"GLOBAL","global":{"stream_states":[{"stream_descriptor":...,"stream_state":...}]}}]
//   {"events": {...}, "profiles": {...}}        (legacy: one dict keyed by stream name)
//   [] or {}                                     (nothing saved)
// Thread-safe: pure function.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace sk::state {

// Stream name -> saved stream_state. Throws SourceError(Config) on a shape it cannot read.
std::map<std::string, nlohmann::json> parse_state_input(const nlohmann::json& doc);

}  // namespace sk::state
