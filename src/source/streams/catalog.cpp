// Configured catalog validation and the discovered catalog (see catalog.h).
#include "source/streams/catalog.h"

#include <set>

#include "core/util/error.h"
#include "core/util/resources.h"

namespace sk::streams {

using nlohmann::json;

std::vector<ConfiguredStream> parse_configured_catalog(const json& doc) {
  if (!doc.is_object() || !doc.contains("streams") || !doc["streams"].is_array())
    throw config_error("The catalog must be a ConfiguredAirbyteCatalog: an object with a 'streams' array.");
  std::vector<ConfiguredStream> out;
  std::set<std::string> seen;
  for (const auto& cs : doc["streams"]) {
    if (!cs.is_object() || !cs.contains("stream") || !cs["stream"].is_object() || !cs["stream"].contains("name") ||
        !cs["stream"]["name"].is_string())
      throw config_error("The catalog has an entry without stream.name.");
    std::string name = cs["stream"]["name"].get<std::string>();
    const StreamSpec* spec = find_stream(name);
    if (!spec)
      throw config_error("The catalog names a stream this source does not have: '" + name +
                         "'. Run discover again and select streams from its catalog.");
    if (!seen.insert(name).second) throw config_error("The catalog lists stream '" + name + "' twice.");
    std::string mode_text = "full_refresh";
    if (auto m = cs.find("sync_mode"); m != cs.end() && !m->is_null()) {
      if (!m->is_string()) throw config_error("Stream '" + name + "' has a sync_mode that is not a string.");
      mode_text = m->get<std::string>();
    }
    auto mode = protocol::parse_sync_mode(mode_text);
    if (!mode)
      throw config_error("Stream '" + name + "' has sync_mode '" + mode_text +
                         "'; use 'full_refresh' or 'incremental'.");
    if (*mode == protocol::SyncMode::Incremental && !spec->incremental())
      throw config_error("Stream '" + name + "' supports only full_refresh, but the catalog asks for incremental.");
    out.push_back({spec, *mode});
  }
  return out;
}

namespace {
// "list_id,profile_id" -> [["list_id"],["profile_id"]]
json primary_key(const StreamSpec& s) {
  json out = json::array();
  std::string_view rest = s.primary_key;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    out.push_back(json::array({std::string(rest.substr(0, comma))}));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}
}  // namespace

json discover_catalog() {
  json streams = json::array();
  for (const auto& s : all_streams()) {
    auto text = resources::find("schemas/" + std::string(s.name) + ".json");
    if (!text) throw system_error("Internal error: no schema compiled in for stream " + std::string(s.name));
    json entry = {{"name", s.name},
                  {"json_schema", json::parse(*text)},
                  {"source_defined_primary_key", primary_key(s)}};
    if (s.incremental()) {
      entry["supported_sync_modes"] = {"full_refresh", "incremental"};
      entry["source_defined_cursor"] = true;
      entry["default_cursor_field"] = json::array({s.cursor_field});
      entry["is_resumable"] = true;
    } else {
      entry["supported_sync_modes"] = {"full_refresh"};
      entry["source_defined_cursor"] = false;
      entry["is_resumable"] = false;
    }
    streams.push_back(std::move(entry));
  }
  return {{"streams", std::move(streams)}};
}

}  // namespace sk::streams
