// Parsing of the --state file (see state_input.h).
#include "source/state/state_input.h"

#include "core/util/error.h"

namespace sk::state {

using nlohmann::json;

namespace {

void add_stream_state(const json& s, std::map<std::string, json>& out) {
  if (!s.is_object()) throw config_error("The state file has a stream entry that is not an object.");
  auto desc = s.find("stream_descriptor");
  if (desc == s.end() || !desc->is_object() || !desc->contains("name") || !(*desc)["name"].is_string())
    throw config_error("The state file has a stream state without stream_descriptor.name.");
  auto st = s.find("stream_state");
  if (st == s.end() || st->is_null()) return;  // null state: start this stream from scratch
  if (!st->is_object())
    throw config_error("The state of stream '" + (*desc)["name"].get<std::string>() + "' is not a JSON object.");
  out[(*desc)["name"].get<std::string>()] = *st;
}

}  // namespace

std::map<std::string, json> parse_state_input(const json& doc) {
  std::map<std::string, json> out;
  if (doc.is_null()) return out;
  if (doc.is_object()) {  // legacy dict, or a single state message
    if (doc.contains("type") && (doc.contains("stream") || doc.contains("global"))) return parse_state_input(json::array({doc}));
    for (const auto& [name, st] : doc.items())
      if (st.is_object()) out[name] = st;
    return out;
  }
  if (!doc.is_array()) throw config_error("The state file must hold a JSON array of state messages.");
  for (const auto& msg : doc) {
    if (!msg.is_object()) throw config_error("The state file holds an entry that is not a state message object.");
    std::string type;
    if (auto t = msg.find("type"); t != msg.end() && !t->is_null()) {
      if (!t->is_string()) throw config_error("The state file holds a message whose type is not a string.");
      type = t->get<std::string>();
    }
    if (msg.contains("stream") && (type.empty() || type == "STREAM")) {
      add_stream_state(msg["stream"], out);
    } else if (msg.contains("global") && (type.empty() || type == "GLOBAL")) {
      const json& g = msg["global"];
      if (!g.is_object() || !g.contains("stream_states") || !g["stream_states"].is_array())
        throw config_error("The state file has a GLOBAL state without stream_states.");
      for (const auto& s : g["stream_states"]) add_stream_state(s, out);
    } else if (msg.contains("data") && msg["data"].is_object()) {
      for (const auto& [name, st] : msg["data"].items())
        if (st.is_object()) out[name] = st;
    } else {
      throw config_error("The state file holds a message of unknown type '" + type +
                         "': expected STREAM or GLOBAL state messages.");
    }
  }
  return out;
}

}  // namespace sk::state
