// RateBudget and the tier table, on a FakeClock: no sliding window ever exceeds a tier's limits.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

#include "core/budget/rate_budget.h"
#include "core/util/clock.h"
#include "core/util/error.h"
#include "core/util/stop.h"

using namespace std::chrono_literals;
using sk::budget::RateBudget;
using sk::budget::Tier;
using sk::budget::TierId;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

// Largest number of grants inside any half-open window [t, t + length).
std::size_t max_in_window(const std::vector<SteadyTime>& grants, std::chrono::milliseconds length) {
  std::size_t best = 0, lo = 0;
  for (std::size_t hi = 0; hi < grants.size(); ++hi) {
    while (grants[hi] - grants[lo] >= length) ++lo;
    best = std::max(best, hi - lo + 1);
  }
  return best;
}

std::vector<SteadyTime> acquire_n(RateBudget& b, sk::Clock& clock, int n) {
  std::vector<SteadyTime> grants;
  for (int i = 0; i < n; ++i) {
    b.acquire();
    grants.push_back(clock.steady_now());
  }
  return grants;
}

// A clock whose sleep_for blocks until the test moves time to the sleeper's deadline (or a stop is
// requested), so the test decides when a waiting grant may proceed; time moves only then.
class GateClock final : public sk::Clock {
 public:
  sk::SysTime now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return sk::SysTime{} + elapsed_;
  }
  SteadyTime steady_now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return SteadyTime{} + elapsed_;
  }
  void sleep_for(sk::Millis d) override {
    std::unique_lock<std::mutex> lock(mu_);
    const sk::Millis until = elapsed_ + d;
    const auto it = deadlines_.insert(until);
    while (elapsed_ < until) {
      if (sk::stop_requested()) {
        deadlines_.erase(it);
        return;
      }
      moved_.wait_for(lock, 5ms);  // real time, only to see a stop request
    }
  }
  // Moves time to the earliest deadline of a sleeper, if one sleeps; true if it did.
  bool release_one() {
    std::lock_guard<std::mutex> lock(mu_);
    if (deadlines_.empty()) return false;
    elapsed_ = std::max(elapsed_, *deadlines_.begin());
    deadlines_.erase(deadlines_.begin(), deadlines_.upper_bound(elapsed_));
    moved_.notify_all();
    return true;
  }
  std::size_t sleepers() {
    std::lock_guard<std::mutex> lock(mu_);
    return deadlines_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable moved_;
  sk::Millis elapsed_{0};
  std::multiset<sk::Millis> deadlines_;
};

// Spins (yielding) until `cond` holds; fails the test instead of hanging after a generous while.
void await(const std::function<bool()>& cond, const char* what) {
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > give_up) FAIL("timed out waiting until " << what);
    std::this_thread::yield();
  }
}

}  // namespace

TEST_CASE("tier table matches Klaviyo's documented limits", "[budget]") {
  std::size_t count = 0;
  const Tier* tiers = sk::budget::all_tiers(&count);
  REQUIRE(count == 7);
  for (std::size_t i = 0; i < count; ++i) CHECK(static_cast<std::size_t>(tiers[i].id) == i);
  auto check = [](TierId id, const char* name, int burst, int steady, int day) {
    const Tier& t = sk::budget::tier(id);
    CHECK(t.id == id);
    CHECK(t.name == name);
    CHECK(t.burst_per_second == burst);
    CHECK(t.steady_per_minute == steady);
    CHECK(t.per_day == day);
  };
  check(TierId::XS, "XS", 1, 15, 0);
  check(TierId::S, "S", 3, 60, 0);
  check(TierId::M, "M", 10, 150, 0);
  check(TierId::L, "L", 75, 750, 0);
  check(TierId::XL, "XL", 350, 3500, 0);
  check(TierId::Reporting, "reporting", 1, 2, 225);
  check(TierId::FlowReporting, "reporting (flow series)", 1, 2, 225);
}

