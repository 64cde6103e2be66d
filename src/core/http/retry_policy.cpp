// The retry decision: a pure function of one attempt's outcome. See retry_policy.h for the table.
#include "core/http/retry_policy.h"
#include "core/util/text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string_view>

namespace sk::http {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinBackoff{100};        // never retry sooner than this
constexpr milliseconds kMinRetryAfterJitter{50};  // added to every Retry-After
constexpr double kRetryAfterJitterFraction = 0.10;
// Anything longer is not a wait anyone means (and would overflow the arithmetic below).
constexpr long long kMaxParsedMs = 1'000'000'000'000LL;  // ~31 years

// delta-seconds as milliseconds: integer or decimal ("2", "0.6", " 1.25 "); -1 when not a number.
long long parse_delta_ms(std::string_view s) {
  s = trim(s);
  if (s.empty()) return -1;
  long long whole = 0;
  std::size_t i = 0;
  bool digits = false;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    digits = true;
    if (whole <= kMaxParsedMs / 1000) whole = whole * 10 + (s[i] - '0');
  }
  long long frac_ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    long long scale = 100;
    bool round_up = false;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
      digits = true;
      if (scale > 0) {
        frac_ms += (s[i] - '0') * scale;
        scale /= 10;
      } else if (s[i] != '0') {
        round_up = true;  // sub-millisecond remainder: wait the extra millisecond
      }
    }
    if (round_up) ++frac_ms;
  }
  if (!digits || i != s.size()) return -1;
  return std::min(kMaxParsedMs, whole * 1000 + frac_ms);
}

// --- HTTP-date (RFC 9110 5.6.7) ----------------------------------------------------------------

constexpr std::string_view kDayNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::string_view kLongDayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                              "Friday", "Saturday", "Sunday"};
constexpr std::string_view kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// A left-to-right reader over one header value. Each method consumes only on success.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool lit(std::string_view t) {  // case-insensitive (recipients are lenient about "gmt")
    if (!iequals(s_.substr(i_, t.size()), t)) return false;
    i_ += t.size();
    return true;
  }
  bool number(std::size_t n, int& out) {  // exactly n digits
    if (s_.size() - i_ < n) return false;
    int v = 0;
    for (std::size_t k = i_; k < i_ + n; ++k) {
      if (!std::isdigit(static_cast<unsigned char>(s_[k]))) return false;
      v = v * 10 + (s_[k] - '0');
    }
    i_ += n;
    out = v;
    return true;
  }
  template <std::size_t N>
  bool name(const std::string_view (&names)[N], int& index) {
    for (std::size_t k = 0; k < N; ++k) {
      if (lit(names[k])) {
        index = static_cast<int>(k);
        return true;
      }
    }
    return false;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
};

