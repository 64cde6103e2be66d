// Klaviyo's JSON for mapped records (see mapping.h): one event bulk create entry per Event, the
// profile attributes of a profile-import (or bulk import) per Profile. Absent fields are left out.
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

json event_bulk_entry(const Event& e) {
  json profile = json::object();
  put(profile, "email", e.profile.email);
  put(profile, "phone_number", e.profile.phone_number);
  put(profile, "external_id", e.profile.external_id);
  put(profile, "anonymous_id", e.profile.anonymous_id);
  json event = {{"metric", {{"data", {{"type", "metric"}, {"attributes", {{"name", e.metric_name}}}}}}},
                {"properties", e.properties}};
  put(event, "time", e.time);
  put(event, "unique_id", e.unique_id);
  if (e.value) event["value"] = *e.value;
  put(event, "value_currency", e.value_currency);
  json attributes = {{"profile", {{"data", {{"type", "profile"}, {"attributes", profile}}}}},
                     {"events", {{"data", json::array({{{"type", "event"}, {"attributes", event}}})}}}};
  return {{"type", "event-bulk-create"}, {"attributes", attributes}};
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
