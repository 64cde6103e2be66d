// What to do after one attempt: return the response, retry after a delay, or give up. Pure
// function of (result, attempt number, policy, a random number) so every branch is unit-tested.
//   2xx, 4xx other than 429        -> Return (the caller maps 4xx to errors)
//   429 with Retry-After <= cap     -> Retry after Retry-After (plus a little jitter)
//   429 with Retry-After >  cap     -> GiveUp (daily quota: fail fast, do not sleep for hours)
//   429 without Retry-After         -> Retry with backoff
//   5xx, transport errors           -> Retry with capped exponential backoff and full jitter
//   attempts exhausted              -> GiveUp
// Thread-safe: stateless.
#pragma once

#include <chrono>
#include <string>

#include "http/transport.h"

namespace sk::http {

struct RetryPolicy {
  int max_attempts = 8;                             // including the first
  std::chrono::milliseconds base_backoff{500};      // attempt 1 waits up to base, then doubles
  std::chrono::milliseconds max_backoff{30'000};    // cap of one backoff wait
  std::chrono::seconds max_retry_after{600};        // longest Retry-After we are willing to sleep
};

enum class Action { Return, Retry, GiveUp };

struct Decision {
  Action action = Action::Return;
  std::chrono::milliseconds delay{0};  // for Retry
  std::string reason;                  // human text for logs / the final error, e.g. "HTTP 503"
  bool throttled = false;              // true for 429: the rate budget should pause its tier
};

// attempt is 1-based (1 = the first try just failed/returned). unit_random is in [0,1).
Decision decide(const Result& result, int attempt, const RetryPolicy& policy, double unit_random);

// Parses Retry-After as delta-seconds (Klaviyo sends integers); returns -1 when absent/invalid.
long long parse_retry_after_seconds(const Response& r);

}  // namespace sk::http
