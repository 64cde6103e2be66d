// tz.h — the account timezone (--timezone, an IANA name loaded with cctz): conversions between
// absolute instants (µs since the epoch, UTC) and the account's wall clock, used by the reports.
#pragma once
#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

struct AccountZone {
  std::string name = "UTC";
  cctz::time_zone tz = cctz::utc_time_zone();

  // false when `name` is not a zone of the tz database.
  bool load(const std::string& zone_name);
  cctz::civil_second local(int64_t us) const;  // wall clock at an instant (whole seconds, floored)
  // Instant of a wall-clock time: a skipped time (DST gap) maps to the transition instant (the first
  // existing wall time after it), a repeated one (DST overlap) to the earlier instant.
  // With `later`, a repeated time maps to the later instant (for inclusive ends).
  int64_t instant(const cctz::civil_second& cs, bool later = false) const;
  // "YYYY-MM-DDTHH:MM:SS+HH:MM" with the zone's offset at that instant.
  std::string format(int64_t us) const;
};

// The wall-clock fields of an ISO-8601 date-time ("YYYY-MM-DD[THH:MM[:SS[.f]]]" plus an optional
// Z/±HH:MM offset, which is validated and ignored); nullopt when malformed.
std::optional<cctz::civil_second> parse_wall(std::string_view s);

}  // namespace sim
