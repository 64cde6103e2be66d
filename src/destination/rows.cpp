// Data-activation rows (streams with destination_object_name "event" or "profile"; see
// mapping.h): the fields are already named as in the operation's schema.
#include "destination/mapping.h"
#include "destination/mapping_parts.h"

namespace sk::destination {

using nlohmann::json;
using namespace parts;

namespace {
// Whether obj[key] is absent, null or an object (anything else cannot be mapped).
bool object_or_absent(const json& obj, std::string_view key) {
  const json* v = member(obj, key);
  return !v || v->is_null() || v->is_object();
}
bool object_or_absent(simdjson::dom::element obj, std::string_view key) {
  auto v = member(obj, key);
  return !v || v->is_null() || v->is_object();
}
}  // namespace

// metric_name, email, phone_number, external_id, anonymous_id, time, unique_id, value, value_currency,
// properties.
Mapped map_event_row(const RecordIn& in, const Options& options, SysTime now) {
  const simdjson::dom::element d = in.data;
  if (!object_or_absent(d, "properties")) return Rejected{"properties is not a JSON object", who(d, in.line)};
  Event e;
  e.metric_name = text(d, "metric_name");
  if (auto props = member(d, "properties"); props && props->is_object()) e.properties = simdjson::minify(*props);
  e.time = text(d, "time");
  e.unique_id = id_text(d, "unique_id");
  if (e.unique_id.empty()) e.unique_id = stable_unique_id(in.stream, d);
  e.value = number(d, "value");
  e.value_currency = text(d, "value_currency");
  e.profile.email = text(d, "email");
  e.profile.phone_number = e164_phone(text(d, "phone_number"));
  e.profile.external_id = id_text(d, "external_id");
  e.profile.anonymous_id = id_text(d, "anonymous_id");
  return finish_event(std::move(e), options, now, in);
}

// email, phone_number, external_id, first_name, last_name, organization, title, image, locale,
// location {address1, address2, city, region, country, zip, timezone}, properties.
Mapped map_profile_row(const json& d, const std::string& who) {
  if (!object_or_absent(d, "properties")) return Rejected{"properties is not a JSON object", who};
  if (!object_or_absent(d, "location")) return Rejected{"location is not a JSON object", who};
  Profile p;
  for (const auto& [key, v] : d.items()) {
    if (auto field = profile_field(key, false); field && v.is_string()) p.*field = v.get<std::string>();
  }
  p.external_id = id_text(d, "external_id");
  p.phone_number = e164_phone(text(d, "phone_number"));
  if (const json* loc = member(d, "location"); loc && loc->is_object()) {
    for (const auto& [key, v] : loc->items()) {
      if (auto field = location_field(key, false); field && v.is_string()) p.location.*field = v.get<std::string>();
    }
  }
  if (const json* props = member(d, "properties"); props && props->is_object()) p.properties = *props;
  if (p.email.empty() && p.phone_number.empty() && p.external_id.empty())
    return Skipped{"profile without email, phone or external_id", who};
  return p;
}

}  // namespace sk::destination
