// The configured catalog as the destination needs it: which streams to write and what each
// carries (Segment tracking messages, or flat "event" / "profile" rows: destination_object_name).
// Records of other streams are ignored. Thread-safe: read-only after parsing.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "destination/mapping.h"

namespace sk::destination {

class Catalog {
 public:
  // Throws SourceError(Config) for a catalog that is not an object with a "streams" array, a
  // stream without a name, an unknown destination_object_name or a sync mode other than append /
  // append_dedup.
  static Catalog parse(const nlohmann::json& j);
  static Catalog load(const std::string& path);
  // The kind of a configured stream; nullopt for a stream not in the catalog.
  std::optional<ObjectKind> kind(std::string_view stream, std::string_view ns = {}) const;
  std::size_t size() const { return streams_.size(); }

 private:
  std::map<std::string, ObjectKind, std::less<>> streams_;  // key(): namespace "\x1f" name
};

// The key streams are known by: the name, or namespace + '\x1f' + name.
std::string stream_key(std::string_view stream, std::string_view ns);

}  // namespace sk::destination