struct DateParts {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// time-of-day = hour ":" minute ":" second, 2 digits each.
bool time_of_day(Scanner& in, DateParts& p) {
  return in.number(2, p.hour) && in.lit(":") && in.number(2, p.minute) && in.lit(":") &&
         in.number(2, p.second);
}

bool month_name(Scanner& in, DateParts& p) {
  int m = 0;
  if (!in.name(kMonthNames, m)) return false;
  p.month = m + 1;
  return true;
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (the day name already read).
bool imf_fixdate(Scanner& in, DateParts& p) {
  return in.lit(", ") && in.number(2, p.day) && in.lit(" ") && month_name(in, p) && in.lit(" ") &&
         in.number(4, p.year) && in.lit(" ") && time_of_day(in, p) && in.lit(" GMT") && in.done();
}

// rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT" (the day name already read); year still 2 digits.
bool rfc850_date(Scanner& in, DateParts& p) {
  return in.lit(", ") && in.number(2, p.day) && in.lit("-") && month_name(in, p) && in.lit("-") &&
         in.number(2, p.year) && in.lit(" ") && time_of_day(in, p) && in.lit(" GMT") && in.done();
}

// asctime-date: "Sun Nov  6 08:49:37 1994" (the day name already read); the day is "DD" or " D".
bool asctime_date(Scanner& in, DateParts& p) {
  if (!in.lit(" ") || !month_name(in, p) || !in.lit(" ")) return false;
  const bool day = in.peek(' ') ? (in.lit(" ") && in.number(1, p.day)) : in.number(2, p.day);
  return day && in.lit(" ") && time_of_day(in, p) && in.lit(" ") && in.number(4, p.year) && in.done();
}

std::string format_seconds(long long ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000);
  std::string frac = std::to_string(ms % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return std::to_string(ms / 1000) + "." + frac;
}

// Full jitter: uniform in [0, min(max_backoff, base * 2^(attempt-1))], floored at kMinBackoff.
milliseconds backoff(int attempt, const RetryPolicy& policy, double unit_random) {
  long long cap = std::max<long long>(0, policy.base_backoff.count());
  const long long max = std::max<long long>(0, policy.max_backoff.count());
  for (int i = 1; i < attempt && cap < max; ++i) cap *= 2;
  cap = std::min(cap, max);
  const double u = std::clamp(unit_random, 0.0, 1.0);
  const auto delay = static_cast<long long>(std::llround(u * static_cast<double>(cap)));
  return std::max(kMinBackoff, milliseconds(delay));
}

const char* transport_error_text(TransportError e) {
  switch (e) {
    case TransportError::None: return "no error";
    case TransportError::Dns: return "DNS lookup failed";
    case TransportError::Connect: return "connection refused";
    case TransportError::Timeout: return "timed out";
    case TransportError::Reset: return "connection reset or truncated response";
    case TransportError::Tls: return "TLS error";
    case TransportError::Other: return "network error";
  }
  return "network error";
}

Decision retry_or_give_up(int attempt, const RetryPolicy& policy, milliseconds delay,
                          std::string reason, bool throttled) {
  Decision d;
  d.reason = std::move(reason);
  d.throttled = throttled;
  if (attempt >= policy.max_attempts) {
    d.action = Action::GiveUp;
    return d;
  }
  d.action = Action::Retry;
  d.delay = delay;
  return d;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text, SysTime now) {
  using namespace std::chrono;
  Scanner in(trim(text));
  DateParts p;
  int weekday = 0;  // spelled right is enough: RFC 9110 does not ask to check it against the date
  bool two_digit_year = false;
  // Long names first: "Sunday" also starts with "Sun".
  if (in.name(kLongDayNames, weekday)) {
    if (!rfc850_date(in, p)) return std::nullopt;
    two_digit_year = true;
  } else if (in.name(kDayNames, weekday)) {
    if (in.peek(',')) {
      if (!imf_fixdate(in, p)) return std::nullopt;
    } else if (!asctime_date(in, p)) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (two_digit_year) {
    // RFC 9110: a two-digit year more than 50 years in the future is the most recent past year
    // with the same last two digits; so the year is the one within 50 years of now.
    const int this_year = static_cast<int>(year_month_day{floor<days>(now)}.year());
    int y = this_year - this_year % 100 + p.year;
    if (y > this_year + 50) y -= 100;
    if (y <= this_year - 50) y += 100;
    p.year = y;
  }
  const year_month_day ymd{year{p.year}, month{static_cast<unsigned>(p.month)},
                           day{static_cast<unsigned>(p.day)}};
  if (!ymd.ok() || p.hour > 23 || p.minute > 59 || p.second > 60) return std::nullopt;
  return sys_days{ymd} + hours{p.hour} + minutes{p.minute} + seconds{p.second};
}

std::optional<milliseconds> retry_after(const Response& r, SysTime now) {
  const std::string* v = r.header("retry-after");
  if (v == nullptr) return std::nullopt;
  if (const long long ms = parse_delta_ms(*v); ms >= 0) return milliseconds(ms);
  const auto date = parse_http_date(*v, now);
  if (!date) return std::nullopt;
  // Both sides in milliseconds since the epoch: years 0..9999 fit easily in 64 bits, whereas
  // converting the date to SysTime (nanoseconds) would overflow past 2262.
  const long long date_ms = date->time_since_epoch().count() * 1000;
  const long long now_ms =
      std::chrono::floor<milliseconds>(now).time_since_epoch().count();
  return milliseconds(std::clamp(date_ms - now_ms, 0LL, kMaxParsedMs));
}

std::optional<milliseconds> rate_limit_reset(const Response& r) {
  const std::string* v = r.header("ratelimit-reset");
  if (v == nullptr) return std::nullopt;
  std::string_view s = *v;
  s = s.substr(0, s.find(';'));  // "30;w=60" style parameters
  const long long ms = parse_delta_ms(s);
  if (ms < 0) return std::nullopt;
  return milliseconds(ms);
}

long long parse_retry_after_seconds(const Response& r, SysTime now) {
  const auto d = retry_after(r, now);
  if (!d) return -1;
  return (d->count() + 999) / 1000;  // decimals round up: never wait less than asked
}

Decision decide(const Result& result, int attempt, const RetryPolicy& policy, double unit_random,
                SysTime now) {
  if (result.error != TransportError::None) {
    std::string reason = transport_error_text(result.error);
    if (!result.error_detail.empty()) reason += ": " + result.error_detail;
    return retry_or_give_up(attempt, policy, backoff(attempt, policy, unit_random),
                            std::move(reason), false);
  }

  const long status = result.response.status;
  if (status == 429) {
    // The server's word on when to come back: Retry-After, else when the rate-limit window resets.
    const char* source = "Retry-After";
    std::optional<milliseconds> wait = retry_after(result.response, now);
    if (!wait) {
      wait = rate_limit_reset(result.response);
      source = "RateLimit-Reset";
    }
    if (!wait) {
      return retry_or_give_up(attempt, policy, backoff(attempt, policy, unit_random),
                              "HTTP 429 (rate limited, no Retry-After)", true);
    }
    const long long wait_ms = wait->count();
    const long long cap_ms =
        std::chrono::duration_cast<milliseconds>(policy.max_retry_after).count();
    if (wait_ms > cap_ms) {
      Decision d;
      d.action = Action::GiveUp;
      d.throttled = true;
      d.server_wait = *wait;
      d.reason = "Klaviyo asked to wait " + format_seconds(wait_ms) + " s (" + source +
                 "), more than the " + std::to_string(policy.max_retry_after.count()) +
                 " s this connector waits; the account's quota for this endpoint is exhausted";
      return d;
    }
    const double u = std::clamp(unit_random, 0.0, 1.0);
    const auto jitter = std::max(
        kMinRetryAfterJitter,
        milliseconds(std::llround(u * kRetryAfterJitterFraction * static_cast<double>(wait_ms))));
    Decision d = retry_or_give_up(attempt, policy, milliseconds(wait_ms) + jitter,
                                  "HTTP 429 (rate limited, " + std::string(source) + " " +
                                      format_seconds(wait_ms) + " s)",
                                  true);
    d.server_wait = *wait;
    return d;
  }
  if (status >= 500 && status <= 599) {
    return retry_or_give_up(attempt, policy, backoff(attempt, policy, unit_random),
                            "HTTP " + std::to_string(status), false);
  }
  // 2xx, 3xx (redirects are not followed) and 4xx other than 429: the caller decides.
  Decision d;
  d.action = Action::Return;
  return d;
}

}  // namespace sk::http
