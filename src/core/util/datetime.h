// Datetimes as Klaviyo writes them and as Airbyte's connector stored them in state:
//   2024-05-01T12:30:00+00:00, 2024-05-01T12:30:00.123456+00:00, 2024-05-01 12:30:00+00:00,
//   2024-05-31T10:00:00+0000, 2024-05-31T10:00:00Z, and a bare 2024-05-31 (midnight UTC).
// Output: state uses ISO-8601 with "+00:00" (Airbyte's parsers accept it, with or without
// microseconds); filters use
// the "Z" form, because a raw "+" in a query string turns into a space.
// Thread-safe: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/util/clock.h"

namespace sk {

std::optional<SysTime> parse_datetime(std::string_view text);

// "2024-05-31T10:00:00+00:00", with microseconds when there are any ("...:00.250000+00:00"), so a
// saved cursor is exactly the newest record's time.
std::string format_iso(SysTime t);
// "2024-05-31T10:00:00Z" (truncated to whole seconds), for filter expressions.
std::string format_filter(SysTime t);

SysTime floor_seconds(SysTime t);
SysTime floor_day(SysTime t);
SysTime days_before(SysTime t, int days);

}  // namespace sk
