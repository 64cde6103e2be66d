#include "core/util/resources.h"

namespace sk::resources {

std::optional<std::string_view> find(std::string_view path) {
  for (std::size_t i = 0; i < kResourceCount; ++i) {
    if (path == kResources[i].path) return kResources[i].text;
  }
  return std::nullopt;
}

}  // namespace sk::resources
