// Files compiled into a connector (its spec/spec.json, schemas/<stream>.json), keyed by their path in
// the repository. Each connector's library links the table cmake/embed.cmake generates for it;
// find() is inline so that the core library needs no table of its own. Thread-safe: read-only data.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sk::resources {

struct Resource {
  const char* path;
  std::string_view text;
};

extern const Resource kResources[];
extern const std::size_t kResourceCount;

// The text of the resource at `path` (e.g. "schemas/events.json"), or nullopt.
inline std::optional<std::string_view> find(std::string_view path) {
  for (std::size_t i = 0; i < kResourceCount; ++i)
    if (path == kResources[i].path) return kResources[i].text;
  return std::nullopt;
}

}  // namespace sk::resources
