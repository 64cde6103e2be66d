// Configured catalog parsing (see catalog.h).
#include "destination/catalog.h"

#include "core/config/fields.h"
#include "core/util/error.h"
#include "destination/json_read.h"

namespace sk::destination {

std::string stream_key(std::string_view stream, std::string_view ns) {
  if (ns.empty()) return std::string(stream);
  std::string key(ns);
  key += '\x1f';
  key += stream;
  return key;
}

namespace {

// One configured stream: its key and kind. Throws SourceError(Config).
std::pair<std::string, ObjectKind> configured(const nlohmann::json& s, std::size_t i) {
  const std::string where = "Configured catalog stream #" + std::to_string(i + 1);
  if (!s.is_object() || !s.contains("stream") || !s["stream"].is_object())
    throw config_error(where + " must be an object with a 'stream' object.");
  const std::string name = text(s["stream"], "name");
  if (name.empty()) throw config_error(where + " has no stream name.");
  const std::string object = text(s, "destination_object_name");
  auto kind = object_kind(object);
  if (!kind)
    throw config_error("Stream '" + name + "' has destination_object_name '" + object +
                       "'; this destination writes 'event' or 'profile' (or, with none, Segment tracking messages).");
  const std::string mode = text(s, "destination_sync_mode");
  if (!mode.empty() && mode != "append" && mode != "append_dedup")
    throw config_error("Stream '" + name + "' asks for destination_sync_mode '" + mode +
                       "'; Klaviyo cannot truncate or delete events, so this destination supports append and "
                       "append_dedup only.");
  return {stream_key(name, text(s["stream"], "namespace")), *kind};
}

}  // namespace

Catalog Catalog::parse(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("streams") || !j["streams"].is_array())
    throw config_error("The configured catalog must be a JSON object with a 'streams' array.");
  Catalog c;
  const auto& streams = j["streams"];
  for (std::size_t i = 0; i < streams.size(); ++i) c.streams_.insert(configured(streams[i], i));
  return c;
}

Catalog Catalog::load(const std::string& path) { return parse(config::read_json_file(path, "catalog")); }

std::optional<ObjectKind> Catalog::kind(std::string_view stream, std::string_view ns) const {
  auto it = streams_.find(stream_key(stream, ns));
  if (it == streams_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sk::destination
