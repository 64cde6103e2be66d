// tz.cpp — account timezone conversions (see tz.h).
#include "tz.h"

#include <chrono>

#include "util.h"

namespace sim {

namespace {
using sys_seconds = cctz::time_point<cctz::seconds>;
sys_seconds to_tp(int64_t us) {
  int64_t s = us >= 0 ? us / kUs : -((-us + kUs - 1) / kUs);
  return sys_seconds(cctz::seconds(s));
}
int num(std::string_view s, size_t p, size_t n) {
  int v = 0;
  for (size_t i = p; i < p + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}
}  // namespace

bool AccountZone::load(const std::string& zone_name) {
  cctz::time_zone z;
  if (zone_name.empty() || !cctz::load_time_zone(zone_name, &z)) return false;
  name = zone_name;
  tz = z;
  return true;
}

cctz::civil_second AccountZone::local(int64_t us) const { return cctz::convert(to_tp(us), tz); }

int64_t AccountZone::instant(const cctz::civil_second& cs, bool later) const {
  auto cl = tz.lookup(cs);
  sys_seconds tp = cl.kind == cctz::time_zone::civil_lookup::SKIPPED ? cl.trans
                   : cl.kind == cctz::time_zone::civil_lookup::REPEATED && later ? cl.post
                                                                                : cl.pre;
  return int64_t(tp.time_since_epoch().count()) * kUs;
}

std::string AccountZone::format(int64_t us) const { return cctz::format("%Y-%m-%dT%H:%M:%S%Ez", to_tp(us), tz); }

std::optional<cctz::civil_second> parse_wall(std::string_view s) {
  if (!parse_time(s)) return std::nullopt;  // validates the whole string, offset included
  int h = 0, mi = 0, se = 0;
  if (s.size() > 10) {  // "THH:MM" or " HH:MM", then optional ":SS"
    h = num(s, 11, 2);
    mi = num(s, 14, 2);
    if (s.size() > 16 && s[16] == ':') se = num(s, 17, 2);
  }
  int y = num(s, 0, 4), mo = num(s, 5, 2), d = num(s, 8, 2);
  cctz::civil_day day(y, mo, d);
  if (day.year() != y || day.month() != mo || day.day() != d) return std::nullopt;  // e.g. 2024-02-30
  return cctz::civil_second(y, mo, d, h, mi, se);
}

}  // namespace sim