TEST_CASE("concurrency follows the tier's rate x observed latency, a few probes before any reply", "[budget]") {
  sk::FakeClock clock;
  clock.advance(1s);  // grants at the clock's zero would read as "no grant"
  RateBudget xl(sk::budget::tier(TierId::XL), clock);
  RateBudget l(sk::budget::tier(TierId::L), clock);
  RateBudget xs(sk::budget::tier(TierId::XS), clock);
  // No reply yet: a few probes, never more than the 1-second guess gives a slow tier.
  CHECK(xl.concurrency() == RateBudget::kProbeRequests);
  CHECK(l.concurrency() == RateBudget::kProbeRequests);
  CHECK(xs.concurrency() == 2);  // 15/min x 1 s x 1.5, rounded up, plus one
  // A reply 300 ms after its grant: 3500/min x 0.3 s x 1.5 = 26.25 -> 27, plus one.
  xl.acquire();
  clock.advance(300ms);
  xl.replied();
  CHECK(xl.latency() == 300ms);
  CHECK(xl.concurrency() == 28);
  l.acquire();
  clock.advance(300ms);
  l.replied();
  CHECK(l.concurrency() == 7);  // 750/min x 0.3 x 1.5 = 5.6 -> 6, plus one
  // The estimate moves with later replies (a moving average): slower replies, more in flight.
  xl.acquire();
  clock.advance(700ms);
  xl.replied();  // 0.8 x 300 + 0.2 x 700 = 380 ms
  CHECK(xl.latency() >= 379ms);
  CHECK(xl.latency() <= 380ms);
  CHECK(xl.concurrency() == 35);  // 58.3/s x 0.38 x 1.5 = 33.25 -> 34, plus one
}

TEST_CASE("M tier: the 11th request in a second waits about a second", "[budget]") {
  sk::FakeClock clock;
  RateBudget b(sk::budget::tier(TierId::M), clock);
  for (int i = 0; i < 10; ++i) CHECK(b.acquire() == 0ms);
  CHECK(clock.total_slept() == 0ms);
  const auto waited = b.acquire();
  CHECK(waited >= 1000ms);
  CHECK(waited <= 1001ms);
  CHECK(b.requests() == 11);
  CHECK(b.waited() == waited);
}

