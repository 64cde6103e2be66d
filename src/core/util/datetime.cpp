// Parsing and formatting of Klaviyo/Airbyte datetimes (see datetime.h).
#include "core/util/datetime.h"

#include <cctype>
#include <chrono>
#include <cstdio>

namespace sk {

namespace {

using namespace std::chrono;

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// SysTime counts nanoseconds in 64 bits (1677-09-21 .. 2262-04-11); the parse works in
// microseconds, which hold any 4-digit year. Times outside whole years of SysTime's range are no
// date Klaviyo or Airbyte writes, and converting them would overflow.
std::optional<SysTime> in_range(sys_time<microseconds> t) {
  if (t < sys_days{year{1678} / 1 / 1} || t >= sys_days{year{2262} / 1 / 1}) return std::nullopt;
  return SysTime{t};
}

}  // namespace

std::optional<SysTime> parse_datetime(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  int Y, M, D;
  if (!digits(s, 0, 4, Y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, M) || s[7] != '-' ||
      !digits(s, 8, 2, D))
    return std::nullopt;
  year_month_day ymd{year{Y}, month{static_cast<unsigned>(M)}, day{static_cast<unsigned>(D)}};
  if (!ymd.ok()) return std::nullopt;
  sys_time<microseconds> t = sys_days{ymd};
  if (s.size() == 10) return in_range(t);
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  int h, m, sec = 0;
  if (!digits(s, 11, 2, h) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, m)) return std::nullopt;
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
    pos += 3;
  }
  if (h > 23 || m > 59 || sec > 60) return std::nullopt;
  long long micros = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int n = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (n < 6) micros = micros * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (int i = n; i < 6; ++i) micros *= 10;
  }
  t += hours{h} + minutes{m} + seconds{sec} + microseconds{micros};
  if (pos == s.size()) return in_range(t);  // no offset: UTC
  if (s[pos] == 'Z' || s[pos] == 'z') return pos + 1 == s.size() ? in_range(t) : std::nullopt;
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  int sign = s[pos] == '-' ? -1 : 1;
  int oh, om = 0;
  if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
  std::size_t rest = pos + 3;
  if (rest < s.size() && s[rest] == ':') ++rest;
  if (rest < s.size()) {
    if (!digits(s, rest, 2, om)) return std::nullopt;
    rest += 2;
  }
  if (rest != s.size() || oh > 23 || om > 59) return std::nullopt;
  t -= sign * (hours{oh} + minutes{om});
  return in_range(t);
}

namespace {
// v as `width` zero-padded decimal digits at p (v < 10^width); returns the end. snprintf (with its
// locale lookups) took about 5% of the destination's CPU per event, for a fixed-width format.
char* put_digits(char* p, long long v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
  return p + width;
}

std::string format(SysTime t, const char* zone, bool micros) {
  auto secs = floor<seconds>(t);
  auto dp = floor<days>(secs);
  year_month_day ymd{dp};
  hh_mm_ss<seconds> hms{secs - dp};
  long long us = duration_cast<microseconds>(t - secs).count();
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) return {};  // never: a SysTime (nanoseconds) spans the years 1678-2262
  char buf[64];
  char* p = put_digits(buf, y, 4);
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
  *p++ = 'T';
  p = put_digits(p, hms.hours().count(), 2);
  *p++ = ':';
  p = put_digits(p, hms.minutes().count(), 2);
  *p++ = ':';
  p = put_digits(p, hms.seconds().count(), 2);
  if (micros && us > 0) {
    *p++ = '.';
    p = put_digits(p, us, 6);
  }
  return std::string(buf, p) + zone;
}
}  // namespace

std::string format_iso(SysTime t) { return format(t, "+00:00", true); }
std::string format_filter(SysTime t) { return format(t, "Z", false); }

SysTime floor_seconds(SysTime t) { return SysTime{floor<seconds>(t)}; }
SysTime floor_day(SysTime t) { return SysTime{floor<days>(t)}; }
SysTime days_before(SysTime t, int n) { return t - days{n}; }

}  // namespace sk
