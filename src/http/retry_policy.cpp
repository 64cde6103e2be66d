// The retry decision: a pure function of one attempt's outcome. See retry_policy.h for the table.
#include "http/retry_policy.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>

namespace sk::http {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kMinBackoff{100};        // never retry sooner than this
constexpr milliseconds kMinRetryAfterJitter{50};  // added to every Retry-After
constexpr double kRetryAfterJitterFraction = 0.10;
// Anything longer is not a wait anyone means (and would overflow the arithmetic below).
constexpr long long kMaxParsedMs = 1'000'000'000'000LL;  // ~31 years

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Retry-After as milliseconds: delta-seconds, integer or decimal ("2", "0.6"); -1 when absent or
// not a number (an HTTP-date is treated as absent: Klaviyo sends delta-seconds).
long long parse_retry_after_ms(const Response& r) {
  const std::string* v = r.header("retry-after");
  if (v == nullptr) return -1;
  std::string_view s = trim(*v);
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

long long parse_retry_after_seconds(const Response& r) {
  const long long ms = parse_retry_after_ms(r);
  if (ms < 0) return -1;
  return (ms + 999) / 1000;  // decimals round up: never wait less than asked
}

Decision decide(const Result& result, int attempt, const RetryPolicy& policy, double unit_random) {
  if (result.error != TransportError::None) {
    std::string reason = transport_error_text(result.error);
    if (!result.error_detail.empty()) reason += ": " + result.error_detail;
    return retry_or_give_up(attempt, policy, backoff(attempt, policy, unit_random),
                            std::move(reason), false);
  }

  const long status = result.response.status;
  if (status == 429) {
    const long long retry_after_ms = parse_retry_after_ms(result.response);
    if (retry_after_ms < 0) {
      return retry_or_give_up(attempt, policy, backoff(attempt, policy, unit_random),
                              "HTTP 429 (rate limited, no Retry-After)", true);
    }
    const long long cap_ms =
        std::chrono::duration_cast<milliseconds>(policy.max_retry_after).count();
    if (retry_after_ms > cap_ms) {
      Decision d;
      d.action = Action::GiveUp;
      d.throttled = true;
      d.reason = "Klaviyo asked to wait " + format_seconds(retry_after_ms) +
                 " s (Retry-After), more than the " +
                 std::to_string(policy.max_retry_after.count()) +
                 " s this connector waits; the account's quota for this endpoint is exhausted";
      return d;
    }
    const double u = std::clamp(unit_random, 0.0, 1.0);
    const auto jitter = std::max(
        kMinRetryAfterJitter,
        milliseconds(std::llround(u * kRetryAfterJitterFraction * static_cast<double>(retry_after_ms))));
    return retry_or_give_up(attempt, policy, milliseconds(retry_after_ms) + jitter,
                            "HTTP 429 (rate limited, Retry-After " + format_seconds(retry_after_ms) +
                                " s)",
                            true);
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
