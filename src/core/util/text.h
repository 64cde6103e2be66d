// Small text helpers shared by the layers. Thread-safe: pure functions.
#pragma once

#include <cctype>
#include <string_view>

namespace sk {

// `s` without leading and trailing whitespace (a view into `s`).
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace sk
