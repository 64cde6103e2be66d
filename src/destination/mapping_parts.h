// Internals shared by the mapping's files (mapping.cpp, segment.cpp, rows.cpp): naming a record, the field tables of profiles, and the checks every
// event passes before it is sent. Not part of the destination's API; see mapping.h.
// Thread-safe: pure functions over immutable tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "destination/json_read.h"
#include "destination/mapping.h"

namespace sk::destination {

// The kinds of record (segment.cpp, rows.cpp); `in.data` is an object. Profiles are mapped from
// nlohmann::json (`who` names the record).
Mapped map_tracking(const RecordIn& in, const Options& options, SysTime now);
Mapped map_event_row(const RecordIn& in, const Options& options, SysTime now);
Mapped map_identify(const nlohmann::json& data, const std::string& who);
Mapped map_profile_row(const nlohmann::json& data, const std::string& who);

namespace parts {

using destination::who;

// The Profile string a field name maps to (email, external_id, first_name, last_name,
// organization, title, image, locale; with segment_aliases also firstName, lastName, company);
// nullptr for any other name. Phones and location are handled apart.
std::string Profile::*profile_field(std::string_view key, bool segment_aliases);
// The Location string a field name maps to (address1, address2, city, region, country, zip,
// timezone; with segment_aliases also street, state, postalCode); nullptr for any other name.
std::string Location::*location_field(std::string_view key, bool segment_aliases);

// The checks of every event, in order: no metric name -> Rejected; name in skip_event_names ->
// Skipped; name of 128+ characters -> Rejected; no email or phone (when required) -> Skipped; no
// identifier at all -> Skipped; e.time (raw) unparsable, before 1990 or over a year after now ->
// Rejected. Otherwise the event, its time rewritten as ISO-8601 UTC.
// `in` names the record in a verdict (computed only then).
Mapped finish_event(Event e, const Options& options, SysTime now, const RecordIn& in);

}  // namespace parts
}  // namespace sk::destination
