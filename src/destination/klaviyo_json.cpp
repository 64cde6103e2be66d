// Klaviyo's JSON for mapped records (see mapping.h): one event bulk create entry per Event, the
// profile attributes of a profile-import (or bulk import) per Profile. Absent fields are left out.
#include <algorithm>

#include "destination/mapping.h"

namespace sk::destination {

using nlohmann::json;

namespace {
void put(json& obj, const char* key, const std::string& v) {
  if (!v.empty()) obj[key] = v;
}

json location_json(const Location& l) {
  json loc = json::object();
  put(loc, "address1", l.address1);
  put(loc, "address2", l.address2);
  put(loc, "city", l.city);
  put(loc, "region", l.region);
  put(loc, "country", l.country);
  put(loc, "zip", l.zip);
  put(loc, "timezone", l.timezone);
  return loc;
}
}  // namespace

namespace {
// A JSON string. One that needs no escaping (no quote, backslash or control character: nearly all
// of them) is copied as it is; any other is escaped by nlohmann's serializer.
void quoted(std::string& out, const std::string& v) {
  const bool plain = std::all_of(v.begin(), v.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
  });
  if (!plain) {
    out += json(v).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  out += '"';
  out += v;
  out += '"';
}

// "key":"value" when the value is set, after a comma unless it is the object's first member.
void field(std::string& out, bool& first, const char* key, const std::string& v) {
  if (v.empty()) return;
  if (!first) out += ',';
  first = false;
  out += '"';
  out += key;
  out += "\":";
  quoted(out, v);
}
}  // namespace

// Written as text: the properties are JSON text already, and this runs once per event.
std::string event_bulk_entry(const Event& e) {
  std::string out;
  append_event_bulk_entry(e, out);
  return out;
}

void append_event_bulk_entry(const Event& e, std::string& out) {
  out += R"({"type":"event-bulk-create","attributes":{"profile":{"data":{"type":"profile","attributes":{)";
  bool first = true;
  field(out, first, "email", e.profile.email);
  field(out, first, "phone_number", e.profile.phone_number);
  field(out, first, "external_id", e.profile.external_id);
  field(out, first, "anonymous_id", e.profile.anonymous_id);
  out += R"(}}},"events":{"data":[{"type":"event","attributes":{"metric":{"data":{"type":"metric","attributes":{"name":)";
  quoted(out, e.metric_name);
  out += R"(}}},"properties":)";
  out += e.properties;
  first = false;
  field(out, first, "time", e.time);
  field(out, first, "unique_id", e.unique_id);
  if (e.value) out += ",\"value\":" + json(*e.value).dump();
  field(out, first, "value_currency", e.value_currency);
  out += "}}]}}}";
}

json profile_attributes(const Profile& p) {
  json a = json::object();
  put(a, "email", p.email);
  put(a, "phone_number", p.phone_number);
  put(a, "external_id", p.external_id);
  put(a, "first_name", p.first_name);
  put(a, "last_name", p.last_name);
  put(a, "organization", p.organization);
  put(a, "title", p.title);
  put(a, "image", p.image);
  put(a, "locale", p.locale);
  if (json loc = location_json(p.location); !loc.empty()) a["location"] = loc;
  if (p.properties.is_object() && !p.properties.empty()) a["properties"] = p.properties;
  return a;
}

}  // namespace sk::destination
