// resources/write_checks.h — validation shared by the write endpoints (write_checks.cpp): the
// JSON:API error list a request collects, body size/parse checks, resource objects, and the rules
// for a profile's identifiers (email, E.164 phone) and attributes. Not thread-safe state: every
// object here lives in one request.
#pragma once
#include <optional>
#include <string>

#include "../api.h"

namespace sim {

constexpr size_t kMaxWriteBody = 5 * 1024 * 1024;  // bytes: event bulk create, profile bulk import

// Errors collected over a whole request body (every bad field, not just the first).
struct WriteErrors {
  json list = json::array();
  void add(const std::string& pointer, const std::string& detail, const std::string& code = "invalid",
           const std::string& title = "Invalid input.");
  bool empty() const { return list.empty(); }
  // Sets c to 400 with the collected errors.
  void fail(Ctx& c) const;
};

// The request body as JSON; nullopt after setting 413 (over max_bytes) or 400 (not JSON).
std::optional<json> parse_write_body(Ctx& c, size_t max_bytes);

// wrapper = {"data": {"type": type, "attributes": {...}}} at JSON pointer `ptr` (wrapper may be
// null: missing). Returns the attributes object, or nullptr after adding an error.
const json* typed_attributes(const json* wrapper, const std::string& type, const std::string& ptr, WriteErrors& e);
// The same for a resource object itself ({"type", "attributes"}) at `ptr`.
const json* resource_attributes(const json& obj, const std::string& type, const std::string& ptr, WriteErrors& e);
// obj[key] as an array at ptr + "/" + key; nullptr after adding an error.
const json* array_member(const json& obj, const std::string& key, const std::string& ptr, WriteErrors& e);

bool valid_email(const std::string& s);
bool valid_phone(const std::string& s);  // E.164: '+', 8-15 digits, the first not 0
size_t utf8_length(const std::string& s);

// A profile's attributes at ptr: identifiers (strings or null; at least one non-empty), email and
// phone formats, names (strings or null), location and properties (objects or null).
void check_profile(const json& attrs, const std::string& ptr, WriteErrors& e);
// The profile's identity for the in-request duplicate rule: "email:…", else phone, external_id,
// anonymous_id; "" when none.
std::string profile_identity(const json& attrs);

}  // namespace sim
