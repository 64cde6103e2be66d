// Segment-spec tracking messages (streams without destination_object_name; see mapping.h):
// track -> Event, identify -> Profile, page/screen/group/alias -> Skipped, anything else Rejected.
#include "destination/mapping.h"
#include "destination/mapping_parts.h"

namespace sk::destination {

using nlohmann::json;
using namespace parts;

namespace {

using simdjson::dom::element;

// A track call's members, found in one pass over the message (this is the hot path: a lookup per
// field scanned the keys again each time).
struct Track {
  std::string_view event, timestamp, original_timestamp, anonymous_id;
  std::optional<element> properties, context_traits, traits, message_id, user_id;
};

Track read_track(element data) {
  Track t;
  simdjson::dom::object obj;
  if (data.get_object().get(obj)) return t;  // never: map_record checked it is an object
  for (auto [key, value] : obj) {
    if (key == "event") t.event = string_view_of(value);
    else if (key == "properties") t.properties = value;
    else if (key == "timestamp") t.timestamp = string_view_of(value);
    else if (key == "originalTimestamp") t.original_timestamp = string_view_of(value);
    else if (key == "messageId") t.message_id = value;
    else if (key == "userId") t.user_id = value;
    else if (key == "anonymousId") t.anonymous_id = string_view_of(value);
    else if (key == "traits") t.traits = value;
    else if (key == "context") t.context_traits = member(value, "traits");
  }
  return t;
}

// The first non-empty key among properties, context.traits and traits.
std::string from_track(const Track& t, std::string_view key) {
  for (const auto* s : {&t.properties, &t.context_traits, &t.traits}) {
    std::string v = *s ? text(**s, key) : "";
    if (!v.empty()) return v;
  }
  return "";
}

Mapped map_track(const RecordIn& in, const Options& options, SysTime now) {
  const Track t = read_track(in.data);
  if (t.properties && !t.properties->is_null() && !t.properties->is_object())
    return Rejected{"properties is not a JSON object", who(in.data, in.line)};
  Event e;
  e.metric_name = t.event;
  if (t.properties && t.properties->is_object()) {
    e.properties = simdjson::minify(*t.properties);
    for (const char* key : {"value", "revenue", "total"}) {
      e.value = number(*t.properties, key);
      if (e.value) break;
    }
    e.value_currency = text(*t.properties, "currency");
  }
  e.time = t.timestamp.empty() ? t.original_timestamp : t.timestamp;
  e.unique_id = t.message_id ? id_value(*t.message_id) : "";
  if (e.unique_id.empty()) e.unique_id = stable_unique_id(in.stream, in.data);
  e.profile.email = from_track(t, "email");
  e.profile.phone_number = e164_phone(from_track(t, "phone"));
  e.profile.external_id = t.user_id ? id_value(*t.user_id) : "";
  e.profile.anonymous_id = t.anonymous_id;
  return finish_event(std::move(e), options, now, in);
}

// Segment's address trait: street/city/state/postalCode/country (and Klaviyo's own names).
void take_address(const json& address, Location& loc) {
  for (const auto& [key, v] : address.items()) {
    auto field = location_field(key, true);
    if (field && v.is_string()) loc.*field = v.get<std::string>();
  }
}

}  // namespace

Mapped map_identify(const json& d, const std::string& who) {
  const json* traits = member(d, "traits");
  if (traits && !traits->is_null() && !traits->is_object()) return Rejected{"traits is not a JSON object", who};
  Profile p;
  p.external_id = id_text(d, "userId");
  if (traits && traits->is_object()) {
    for (const auto& [key, v] : traits->items()) {
      auto field = profile_field(key, true);
      auto loc_field = location_field(key, false);
      if (key == "phone" && v.is_string()) {
        p.phone_number = e164_phone(v.get<std::string>());
      } else if (key == "address" && v.is_object()) {
        take_address(v, p.location);
      } else if (field && v.is_string() && field != &Profile::external_id) {
        p.*field = v.get<std::string>();
      } else if (loc_field == &Location::timezone && v.is_string()) {
        p.location.timezone = v.get<std::string>();
      } else {
        p.properties[key] = v;
      }
    }
  }
  if (p.email.empty() && p.phone_number.empty() && p.external_id.empty())
    return Skipped{"identify without email, phone or userId", who};
  return p;
}

Mapped map_tracking(const RecordIn& in, const Options& options, SysTime now) {
  std::string type = text(in.data, "type");
  if (type == "track") return map_track(in, options, now);
  if (type == "identify") return map_identify(to_nlohmann(in.data), who(in.data, in.line));
  if (type == "page" || type == "screen") return Skipped{type + " calls are never sent", who(in.data, in.line)};
  if (type == "group" || type == "alias") return Skipped{type + " calls are not sent", who(in.data, in.line)};
  if (type.empty()) return Rejected{"no message type", who(in.data, in.line)};
  return Rejected{"unknown message type '" + type + "'", who(in.data, in.line)};
}

}  // namespace sk::destination
