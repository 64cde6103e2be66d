// resources/write_checks.cpp — validation helpers of the write endpoints: JSON:API error lists,
// body size (413) and parse (400) checks, resource objects, email / E.164 phone rules, profile
// attributes.
#include "write_checks.h"

#include <httplib.h>

#include <atomic>

#include "../util.h"

namespace sim {

void WriteErrors::add(const std::string& pointer, const std::string& detail, const std::string& code,
                      const std::string& title) {
  static std::atomic<uint64_t> ctr{1};
  uint64_t n = ctr.fetch_add(1);
  json err = {{"id", uuid_from(hash(91, n), hash(92, n))}, {"status", 400}, {"code", code},
              {"title", title}, {"detail", detail}};
  if (!pointer.empty()) err["source"] = {{"pointer", pointer}};
  list.push_back(std::move(err));
}

void WriteErrors::fail(Ctx& c) const {
  c.status = 400;
  c.body = json{{"errors", list}}.dump();
}

std::optional<json> parse_write_body(Ctx& c, size_t max_bytes) {
  if (c.req.body.size() > max_bytes) {
    c.status = 413;
    c.body = error_body(413, "request_too_large", "Request entity too large.",
                        "The request body must not exceed " + std::to_string(max_bytes / (1024 * 1024)) + " MB.");
    return std::nullopt;
  }
  json b = json::parse(c.req.body, nullptr, false);
  if (b.is_discarded() || !b.is_object()) {
    c.status = 400;
    c.body = error_body(400, "parse_error", "Malformed request.",
                        b.is_discarded() ? "JSON parse error: the request body is not valid JSON."
                                         : "The request body must be a JSON object.");
    return std::nullopt;
  }
  return b;
}

const json* resource_attributes(const json& obj, const std::string& type, const std::string& ptr, WriteErrors& e) {
  if (!obj.is_object()) {
    e.add(ptr, "Must be a resource object of type '" + type + "'.");
    return nullptr;
  }
  auto t = obj.find("type");
  if (t == obj.end() || !t->is_string() || *t != type) {
    e.add(ptr + "/type", "Expected type '" + type + "'.");
    return nullptr;
  }
  auto a = obj.find("attributes");
  if (a == obj.end() || !a->is_object()) {
    e.add(ptr + "/attributes", "This field is required and must be an object.");
    return nullptr;
  }
  return &*a;
}

const json* typed_attributes(const json* wrapper, const std::string& type, const std::string& ptr, WriteErrors& e) {
  if (!wrapper || !wrapper->is_object() || !wrapper->contains("data")) {
    e.add(ptr.empty() ? "/data" : ptr, "This field is required.");
    return nullptr;
  }
  return resource_attributes((*wrapper)["data"], type, ptr + "/data", e);
}

const json* array_member(const json& obj, const std::string& key, const std::string& ptr, WriteErrors& e) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) {
    e.add(ptr + "/" + key, "This field is required and must be an array.");
    return nullptr;
  }
  return &*it;
}

bool valid_email(const std::string& s) {
  for (unsigned char ch : s)
    if (ch <= ' ' || ch == 0x7f) return false;
  auto at = s.rfind('@');
  if (at == std::string::npos || at == 0 || s.find('@') != at) return false;
  std::string domain = s.substr(at + 1);
  auto dot = domain.rfind('.');
  return dot != std::string::npos && dot > 0 && dot + 1 < domain.size() && domain.find("..") == std::string::npos;
}

bool valid_phone(const std::string& s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  for (size_t i = 1; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

void check_profile(const json& a, const std::string& ptr, WriteErrors& e) {
  int ids = 0;
  for (const char* f : WrittenStore::kIdNames) {
    auto it = a.find(f);
    if (it == a.end() || it->is_null()) continue;
    if (!it->is_string()) {
      e.add(ptr + "/" + f, "Must be a string.");
      continue;
    }
    const std::string& v = it->get_ref<const std::string&>();
    ids += !v.empty();
    if (std::string_view(f) == "email" && !valid_email(v))
      e.add(ptr + "/email", "Invalid email address: '" + v + "'.");
    if (std::string_view(f) == "phone_number" && !valid_phone(v))
      e.add(ptr + "/phone_number",
            "Invalid phone number format (Example of a valid phone number format: +12345678901)");
  }
  if (ids == 0)
    e.add(ptr, "A profile requires at least one of email, phone_number, external_id or anonymous_id.");
  for (const char* f : {"first_name", "last_name", "organization", "title", "image", "locale"}) {
    auto it = a.find(f);
    if (it != a.end() && !it->is_null() && !it->is_string()) e.add(ptr + "/" + f, "Must be a string.");
  }
  for (const char* f : {"location", "properties"}) {
    auto it = a.find(f);
    if (it != a.end() && !it->is_null() && !it->is_object()) e.add(ptr + "/" + f, "Must be an object.");
  }
}

std::string profile_identity(const json& a) {
  for (const char* f : WrittenStore::kIdNames) {
    auto it = a.find(f);
    if (it != a.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
      return std::string(f) + ":" + it->get<std::string>();
  }
  return "";
}

}  // namespace sim
