// Sliding-window rate budgets. Each window keeps the grant times of the requests still inside it;
// a request may start at time t when, for every window of length W and limit N, fewer than N grants
// lie in (t - W, t], and t is not before a pause set by a 429 or by the RateLimit-* headers.
// Requests queue in arrival order: only the first in line checks the windows and sleeps until its
// slot; being granted or giving up (stop, daily quota) hands the turn to the next, waking it alone.
#include "core/budget/rate_budget.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "core/util/error.h"
#include "core/util/stop.h"

namespace sk::budget {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

constexpr std::chrono::seconds kSecond{1};
constexpr std::chrono::seconds kMinute{60};
constexpr std::chrono::seconds kDay{86'400};
// Longest we wait for the daily window before failing: the same cap as a 429's Retry-After.
constexpr std::chrono::seconds kMaxDailyWait{600};
// The steady window is one minute; a RateLimit-Reset beyond that is not believed.
constexpr std::chrono::milliseconds kMaxReset{60'000};
// With nothing left and no (or a zero) reset, wait this long rather than not at all.
constexpr std::chrono::milliseconds kMinEmptyPause{1'000};

// How often a request waiting for its turn looks at the stop flag (real time).
constexpr std::chrono::milliseconds kStopPoll{50};

// When this thread's last request was granted (for the latency estimate; see replied()).
thread_local SteadyTime t_last_grant{};

// Drops grants that have left the window ending at now.
void prune(std::deque<SteadyTime>& window, Duration length, SteadyTime now) {
  while (!window.empty() && window.front() + length <= now) window.pop_front();
}

// Earliest time at which one more grant fits in the window (now if it fits already).
SteadyTime earliest_fit(const std::deque<SteadyTime>& window, Duration length, long long limit,
                        SteadyTime now) {
  if (limit <= 0) return now;
  const auto size = static_cast<long long>(window.size());
  if (size < limit) return now;
  // The grant that must leave for the count to drop to limit - 1.
  return std::max(now, window[static_cast<std::size_t>(size - limit)] + length);
}

std::chrono::milliseconds ceil_ms(Duration d) {
  return std::chrono::ceil<std::chrono::milliseconds>(d);
}

std::string format_duration(std::chrono::milliseconds d) {
  const long long s = (d.count() + 999) / 1000;
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string((s + 59) / 60) + " min";
  const long long minutes = (s + 59) / 60;
  return std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

// A window's length under the test-only scale (see BudgetSet).
Duration scaled(std::chrono::seconds d, double scale) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(static_cast<double>(d.count()) * scale));
}

}  // namespace

RateBudget::RateBudget(const Tier& tier, Clock& clock, double window_scale)
    : tier_(tier),
      clock_(clock),
      second_(scaled(kSecond, window_scale)),
      minute_(scaled(kMinute, window_scale)),
      day_(scaled(kDay, window_scale)),
      max_daily_wait_(scaled(kMaxDailyWait, window_scale)) {}

std::chrono::milliseconds RateBudget::acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  const SteadyTime start = clock_.steady_now();
  // Take a place in line. However acquire() ends (granted, stopped, daily quota spent), the place
  // is given up and the new first in line, only it, is woken.
  Waiter me;
  line_.push_back(&me);
  struct Leave {
    RateBudget& b;
    std::unique_lock<std::mutex>& lock;
    Waiter* me;
    ~Leave() {
      if (!lock.owns_lock()) lock.lock();
      const bool was_first = b.line_.front() == me;
      b.line_.erase(std::find(b.line_.begin(), b.line_.end(), me));
      if (was_first && !b.line_.empty()) b.line_.front()->turn.notify_one();
    }
  } leave{*this, lock, &me};

  for (;;) {
    throw_if_stopped();  // a wait is cut short by a stop request (util/stop.h)
    if (line_.front() != &me) {
      // Not our turn: the ones ahead are granted first. Real-time slices, only to see a stop request
      // (a signal handler cannot notify); the injected clock is slept on by the first in line alone.
      me.turn.wait_for(lock, kStopPoll);
      continue;
    }
    const SteadyTime now = clock_.steady_now();
    prune(second_window_, second_, now);
    prune(minute_window_, minute_, now);
    prune(day_window_, day_, now);

    SteadyTime ready = std::max(now, paused_until_);
    ready = std::max(ready, earliest_fit(second_window_, second_, tier_.burst_per_second, now));
    ready = std::max(ready, earliest_fit(minute_window_, minute_, tier_.steady_per_minute, now));
    if (tier_.per_day > 0) {
      const SteadyTime day_ready = earliest_fit(day_window_, day_, tier_.per_day, now);
      if (day_ready - now > max_daily_wait_) {
        const auto next_slot = ceil_ms(day_ready - now);
        Failure f = transient_error(
                        "The daily quota of " + std::to_string(tier_.per_day) + " requests for Klaviyo's " +
                            std::string(tier_.name) + " endpoints is used up; it frees up again in about " +
                            format_duration(next_slot) +
                            ". Sync again later, or sync fewer report partitions (metrics or time windows).",
                        "rate budget tier " + std::string(tier_.name) + ": daily window holds " +
                            std::to_string(day_window_.size()) + " grants, next slot in " +
                            std::to_string(next_slot.count()) + " ms (cap " +
                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(max_daily_wait_).count()) +
                            " s)")
                        .failure();
        f.daily_quota_spent = true;  // how callers recognise it (streams/reports.cpp), not the wording
        // When the day's oldest request leaves the window (streams/reports.cpp tells the user).
        f.retry_after_seconds = std::chrono::ceil<std::chrono::seconds>(next_slot).count();
        throw SourceError(std::move(f));
      }
      ready = std::max(ready, day_ready);
    }

    if (ready <= now) {
      second_window_.push_back(now);
      minute_window_.push_back(now);
      if (tier_.per_day > 0) day_window_.push_back(now);
      ++granted_;
      t_last_grant = now;
      const auto waited = ceil_ms(now - start);
      waited_ += waited;
      return waited;
    }

    // Sleep without holding the lock so other workers can observe/throttle meanwhile; then
    // re-check everything: a 429 or the headers may have paused the tier since.
    const auto wait = ceil_ms(ready - now);
    lock.unlock();
    clock_.sleep_for(wait);
    lock.lock();
  }
}

