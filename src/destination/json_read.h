// Typed reads of JSON members for the whole destination, for both JSON libraries it meets:
// simdjson DOM elements (the input lines, the events path) and nlohmann::json (profiles, catalogs,
// STATEs, Klaviyo's answers). A member of the wrong type reads as absent.
// Thread-safe: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace sk::destination {

// obj[key] when obj is an object holding key, else nullptr / nullopt.
const nlohmann::json* member(const nlohmann::json& obj, std::string_view key);
std::optional<simdjson::dom::element> member(simdjson::dom::element obj, std::string_view key);
// obj[key] when it is a string, else "". The views point into the parsed document.
std::string text(const nlohmann::json& obj, std::string_view key);
std::string text(simdjson::dom::element obj, std::string_view key);
std::string_view text_view(simdjson::dom::element obj, std::string_view key);
std::string_view string_view_of(simdjson::dom::element v);  // v itself when it is a string, else ""
// An identifier: a string, or a whole number written in decimal; else "".
std::string id_text(const nlohmann::json& obj, std::string_view key);
std::string id_text(simdjson::dom::element obj, std::string_view key);
std::string id_value(simdjson::dom::element v);  // the same for a value in hand
// obj[key] when it is a JSON number (not a bool), else nullopt.
std::optional<double> number(simdjson::dom::element obj, std::string_view key);

}  // namespace sk::destination
