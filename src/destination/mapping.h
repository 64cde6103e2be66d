// The destination's mapping layer: one input record (its stream, the configured stream's
// destination_object_name and the record's `data`) becomes what the destination will send to
// Klaviyo — an Event, a Profile upsert — or a Skipped / Rejected verdict with a reason.
// Rules (issue 17, "How records map" and "Details"):
// - No destination_object_name: Segment-spec tracking messages. track -> Event; identify ->
//   Profile; page, screen, group, alias -> Skipped.
// - destination_object_name "event" / "profile": flat rows named as in the operation's schema.
// - unique_id: messageId / the row's unique_id, else stable_unique_id(stream, data).
// - Phones are kept only when E.164 after removing spaces, dashes, dots and parentheses.
// - An event without email or phone is Skipped when require_email_or_phone (default true).
// - Rejected: data not an object, no event name, a metric name of 128 characters or more, a time
//   that does not parse, is before 1990 or more than a year after `now`, properties not an object.
// Also the Klaviyo JSON for what was mapped (event bulk entry, profile-import attributes).
// Records arrive as simdjson DOM elements: events (the hot path) are mapped from them directly, their
// properties kept as JSON text; profiles, rarer and merged per person, go through nlohmann::json.
// Thread-safe: pure functions; nothing is shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "core/util/clock.h"

namespace sk::destination {

// What a configured stream carries: its destination_object_name absent, "event" or "profile".
enum class ObjectKind { Tracking, EventRow, ProfileRow };
// "" -> Tracking, "event" -> EventRow, "profile" -> ProfileRow; anything else: nullopt.
std::optional<ObjectKind> object_kind(std::string_view destination_object_name);

struct Options {
  bool require_email_or_phone = true;
  std::vector<std::string> skip_event_names;  // exact metric names never sent
};

// The profile an event belongs to. An empty string means absent (never sent).
struct Identifiers {
  std::string email;
  std::string phone_number;  // E.164
  std::string external_id;
  std::string anonymous_id;
};

struct Event {
  std::string metric_name;
  std::string properties = "{}";  // a JSON object, as text
  std::string time;  // ISO-8601 in UTC ("2024-05-01T12:30:00+00:00"); "" = absent
  std::string unique_id;
  std::optional<double> value;
  std::string value_currency;  // "" = absent
  Identifiers profile;
};

struct Location {
  std::string address1, address2, city, region, country, zip, timezone;  // "" = absent
};

struct Profile {
  std::string email, phone_number, external_id;  // at least one is set
  std::string first_name, last_name, organization, title, image, locale;
  Location location;
  nlohmann::json properties = nlohmann::json::object();
};

// Not sent on purpose (counted). `who` names the record: "messageId X" or "line N".
struct Skipped {
  std::string reason;
  std::string who;
};
// Cannot be mapped (counted as rejected, logged with `who` and the reason).
struct Rejected {
  std::string reason;
  std::string who;
};

using Mapped = std::variant<Event, Profile, Skipped, Rejected>;

struct RecordIn {
  std::string_view stream;
  ObjectKind kind = ObjectKind::Tracking;
  simdjson::dom::element data;  // the record's data (valid while its parser is)
  long line = 0;                // the input line number, for `who`
};

// How LOG lines name a record: "messageId X" when its data has one, else "line N".
std::string who(simdjson::dom::element data, long line);

// Maps one record. `now` bounds event times (at most a year ahead).
Mapped map_record(const RecordIn& in, const Options& options, SysTime now);

// The unique_id of a record without one: FNV-1a 64 over stream + "\n" + data.dump() (nlohmann's
// objects keep their keys sorted, so the dump is canonical), as 16 lower-case hex digits. Only
// `data` is hashed, never emitted_at, so a record read again by a later sync gets the same id.
std::string stable_unique_id(std::string_view stream, const nlohmann::json& data);
std::string stable_unique_id(std::string_view stream, simdjson::dom::element data);

// FNV-1a 64 of s, continuing from h (the offset basis by default).
std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 14695981039346656037ULL);

// A simdjson element as nlohmann::json (the profile paths and the stable hash).
nlohmann::json to_nlohmann(simdjson::dom::element e);

// A phone as E.164 ("+" then 8-15 digits, the first not 0) after removing spaces, dashes, dots
// and parentheses; anything else: "".
std::string e164_phone(std::string_view raw);

// One entry of an event bulk create job's "events-bulk-create" data array, as JSON text:
// {"type":"event-bulk-create","attributes":{"profile":{"data":{"type":"profile","attributes":{..}}},
//  "events":{"data":[{"type":"event","attributes":{"metric":{..},"properties":{..},..}}]}}}.
// Absent fields are left out.
std::string event_bulk_entry(const Event& e);
// The same, appended to `out` (a batch's body: no string of its own).
void append_event_bulk_entry(const Event& e, std::string& out);

// The "attributes" of a profile-import body (and of a bulk import's profile). Absent fields are
// left out, so Klaviyo leaves them unchanged; location and properties only when non-empty.
nlohmann::json profile_attributes(const Profile& p);

}  // namespace sk::destination