void RateBudget::observe(long long limit, long long remaining, std::chrono::milliseconds reset_in) {
  if (remaining < 0) return;  // header absent or unparsable
  (void)limit;                // remaining and reset say everything we act on
  std::lock_guard<std::mutex> lock(mu_);
  const SteadyTime now = clock_.steady_now();
  prune(minute_window_, minute_, now);
  const long long own_remaining =
      static_cast<long long>(tier_.steady_per_minute) - static_cast<long long>(minute_window_.size());
  if (remaining >= own_remaining) return;  // the server agrees with us (or is more generous)

  const std::chrono::milliseconds reset = std::clamp(reset_in, std::chrono::milliseconds{0}, kMaxReset);
  Duration pause{};
  if (remaining == 0) {
    // Nothing left in this window: wait for it to reset (a second if it says 0).
    pause = reset.count() > 0 ? Duration{reset} : Duration{kMinEmptyPause};
  } else {
    // Spread what is left evenly over the rest of the window: one request per reset/remaining.
    pause = std::chrono::duration_cast<Duration>(reset / remaining);
  }
  paused_until_ = std::max(paused_until_, now + pause);
}

void RateBudget::throttled(std::chrono::milliseconds retry_after) {
  std::lock_guard<std::mutex> lock(mu_);
  const SteadyTime now = clock_.steady_now();
  ++throttles_;
  if (retry_after.count() > 0) paused_until_ = std::max(paused_until_, now + retry_after);
}

void RateBudget::replied() {
  if (t_last_grant == SteadyTime{}) return;
  const SteadyTime granted = std::exchange(t_last_grant, SteadyTime{});
  std::lock_guard<std::mutex> lock(mu_);
  const double s = std::chrono::duration<double>(clock_.steady_now() - granted).count();
  if (s < 0) return;
  latency_s_ = latency_s_ == 0 ? s : 0.8 * latency_s_ + 0.2 * s;
}

int RateBudget::concurrency() const {
  std::lock_guard<std::mutex> lock(mu_);
  const double minute_s = std::chrono::duration<double>(minute_).count();
  const double per_s = minute_s > 0 ? tier_.steady_per_minute / minute_s : 1.0;
  const double latency = latency_s_ > 0 ? latency_s_ : 1.0;  // 1 s assumed before any reply
  const int n = static_cast<int>(std::min(std::ceil(per_s * latency * 1.5) + 1, 1e6));
  // Until a reply shows the latency, a few requests probe it (a sync's first moments would otherwise
  // put up to num_workers page-sized replies in flight at once, on a guess).
  return latency_s_ > 0 ? n : std::min(kProbeRequests, n);
}

std::chrono::milliseconds RateBudget::latency() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::chrono::milliseconds(static_cast<long long>(latency_s_ * 1000));
}

double RateBudget::steady_per_minute() const {
  const double minute_s = std::chrono::duration<double>(minute_).count();
  return minute_s > 0 ? tier_.steady_per_minute * 60.0 / minute_s : tier_.steady_per_minute;
}

std::uint64_t RateBudget::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return granted_;
}

std::uint64_t RateBudget::throttles() const {
  std::lock_guard<std::mutex> lock(mu_);
  return throttles_;
}

std::size_t RateBudget::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return line_.size();
}

std::chrono::milliseconds RateBudget::waited() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waited_;
}

BudgetSet::BudgetSet(Clock& clock, double window_scale) {
  std::size_t count = 0;
  const Tier* tiers = all_tiers(&count);
  for (std::size_t i = 0; i < count && i < std::size(budgets_); ++i) {
    budgets_[static_cast<std::size_t>(tiers[i].id)] = std::make_unique<RateBudget>(tiers[i], clock, window_scale);
  }
}

RateBudget& BudgetSet::get(TierId id) { return *budgets_[static_cast<std::size_t>(id)]; }

}  // namespace sk::budget
