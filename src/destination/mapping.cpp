// The mapping's entry point and shared checks (see mapping.h): the dispatch on the stream's kind,
// the stable unique_id hash, E.164 phones, typed field reads, the profile field tables and the
// checks every event passes (finish_event).
#include "destination/mapping.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "core/util/datetime.h"
#include "destination/mapping_parts.h"

namespace sk::destination {

std::optional<ObjectKind> object_kind(std::string_view name) {
  if (name.empty()) return ObjectKind::Tracking;
  if (name == "event") return ObjectKind::EventRow;
  if (name == "profile") return ObjectKind::ProfileRow;
  return std::nullopt;
}

Mapped map_record(const RecordIn& in, const Options& options, SysTime now) {
  if (!in.data.is_object()) return Rejected{"the record's data is not a JSON object", who(in.data, in.line)};
  switch (in.kind) {
    case ObjectKind::EventRow: return map_event_row(in, options, now);
    case ObjectKind::ProfileRow: return map_profile_row(to_nlohmann(in.data), who(in.data, in.line));
    case ObjectKind::Tracking: break;
  }
  return map_tracking(in, options, now);
}

nlohmann::json to_nlohmann(simdjson::dom::element e) { return nlohmann::json::parse(simdjson::minify(e)); }

std::string stable_unique_id(std::string_view stream, simdjson::dom::element data) {
  return stable_unique_id(stream, to_nlohmann(data));
}

std::uint64_t fnv1a64(std::string_view s, std::uint64_t h) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;  // FNV-1a 64 prime
  }
  return h;
}

std::string stable_unique_id(std::string_view stream, const nlohmann::json& data) {
  const std::uint64_t h = fnv1a64(data.dump(), fnv1a64("\n", fnv1a64(stream)));
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string e164_phone(std::string_view raw) {
  std::string s;
  for (char c : raw)
    if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') s += c;
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return "";
  bool digits = std::all_of(s.begin() + 1, s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  return digits ? s : "";
}

std::string who(simdjson::dom::element data, long line) {
  std::string id = id_text(data, "messageId");
  return id.empty() ? "line " + std::to_string(line) : "messageId " + id;
}

namespace parts {

namespace {

// The member named `key` in `exact`, else (with segment_aliases) in `aliases`; nullptr when none.
template <class T, std::size_t N, std::size_t M>
std::string T::*field_named(const std::pair<std::string_view, std::string T::*> (&exact)[N],
                            const std::pair<std::string_view, std::string T::*> (&aliases)[M], std::string_view key,
                            bool segment_aliases) {
  for (const auto& [name, field] : exact)
    if (name == key) return field;
  if (segment_aliases)
    for (const auto& [name, field] : aliases)
      if (name == key) return field;
  return nullptr;
}

}  // namespace

std::string Profile::*profile_field(std::string_view key, bool segment_aliases) {
  static constexpr std::pair<std::string_view, std::string Profile::*> exact[] = {
      {"email", &Profile::email},           {"external_id", &Profile::external_id},
      {"first_name", &Profile::first_name}, {"last_name", &Profile::last_name},
      {"organization", &Profile::organization}, {"title", &Profile::title},
      {"image", &Profile::image},           {"locale", &Profile::locale}};
  static constexpr std::pair<std::string_view, std::string Profile::*> segment[] = {
      {"firstName", &Profile::first_name}, {"lastName", &Profile::last_name}, {"company", &Profile::organization}};
  return field_named(exact, segment, key, segment_aliases);
}

std::string Location::*location_field(std::string_view key, bool segment_aliases) {
  static constexpr std::pair<std::string_view, std::string Location::*> exact[] = {
      {"address1", &Location::address1}, {"address2", &Location::address2}, {"city", &Location::city},
      {"region", &Location::region},     {"country", &Location::country},   {"zip", &Location::zip},
      {"timezone", &Location::timezone}};
  static constexpr std::pair<std::string_view, std::string Location::*> segment[] = {
      {"street", &Location::address1}, {"state", &Location::region}, {"postalCode", &Location::zip}};
  return field_named(exact, segment, key, segment_aliases);
}

namespace {
// UTF-8 code points (bytes that do not continue a sequence).
std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}

// "" when the raw time is acceptable (absent, or parsed into [1990, now + 1 year]), else why not.
std::string time_problem(const std::string& raw, SysTime now, std::string& iso) {
  if (raw.empty()) return "";
  auto t = parse_datetime(raw);
  if (!t) return "time '" + raw + "' is not an ISO-8601 datetime";
  using namespace std::chrono;
  if (*t < SysTime{sys_days{year{1990} / 1 / 1}}) return "time " + raw + " is before 1990";
  if (*t > now + days{365}) return "time " + raw + " is more than a year ahead";
  iso = format_iso(*t);
  return "";
}
}  // namespace

Mapped finish_event(Event e, const Options& options, SysTime now, const RecordIn& in) {
  auto who = [&in] { return destination::who(in.data, in.line); };
  if (e.metric_name.empty()) return Rejected{"no event name", who()};
  const auto& skip = options.skip_event_names;
  if (std::find(skip.begin(), skip.end(), e.metric_name) != skip.end())
    return Skipped{"event name in skip_event_names", who()};
  if (characters(e.metric_name) >= 128) return Rejected{"metric name of 128 characters or more", who()};
  const Identifiers& p = e.profile;
  bool email_or_phone = !p.email.empty() || !p.phone_number.empty();
  if (options.require_email_or_phone && !email_or_phone) return Skipped{"no email or phone", who()};
  if (!email_or_phone && p.external_id.empty() && p.anonymous_id.empty())
    return Skipped{"no profile identifier", who()};
  std::string iso;
  std::string problem = time_problem(e.time, now, iso);
  if (!problem.empty()) return Rejected{problem, who()};
  e.time = iso;
  return e;
}

}  // namespace parts
}  // namespace sk::destination
