// What to do after one attempt: return the response, retry after a delay, or give up. Pure
// function of (result, attempt number, policy, a random number, the wall-clock time) so every
// branch is unit-tested; the caller passes its injected Clock's now().
//   2xx, 4xx other than 429        -> Return (the caller maps 4xx to errors)
//   429 with Retry-After <= cap     -> Retry after Retry-After (plus a little jitter)
//   429 with Retry-After >  cap     -> GiveUp (daily quota: fail fast, do not sleep for hours)
//   429 without Retry-After         -> the same with RateLimit-Reset (seconds until the window resets)
//   429 with neither                -> Retry with backoff
//   5xx, transport errors           -> Retry with capped exponential backoff and full jitter
//   attempts exhausted              -> GiveUp
// Thread-safe: stateless.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/http/transport.h"
#include "core/util/clock.h"

namespace sk::http {

struct RetryPolicy {
  int max_attempts = 8;                             // including the first
  std::chrono::milliseconds base_backoff{500};      // attempt 1 waits up to base, then doubles
  std::chrono::milliseconds max_backoff{30'000};    // cap of one backoff wait
  std::chrono::seconds max_retry_after{600};        // longest Retry-After we are willing to sleep
};

// What `check` uses (both connectors): it answers in seconds rather than wait out a long outage.
inline RetryPolicy check_policy() {
  RetryPolicy p;
  p.max_attempts = 3;
  p.max_backoff = std::chrono::milliseconds(2000);
  p.max_retry_after = std::chrono::seconds(30);
  return p;
}

enum class Action { Return, Retry, GiveUp };

struct Decision {
  Action action = Action::Return;
  std::chrono::milliseconds delay{0};  // for Retry
  std::string reason;                  // human text for logs / the final error, e.g. "HTTP 503"
  bool throttled = false;              // true for 429: the rate budget should pause its tier
  // For a 429: the wait the server asked for (Retry-After, else RateLimit-Reset; a past date is
  // 0), before jitter and whether or not it is over the cap; -1 ms when it said none.
  std::chrono::milliseconds server_wait{-1};
};

// attempt is 1-based (1 = the first try just failed/returned). unit_random is in [0,1). now is the
// wall-clock time the response arrived (Clock::now()), against which an HTTP-date Retry-After is read.
Decision decide(const Result& result, int attempt, const RetryPolicy& policy, double unit_random,
                SysTime now);

// The wait a Retry-After header asks for (RFC 9110 10.2.3), nullopt when absent or unparsable:
//   delta-seconds  "120", and decimals "0.6" as the time-scaled simulator sends (rounded up to ms)
//   HTTP-date      "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate), "Sunday, 06-Nov-94 08:49:37 GMT"
//                  (RFC 850) and "Sun Nov  6 08:49:37 1994" (asctime): the time from now until then,
//                  zero when the date has passed.
// Waits longer than ~31 years are clamped (never negative, never overflowing).
std::optional<std::chrono::milliseconds> retry_after(const Response& r, SysTime now);

// RateLimit-Reset (seconds until the rate-limit window resets; decimals allowed, as Retry-After's
// delta-seconds), nullopt when absent or unparsable. The budget's observe() and the 429 fallback
// both read it through this.
std::optional<std::chrono::milliseconds> rate_limit_reset(const Response& r);

// An HTTP-date in any of the three forms above, to the second; nullopt when it is none of them or
// names an impossible date or time (31 Feb, 25:00). Seconds may be 60 (a leap second).
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text, SysTime now);

// retry_after() in whole seconds, rounded up (never wait less than asked); -1 when absent/invalid.
long long parse_retry_after_seconds(const Response& r, SysTime now);

}  // namespace sk::http