TEST_CASE("M tier: the 151st request waits for the minute window", "[budget]") {
  sk::FakeClock clock;
  RateBudget b(sk::budget::tier(TierId::M), clock);
  const auto grants = acquire_n(b, clock, 151);
  // 150 fit in the first 15 s (10 per second); the 151st waits until the first leaves the minute.
  CHECK(grants[149] - grants[0] < 15s);
  CHECK(grants[150] - grants[0] >= 60s);
  CHECK(grants[150] - grants[0] <= 60s + 1ms);
  CHECK(max_in_window(grants, 60'000ms) <= 150);
}

TEST_CASE("no sliding window ever exceeds a tier's limits", "[budget]") {
  for (TierId id : {TierId::XS, TierId::S, TierId::M, TierId::L, TierId::XL, TierId::Reporting}) {
    const Tier& t = sk::budget::tier(id);
    INFO("tier " << t.name);
    sk::FakeClock clock;
    RateBudget b(t, clock);
    const int n = std::min(t.steady_per_minute * 3 + 7, t.per_day > 0 ? t.per_day : 1'000'000);
    std::vector<SteadyTime> grants;
    for (int i = 0; i < n; ++i) {
      b.acquire();
      grants.push_back(clock.steady_now());
      // Some think time now and then, so grants do not only fall on window edges.
      if (i % 7 == 3) clock.advance(std::chrono::milliseconds(37 * (i % 5)));
    }
    CHECK(max_in_window(grants, 1000ms) <= static_cast<std::size_t>(t.burst_per_second));
    CHECK(max_in_window(grants, 60'000ms) <= static_cast<std::size_t>(t.steady_per_minute));
    CHECK(b.requests() == static_cast<std::uint64_t>(n));
    // And the budget does not wait needlessly: the steady limit is reached, not undershot.
    CHECK(max_in_window(grants, 60'000ms) == static_cast<std::size_t>(t.steady_per_minute));
  }
}

TEST_CASE("Reporting tier: the daily quota throws once exhausted instead of waiting", "[budget]") {
  sk::FakeClock clock;
  RateBudget b(sk::budget::tier(TierId::Reporting), clock);
  const auto grants = acquire_n(b, clock, 225);
  CHECK(max_in_window(grants, 60'000ms) <= 2);
  const auto slept = clock.total_slept();
  try {
    b.acquire();
    FAIL("expected the daily quota to be exhausted");
  } catch (const sk::SourceError& e) {
    CHECK(e.failure().type == sk::FailureType::Transient);
    CHECK(e.failure().daily_quota_spent);  // the mark callers test (streams/reports.cpp), not the text
    CHECK(e.failure().http_status == 0);   // nothing was sent
    CHECK(e.failure().message.find("daily quota") != std::string::npos);
    CHECK(e.failure().message.find("225") != std::string::npos);
  }
  CHECK(clock.total_slept() == slept);  // failed fast, no sleep
  CHECK(b.requests() == 225);

  // Just before the first grant leaves the day window (within the 600 s cap) it waits instead.
  clock.advance(std::chrono::duration_cast<std::chrono::milliseconds>(grants[0] + 86'400s - 300s -
                                                                      clock.steady_now()));
  const auto waited = b.acquire();
  CHECK(waited >= 299s);
  CHECK(waited <= 301s);
}

TEST_CASE("throttled() pauses the tier", "[budget]") {
  sk::FakeClock clock;
  RateBudget b(sk::budget::tier(TierId::XL), clock);
  CHECK(b.acquire() == 0ms);
  b.throttled(2500ms);
  CHECK(b.acquire() == 2500ms);
  // A shorter pause never shortens a longer one.
  b.throttled(3000ms);
  b.throttled(1000ms);
  CHECK(b.acquire() == 3000ms);
  CHECK(b.acquire() == 0ms);
}

TEST_CASE("observe() slows down when the server has fewer requests left than we think", "[budget]") {
  sk::FakeClock clock;
  RateBudget b(sk::budget::tier(TierId::M), clock);
  SECTION("remaining 0 pauses until the reset") {
    b.acquire();
    b.observe(150, 0, 5s);
    const auto waited = b.acquire();
    CHECK(waited >= 5000ms);
    CHECK(waited <= 5001ms);
  }
  SECTION("a few left are spread over the reset") {
    b.acquire();
    b.observe(150, 4, 20s);  // 4 left for 20 s: one every 5 s
    CHECK(b.acquire() == 5000ms);
  }
  SECTION("agreeing headers change nothing") {
    b.acquire();
    b.observe(150, 149, 60s);
    for (int i = 0; i < 9; ++i) CHECK(b.acquire() == 0ms);
  }
  SECTION("absurd resets are bounded by the minute window") {
    b.acquire();
    b.observe(150, 0, 100'000s);
    CHECK(b.acquire() <= 60'000ms);
  }
  SECTION("a decimal reset (time-scaled simulator) is kept to the millisecond") {
    b.acquire();
    b.observe(150, 0, 60ms);
    CHECK(b.acquire() == 60ms);
    b.observe(150, 3, 300ms);  // 3 left for 0.3 s: one every 100 ms
    CHECK(b.acquire() == 100ms);
  }
  SECTION("nothing left and a zero reset still waits a second") {
    b.acquire();
    b.observe(150, 0, 0ms);
    CHECK(b.acquire() == 1000ms);
  }
  SECTION("negative resets count as zero") {
    b.acquire();
    b.observe(150, 2, -5s);
    CHECK(b.acquire() == 0ms);
  }
  SECTION("missing headers are ignored") {
    b.observe(-1, -1, -1ms);
    CHECK(b.acquire() == 0ms);
  }
}

TEST_CASE("BudgetSet holds one budget per tier", "[budget]") {
  sk::FakeClock clock;
  sk::budget::BudgetSet set(clock);
  for (TierId id : {TierId::XS, TierId::S, TierId::M, TierId::L, TierId::XL, TierId::Reporting}) {
    CHECK(set.get(id).tier().id == id);
  }
  CHECK(&set.get(TierId::M) == &set.get(TierId::M));
  CHECK(&set.get(TierId::M) != &set.get(TierId::L));
}

TEST_CASE("RateBudget is shared safely by several workers", "[budget]") {
  sk::FakeClock clock;
  RateBudget b(sk::budget::tier(TierId::M), clock);
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      for (int i = 0; i < 40; ++i) b.acquire();
    });
  }
  for (auto& t : workers) t.join();
  CHECK(b.requests() == 160);
  // 160 requests need the minute window to roll over at least once.
  CHECK(clock.total_slept() >= 60s);
}

TEST_CASE("RateBudget grants waiting requests first come, first served", "[budget]") {
  // XS: one request a second. One is granted at t=0; then 4 requests queue, then request X, then 4
  // later ones, all at t=0 (time moves only when the test releases the sleeper). A 429 pauses the
  // tier until t=3 s meanwhile. The k-th to arrive must be granted k-th: at 3 s + k s.
  GateClock clock;
  RateBudget b(sk::budget::tier(TierId::XS), clock);
  CHECK(b.acquire() == 0ms);
  constexpr std::size_t kEarly = 4, kLate = 4, kAll = kEarly + 1 + kLate, kX = kEarly;
  std::vector<std::chrono::milliseconds> waited(kAll, -1ms);
  std::atomic<std::size_t> granted{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < kAll; ++i) {
    threads.emplace_back([&, i] {
      waited[i] = b.acquire();
      ++granted;
    });
    await([&] { return b.waiting() == i + 1; }, "the request is in line");  // arrival order is now fixed
    if (i == 0) await([&] { return clock.sleepers() == 1; }, "the first in line sleeps");
  }
  CHECK(clock.sleepers() == 1);  // only the first in line sleeps on the clock
  b.throttled(3000ms);
  while (granted.load() < kAll) {
    clock.release_one();
    std::this_thread::yield();
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < kAll; ++i) {
    INFO("request " << i << " to arrive");
    CHECK(waited[i] == std::chrono::milliseconds(3000 + 1000 * static_cast<long long>(i)));
  }
  // X, issued while kEarly others waited, comes right after them and before every later arrival.
  CHECK(waited[kX] == 7000ms);
  for (std::size_t i = kX + 1; i < kAll; ++i) CHECK(waited[i] > waited[kX]);
  CHECK(b.waiting() == 0);
  CHECK(b.requests() == 1 + kAll);
}

TEST_CASE("RateBudget: a stop request ends every wait in line, first or not", "[budget]") {
  GateClock clock;
  RateBudget b(sk::budget::tier(TierId::XS), clock);
  CHECK(b.acquire() == 0ms);
  std::atomic<int> cancelled{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      try {
        b.acquire();
      } catch (const sk::Cancelled&) {
        ++cancelled;
      }
    });
    await([&] { return b.waiting() == i + 1; }, "the request is in line");
  }
  sk::request_stop();
  for (auto& t : threads) t.join();
  sk::clear_stop();
  CHECK(cancelled == 3);
  CHECK(b.waiting() == 0);
  CHECK(b.requests() == 1);
  // The line is free again: the next request waits its second and is granted.
  std::thread next([&] { b.acquire(); });
  await([&] { return clock.sleepers() == 1; }, "the next request sleeps");
  clock.release_one();
  next.join();
  CHECK(b.requests() == 2);
}

TEST_CASE("RateBudget: every request in line gets the daily-quota failure, none hangs", "[budget]") {
  sk::FakeClock clock;
  RateBudget b(sk::budget::tier(TierId::Reporting), clock);
  acquire_n(b, clock, 225);
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      try {
        b.acquire();
      } catch (const sk::SourceError& e) {
        if (e.failure().daily_quota_spent) ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(refused == 4);
  CHECK(b.waiting() == 0);
  CHECK(b.requests() == 225);
}
