// The HTTP client every Klaviyo call goes through: takes a slot from the endpoint's rate budget,
// sends with the Transport, and follows the RetryPolicy (backoff with jitter on 5xx and transport
// errors; Retry-After on 429, which also pauses the whole tier). Logs each retry through LogFn.
// Returns the final response for any non-retryable status (2xx and 4xx except 429); throws
// SourceError(Transient) when retries are exhausted or a Retry-After exceeds the cap. Error
// messages name the method and URL path (never headers, so never the API key).
// Thread-safety: one Client per worker thread (it owns its Transport); budgets are shared.
#pragma once

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "core/budget/rate_budget.h"
#include "core/http/retry_policy.h"
#include "core/http/transport.h"
#include "core/util/clock.h"

namespace sk::http {

using LogFn = std::function<void(std::string_view level, const std::string& message)>;

struct ClientStats {
  std::uint64_t requests = 0;   // attempts sent
  std::uint64_t retries = 0;    // attempts that were retries
  std::uint64_t throttled = 0;  // 429s seen
};

class Client {
 public:
  Client(std::unique_ptr<Transport> transport, Clock& clock, RetryPolicy policy, LogFn log,
         std::uint64_t seed = 0x5eed);

  // budget may be null (no rate limiting). Throws SourceError(Transient) as described above.
  Response send(const Request& req, budget::RateBudget* budget);

  const ClientStats& stats() const { return stats_; }

 private:
  std::unique_ptr<Transport> transport_;
  Clock& clock_;
  RetryPolicy policy_;
  LogFn log_;
  std::mt19937_64 rng_;
  ClientStats stats_;
};

// "GET /api/events" style label for logs and errors: method plus URL path, no query, no host.
std::string describe(const Request& req);

}  // namespace sk::http
