// Rate budgets: one per Klaviyo rate tier, shared by every worker that calls an endpoint of that
// tier. acquire() blocks (through the injected Clock) until one more request fits every window of
// the tier, so our own traffic never exceeds the documented limits in any sliding window:
// burst (per second), steady (per minute) and, for the reporting tier, daily. Responses correct the
// budget: RateLimit-Remaining/Reset headers and 429 Retry-After pause the whole tier.
// Grants are first come, first served: a request waits behind every request of its tier that arrived
// before it, so none is overtaken by later arrivals. Only the first in line sleeps (on the Clock);
// the others wait for their turn.
// Thread-safe: every method may be called from any worker thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/util/clock.h"

namespace sk::budget {

// Reporting is POST /api/campaign-values-reports, FlowReporting POST /api/flow-series-reports: the
// same limits, counted by Klaviyo per endpoint, so each has its own budget (and daily quota).
enum class TierId { XS, S, M, L, XL, Reporting, FlowReporting };

struct Tier {
  TierId id;
  std::string_view name;  // "XS", "S", "M", "L", "XL", "reporting"
  int burst_per_second;
  int steady_per_minute;
  int per_day;  // 0 = no daily limit
};

// The table of Klaviyo's tiers (revision 2026-07-15), each number stated once (budget/tiers.cpp).
const Tier& tier(TierId id);
// All tiers, in the order of TierId.
const Tier* all_tiers(std::size_t* count);

class RateBudget {
 public:
  // window_scale shrinks the 1 s / 1 min / 1 day windows (tests against the simulator's
  // --time-scale; see config.h rate_window_scale). 1 = Klaviyo's real windows.
  RateBudget(const Tier& tier, Clock& clock, double window_scale = 1.0);

  // Blocks until a request may be sent now and every request of the tier that arrived earlier was
  // granted (or gave up), then records it. Returns how long it waited. A stop request (util/stop.h)
  // throws Cancelled within about 50 ms, wherever in line the request is.
  // Throws SourceError(Transient) instead of waiting past the daily limit's reset; its failure has
  // daily_quota_spent set, which is how callers tell this case from any other failure.
  std::chrono::milliseconds acquire();

  // Feed the headers of a non-429 response: limit/remaining describe the steady (minute) window,
  // reset is the time until it resets (RateLimit-Reset, decimals kept: the time-scaled simulator
  // sends "0.06"). When the server says we have fewer left than we think (other integrations
  // share the account's quota), the budget slows down accordingly. remaining < 0: ignored.
  void observe(long long limit, long long remaining, std::chrono::milliseconds reset);

  // A 429 said to wait: no request of this tier starts before now + retry_after.
  void throttled(std::chrono::milliseconds retry_after);

  // The reply to the request this thread was last granted has arrived (or failed): feeds the
  // tier's latency estimate (a moving average of grant -> reply).
  void replied();
  // Requests of this tier to keep in flight so that its steady rate is used: rate x observed
  // latency x 1.5 (headroom for jitter and the time a reply takes to process), plus one; before
  // the first reply, at most kProbeRequests (1 s of latency assumed; one round trip later the
  // latency is known). Callers cap it by their own limit (num_workers).
  int concurrency() const;
  static constexpr int kProbeRequests = 4;
  std::chrono::milliseconds latency() const;  // the current latency estimate (0 before any reply)
  // Requests per minute this tier allows (steady), under the window scale.
  double steady_per_minute() const;

  const Tier& tier() const { return tier_; }
  std::uint64_t requests() const;          // requests granted so far (every attempt, retries too)
  std::uint64_t throttles() const;         // throttled() calls so far: 429s that paused the tier
  std::size_t waiting() const;             // requests in acquire() now, the first in line included
  std::chrono::milliseconds waited() const;  // total time spent waiting in acquire()

 private:
  const Tier& tier_;
  Clock& clock_;
  mutable std::mutex mu_;
  struct Waiter {
    std::condition_variable turn;  // notified when it becomes the first in line
  };
  std::deque<Waiter*> line_;  // the requests in acquire(), in arrival order (each on its own stack)
  std::chrono::steady_clock::duration second_, minute_, day_, max_daily_wait_;
  std::deque<std::chrono::steady_clock::time_point> second_window_, minute_window_, day_window_;
  std::chrono::steady_clock::time_point paused_until_{};
  std::uint64_t granted_ = 0;
  std::uint64_t throttles_ = 0;
  std::chrono::milliseconds waited_{0};
  double latency_s_ = 0;  // moving average of grant -> reply, seconds (0: none seen yet)
};

// One budget per tier for the whole process run.
class BudgetSet {
 public:
  explicit BudgetSet(Clock& clock, double window_scale = 1.0);
  RateBudget& get(TierId id);

 private:
  std::unique_ptr<RateBudget> budgets_[7];
};

}  // namespace sk::budget
