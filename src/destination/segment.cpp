// Segment-spec tracking messages (streams without destination_object_name; see mapping.h):
// track -> Event, identify -> Profile, page/screen/group/alias -> Skipped, anything else Rejected.
#include "destination/mapping.h"
#include "destination/mapping_parts.h"

namespace sk::destination {

using nlohmann::json;
using namespace parts;

namespace {

// The first non-empty obj[key] among properties, context.traits and traits.
std::string from_track(const json& data, std::string_view key) {
  const json* context = member(data, "context");
  const json* sources[] = {member(data, "properties"), context ? member(*context, "traits") : nullptr,
                           member(data, "traits")};
  for (const json* s : sources) {
    std::string v = s ? text(*s, key) : "";
    if (!v.empty()) return v;
  }
  return "";
}

Mapped map_track(const RecordIn& in, const Options& options, SysTime now) {
  const json& d = in.data;
  const json* props = member(d, "properties");
  if (props && !props->is_null() && !props->is_object())
    return Rejected{"properties is not a JSON object", who(d, in.line)};
  Event e;
  e.metric_name = text(d, "event");
  if (props && props->is_object()) e.properties = *props;
  e.time = text(d, "timestamp");
  if (e.time.empty()) e.time = text(d, "originalTimestamp");
  e.unique_id = id_text(d, "messageId");
  if (e.unique_id.empty()) e.unique_id = stable_unique_id(in.stream, d);
  for (const char* key : {"value", "revenue", "total"}) {
    e.value = number(e.properties, key);
    if (e.value) break;
  }
  e.value_currency = text(e.properties, "currency");
  e.profile.email = from_track(d, "email");
  e.profile.phone_number = e164_phone(from_track(d, "phone"));
  e.profile.external_id = id_text(d, "userId");
  e.profile.anonymous_id = text(d, "anonymousId");
  return finish_event(std::move(e), options, now, who(d, in.line));
}

// Segment's address trait: street/city/state/postalCode/country (and Klaviyo's own names).
void take_address(const json& address, Location& loc) {
  for (const auto& [key, v] : address.items()) {
    auto field = location_field(key, true);
    if (field && v.is_string()) loc.*field = v.get<std::string>();
  }
}

Mapped map_identify(const RecordIn& in) {
  const json& d = in.data;
  const json* traits = member(d, "traits");
  if (traits && !traits->is_null() && !traits->is_object())
    return Rejected{"traits is not a JSON object", who(d, in.line)};
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
    return Skipped{"identify without email, phone or userId", who(d, in.line)};
  return p;
}

}  // namespace

Mapped map_tracking(const RecordIn& in, const Options& options, SysTime now) {
  std::string type = text(in.data, "type");
  if (type == "track") return map_track(in, options, now);
  if (type == "identify") return map_identify(in);
  if (type == "page" || type == "screen") return Skipped{type + " calls are never sent", who(in.data, in.line)};
  if (type == "group" || type == "alias") return Skipped{type + " calls are not sent", who(in.data, in.line)};
  if (type.empty()) return Rejected{"no message type", who(in.data, in.line)};
  return Rejected{"unknown message type '" + type + "'", who(in.data, in.line)};
}

}  // namespace sk::destination
