// decide(, kNow) and parse_retry_after_seconds(): every branch of the retry table.
#include <catch2/catch.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/budget/rate_budget.h"
#include "core/http/client.h"
#include "core/http/retry_policy.h"
#include "core/util/clock.h"

using namespace std::chrono_literals;
using sk::http::Action;
using sk::http::decide;
using sk::http::Decision;
using sk::http::parse_http_date;
using sk::http::parse_retry_after_seconds;
using sk::http::Response;
using sk::http::Result;
using sk::http::RetryPolicy;
using sk::http::TransportError;

namespace {

// The wall-clock time decide() is told the response arrived: Tue, 14 Nov 2023 22:13:20 GMT.
const sk::SysTime kNow{std::chrono::seconds{1'700'000'000}};

Result http(long status, std::string retry_after = {}) {
  Result r;
  r.response.status = status;
  if (!retry_after.empty()) r.response.headers["retry-after"] = retry_after;
  return r;
}

Result http429(std::vector<std::pair<std::string, std::string>> headers) {
  Result r;
  r.response.status = 429;
  for (auto& [k, v] : headers) r.response.headers[k] = v;
  return r;
}

Result failure(TransportError e, std::string detail = "detail text") {
  Result r;
  r.error = e;
  r.error_detail = std::move(detail);
  return r;
}

}  // namespace

TEST_CASE("decide returns success and client errors as they are", "[http][retry]") {
  const RetryPolicy p;
  for (long status : {200L, 201L, 204L, 301L, 400L, 401L, 403L, 404L, 405L, 410L, 422L}) {
    const Decision d = decide(http(status), 1, p, 0.5, kNow);
    INFO("status " << status);
    CHECK(d.action == Action::Return);
    CHECK_FALSE(d.throttled);
    CHECK(d.delay == 0ms);
  }
  // Even on the last attempt a 4xx is returned, not turned into a give-up.
  CHECK(decide(http(404), p.max_attempts, p, 0.5, kNow).action == Action::Return);
}

TEST_CASE("decide retries 5xx with backoff", "[http][retry]") {
  const RetryPolicy p;
  for (long status : {500L, 502L, 503L, 504L}) {
    const Decision d = decide(http(status), 1, p, 0.5, kNow);
    INFO("status " << status);
    CHECK(d.action == Action::Retry);
    CHECK(d.reason == "HTTP " + std::to_string(status));
    CHECK_FALSE(d.throttled);
    CHECK(d.delay >= 100ms);
    CHECK(d.delay <= p.base_backoff);
  }
}

TEST_CASE("decide retries every transport error and names its kind", "[http][retry]") {
  const RetryPolicy p;
  struct Case {
    TransportError e;
    const char* text;
  };
  for (const Case& c : {Case{TransportError::Connect, "connection refused"},
                        Case{TransportError::Timeout, "timed out"},
                        Case{TransportError::Reset, "connection reset or truncated response"},
                        Case{TransportError::Dns, "DNS lookup failed"},
                        Case{TransportError::Tls, "TLS error"},
                        Case{TransportError::Other, "network error"}}) {
    const Decision d = decide(failure(c.e, "curl says why"), 2, p, 0.25, kNow);
    INFO(c.text);
    CHECK(d.action == Action::Retry);
    CHECK(d.reason == std::string(c.text) + ": curl says why");
    CHECK_FALSE(d.throttled);
    CHECK(d.delay >= 100ms);
    CHECK(d.delay <= 2 * p.base_backoff);
  }
  // Without a detail there is no dangling colon.
  CHECK(decide(failure(TransportError::Timeout, ""), 1, p, 0.5, kNow).reason == "timed out");
}

TEST_CASE("decide waits Retry-After on 429 plus a little jitter", "[http][retry]") {
  const RetryPolicy p;
  SECTION("integer seconds") {
    const Decision lo = decide(http(429, "2"), 1, p, 0.0, kNow);
    CHECK(lo.action == Action::Retry);
    CHECK(lo.throttled);
    CHECK(lo.delay == 2050ms);  // at least +50 ms
    const Decision hi = decide(http(429, "2"), 1, p, 0.999999, kNow);
    CHECK(hi.delay == 2200ms);  // at most +10 %
    CHECK(hi.reason.find("429") != std::string::npos);
  }
  SECTION("decimal seconds from a time-scaled simulator") {
    const Decision d = decide(http(429, "0.6"), 1, p, 0.0, kNow);
    CHECK(d.action == Action::Retry);
    CHECK(d.throttled);
    CHECK(d.delay == 650ms);
    CHECK(decide(http(429, " 1.25 "), 1, p, 0.0, kNow).delay == 1300ms);
  }
  SECTION("jitter stays within 10 % for long waits") {
    for (double u : {0.0, 0.3, 0.7, 0.99}) {
      const Decision d = decide(http(429, "60"), 3, p, u, kNow);
      CHECK(d.delay >= 60'050ms);
      CHECK(d.delay <= 66'000ms);
    }
  }
  SECTION("exactly the cap still waits") {
    const Decision d = decide(http(429, "600"), 1, p, 0.5, kNow);
    CHECK(d.action == Action::Retry);
    CHECK(d.delay >= 600s);
  }
  SECTION("Retry-After 0") {
    const Decision d = decide(http(429, "0"), 1, p, 0.5, kNow);
    CHECK(d.action == Action::Retry);
    CHECK(d.delay == 50ms);
  }
}

TEST_CASE("decide backs off on 429 without a usable Retry-After", "[http][retry]") {
  const RetryPolicy p;
  for (const char* value : {"", "soon", "-5", "1.2.3", "Tue, 14 Nov 2023 22:13:50"}) {
    INFO("Retry-After '" << value << "'");
    const Decision d = decide(http(429, value), 1, p, 0.5, kNow);
    CHECK(d.action == Action::Retry);
    CHECK(d.throttled);
    CHECK(d.delay >= 100ms);
    CHECK(d.delay <= p.base_backoff);
    CHECK(d.reason.find("no Retry-After") != std::string::npos);
  }
}

TEST_CASE("decide gives up at once when Retry-After exceeds the cap (daily quota)", "[http][retry]") {
  const RetryPolicy p;
  const Decision d = decide(http(429, "73473"), 1, p, 0.5, kNow);
  CHECK(d.action == Action::GiveUp);
  CHECK(d.delay == 0ms);
  CHECK(d.reason ==
        "Klaviyo asked to wait 73473 s (Retry-After), more than the 600 s this connector waits; "
        "the account's quota for this endpoint is exhausted");
  CHECK(decide(http(429, "600.5"), 1, p, 0.5, kNow).action == Action::GiveUp);

  RetryPolicy shorter;
  shorter.max_retry_after = 30s;
  CHECK(decide(http(429, "31"), 1, shorter, 0.5, kNow).action == Action::GiveUp);
  CHECK(decide(http(429, "30"), 1, shorter, 0.5, kNow).action == Action::Retry);
}

TEST_CASE("decide gives up when attempts are exhausted, with the last reason", "[http][retry]") {
  RetryPolicy p;
  p.max_attempts = 3;
  CHECK(decide(http(503), 2, p, 0.5, kNow).action == Action::Retry);
  const Decision d = decide(http(503), 3, p, 0.5, kNow);
  CHECK(d.action == Action::GiveUp);
  CHECK(d.reason == "HTTP 503");

  const Decision t = decide(failure(TransportError::Reset, "Recv failure"), 3, p, 0.5, kNow);
  CHECK(t.action == Action::GiveUp);
  CHECK(t.reason == "connection reset or truncated response: Recv failure");

  const Decision r = decide(http(429, "1"), 3, p, 0.5, kNow);
  CHECK(r.action == Action::GiveUp);
  CHECK(r.throttled);
  CHECK(r.reason.find("HTTP 429") != std::string::npos);

  p.max_attempts = 1;
  CHECK(decide(http(500), 1, p, 0.5, kNow).action == Action::GiveUp);
}

TEST_CASE("backoff grows exponentially and is capped", "[http][retry]") {
  RetryPolicy p;
  p.max_attempts = 100;
  p.base_backoff = 500ms;
  p.max_backoff = 30'000ms;
  // With unit_random just under 1 the delay sits at the top of its range.
  const double top = 0.999999;
  CHECK(decide(http(503), 1, p, top, kNow).delay == 500ms);
  CHECK(decide(http(503), 2, p, top, kNow).delay == 1000ms);
  CHECK(decide(http(503), 3, p, top, kNow).delay == 2000ms);
  CHECK(decide(http(503), 6, p, top, kNow).delay == 16'000ms);
  CHECK(decide(http(503), 7, p, top, kNow).delay == 30'000ms);   // 32 s capped
  CHECK(decide(http(503), 60, p, top, kNow).delay == 30'000ms);  // no overflow far out
  std::chrono::milliseconds previous{0};
  for (int attempt = 1; attempt <= 10; ++attempt) {
    const auto d = decide(http(503), attempt, p, top, kNow).delay;
    CHECK(d >= previous);
    previous = d;
  }
}

TEST_CASE("backoff uses full jitter with a 100 ms floor", "[http][retry]") {
  RetryPolicy p;
  p.max_attempts = 100;
  CHECK(decide(http(502), 1, p, 0.0, kNow).delay == 100ms);  // floor
  CHECK(decide(http(502), 4, p, 0.0, kNow).delay == 100ms);
  CHECK(decide(http(502), 4, p, 0.5, kNow).delay == 2000ms);  // half of 4 s
  CHECK(decide(http(502), 4, p, 0.25, kNow).delay == 1000ms);
  for (int i = 0; i < 100; ++i) {
    const double u = i / 100.0;
    const auto d = decide(failure(TransportError::Timeout), 3, p, u, kNow).delay;
    CHECK(d >= 100ms);
    CHECK(d <= 2000ms);
  }
  // A tiny base still never retries sooner than 100 ms.
  p.base_backoff = 10ms;
  CHECK(decide(http(500), 1, p, 0.99, kNow).delay == 100ms);
}

TEST_CASE("parse_retry_after_seconds", "[http][retry]") {
  Response r;
  CHECK(parse_retry_after_seconds(r, kNow) == -1);
  r.headers["retry-after"] = "7";
  CHECK(parse_retry_after_seconds(r, kNow) == 7);
  r.headers["retry-after"] = " 73473\r";
  CHECK(parse_retry_after_seconds(r, kNow) == 73473);
  r.headers["retry-after"] = "0.6";
  CHECK(parse_retry_after_seconds(r, kNow) == 1);  // rounded up: never wait less than asked
  r.headers["retry-after"] = "2.0";
  CHECK(parse_retry_after_seconds(r, kNow) == 2);
  r.headers["retry-after"] = ".5";
  CHECK(parse_retry_after_seconds(r, kNow) == 1);
  r.headers["retry-after"] = "0";
  CHECK(parse_retry_after_seconds(r, kNow) == 0);
  for (const char* bad : {"", "  ", "abc", "-1", "+3", "5s", "1.", "21 Oct 2026 07:28:00 GMT"}) {
    INFO("'" << bad << "'");
    r.headers["retry-after"] = bad;
    if (std::string(bad) == "1.") {
      CHECK(parse_retry_after_seconds(r, kNow) == 1);  // "1." is a number; accept it
    } else {
      CHECK(parse_retry_after_seconds(r, kNow) == -1);
    }
  }
  r.headers["retry-after"] = "99999999999999999999999";
  CHECK(parse_retry_after_seconds(r, kNow) > 600);  // huge, not negative
}

// --- Retry-After as an HTTP-date (RFC 9110 5.6.7), read against the injected wall clock ----------

TEST_CASE("parse_http_date reads the three forms of RFC 9110", "[http][retry]") {
  using namespace std::chrono;
  // RFC 9110's own example, in each form: 1994-11-06T08:49:37Z.
  const sys_seconds expected = sys_days{1994y / November / 6} + 8h + 49min + 37s;
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", kNow) == expected);    // IMF-fixdate
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", kNow) == expected);   // RFC 850
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994", kNow) == expected);         // asctime
  CHECK(parse_http_date("Sun Nov 06 08:49:37 1994", kNow) == expected);         // asctime, 2-digit day
  CHECK(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT\r", kNow) == expected); // header whitespace
  CHECK(parse_http_date("sun, 06 nov 1994 08:49:37 gmt", kNow) == expected);    // lenient case
  CHECK(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT", kNow) == sys_days{2024y / February / 29});
  // A leap second is grammatical; it is the first second of the next minute.
  CHECK(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT", kNow) == sys_days{2017y / January / 1});
  // Four-digit years at both ends are read without overflow.
  CHECK(parse_http_date("Sat, 01 Jan 0000 00:00:00 GMT", kNow) == sys_days{year{0} / January / 1});
  CHECK(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT", kNow) ==
        sys_days{year{9999} / December / 31} + 23h + 59min + 59s);
}

TEST_CASE("parse_http_date puts an RFC 850 two-digit year within 50 years of now", "[http][retry]") {
  using namespace std::chrono;
  // kNow is in 2023: 73 is 2073 (exactly 50 years ahead), 74 would be more than 50, so 1974.
  CHECK(parse_http_date("Monday, 01-Jan-73 00:00:00 GMT", kNow) == sys_days{2073y / January / 1});
  CHECK(parse_http_date("Tuesday, 01-Jan-74 00:00:00 GMT", kNow) == sys_days{1974y / January / 1});
  CHECK(parse_http_date("Sunday, 01-Jan-23 00:00:00 GMT", kNow) == sys_days{2023y / January / 1});
  // Near the end of a century the next one's years are near too.
  const sk::SysTime in_2090{sys_days{2090y / June / 1}};
  CHECK(parse_http_date("Monday, 01-Jan-05 00:00:00 GMT", in_2090) == sys_days{2105y / January / 1});
  CHECK(parse_http_date("Monday, 01-Jan-40 00:00:00 GMT", in_2090) == sys_days{2140y / January / 1});
  CHECK(parse_http_date("Monday, 01-Jan-41 00:00:00 GMT", in_2090) == sys_days{2041y / January / 1});
}

TEST_CASE("parse_http_date rejects what is not an HTTP-date", "[http][retry]") {
  for (const char* bad : {
           "", "GMT", "Sun", "Sun,", "120",
           "Sun, 06 Nov 1994 08:49:37",          // no zone
           "Sun, 06 Nov 1994 08:49:37 UTC",      // RFC 9110 says GMT
           "Sun, 06 Nov 1994 08:49:37 GMT x",    // trailing text
           "Sun, 06 Nov 94 08:49:37 GMT",        // IMF-fixdate with a 2-digit year
           "Sun, 6 Nov 1994 08:49:37 GMT",       // 1-digit day
           "Sun, 06 Foo 1994 08:49:37 GMT",      // no such month
           "Xyz, 06 Nov 1994 08:49:37 GMT",      // no such day
           "Sun, 31 Feb 1994 08:49:37 GMT",      // no such date
           "Sun, 29 Feb 2023 08:49:37 GMT",      // 2023 is not a leap year
           "Sun, 00 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 24:00:00 GMT",      // hour 24
           "Sun, 06 Nov 1994 08:60:00 GMT",      // minute 60
           "Sun, 06 Nov 1994 08:49:61 GMT",      // second 61
           "Sun, 06 Nov 1994 8:49:37 GMT",
           "Sun, 06 Nov -994 08:49:37 GMT",
           "Sun, 06 Nov 19945 08:49:37 GMT",     // year 19945
           "Sunday, 06-Nov-1994 08:49:37 GMT",   // RFC 850 takes 2 digits
           "Sunday, 06 Nov 1994 08:49:37 GMT",   // long day name in IMF-fixdate
           "Sun Nov  6 08:49:37 1994 GMT",       // asctime has no zone
           "Sun Nov 6 08:49:37 1994",            // asctime pads the day with a space
           "Sun Nov  6 08:49:37 94",
           "2026-10-21T07:28:00Z"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_http_date(bad, kNow).has_value());
  }
}

TEST_CASE("decide waits until an HTTP-date Retry-After", "[http][retry]") {
  const RetryPolicy p;
  // kNow is Tue, 14 Nov 2023 22:13:20 GMT; each form says 30 s later.
  for (const char* date : {"Tue, 14 Nov 2023 22:13:50 GMT", "Tuesday, 14-Nov-23 22:13:50 GMT",
                           "Tue Nov 14 22:13:50 2023"}) {
    INFO(date);
    const Decision d = decide(http(429, date), 1, p, 0.0, kNow);
    CHECK(d.action == Action::Retry);
    CHECK(d.throttled);
    CHECK(d.delay == 30'050ms);  // 30 s plus the minimum jitter
    CHECK(d.reason == "HTTP 429 (rate limited, Retry-After 30 s)");
    CHECK(parse_retry_after_seconds(http(429, date).response, kNow) == 30);
  }
  SECTION("now's milliseconds count: never wake before the date") {
    const Decision d = decide(http(429, "Tue, 14 Nov 2023 22:13:22 GMT"), 1, p, 0.0, kNow + 300ms);
    CHECK(d.delay == 1700ms + 50ms);
    CHECK(parse_retry_after_seconds(http(429, "Tue, 14 Nov 2023 22:13:22 GMT").response, kNow + 300ms) == 2);
  }
  SECTION("a date in the past (or now) retries at once, after the minimum wait") {
    for (const char* past : {"Tue, 14 Nov 2023 22:13:20 GMT", "Tue, 14 Nov 2023 22:13:19 GMT",
                             "Sun, 06 Nov 1994 08:49:37 GMT", "Sat, 01 Jan 0000 00:00:00 GMT"}) {
      INFO(past);
      const Decision d = decide(http(429, past), 1, p, 0.5, kNow);
      CHECK(d.action == Action::Retry);
      CHECK(d.delay == 50ms);
      CHECK(d.reason == "HTTP 429 (rate limited, Retry-After 0 s)");
      CHECK(parse_retry_after_seconds(http(429, past).response, kNow) == 0);
    }
  }
  SECTION("a date beyond the cap gives up like a long delta-seconds") {
    const Decision d = decide(http(429, "Wed, 15 Nov 2023 00:00:00 GMT"), 1, p, 0.5, kNow);
    CHECK(d.action == Action::GiveUp);
    CHECK(d.throttled);
    CHECK(d.reason ==
          "Klaviyo asked to wait 6400 s (Retry-After), more than the 600 s this connector waits; "
          "the account's quota for this endpoint is exhausted");
    // The far future neither overflows nor goes negative.
    const Decision far = decide(http(429, "Fri, 31 Dec 9999 23:59:59 GMT"), 1, p, 0.5, kNow);
    CHECK(far.action == Action::GiveUp);
    CHECK(parse_retry_after_seconds(http(429, "Fri, 31 Dec 9999 23:59:59 GMT").response, kNow) > 600);
  }
  SECTION("an unreadable date is treated as absent") {
    for (const char* bad : {"Tue, 31 Nov 2023 22:13:50 GMT", "Tue, 14 Nov 2023 22:13:50 PST", "tomorrow"}) {
      INFO(bad);
      const Decision d = decide(http(429, bad), 1, p, 0.5, kNow);
      CHECK(d.action == Action::Retry);
      CHECK(d.reason == "HTTP 429 (rate limited, no Retry-After)");
      CHECK(parse_retry_after_seconds(http(429, bad).response, kNow) == -1);
    }
  }
}

// --- RateLimit-Reset when a 429 has no Retry-After -------------------------------------------------

TEST_CASE("decide waits RateLimit-Reset on a 429 without Retry-After", "[http][retry]") {
  const RetryPolicy p;
  SECTION("whole and decimal seconds") {
    const Decision d = decide(http429({{"ratelimit-reset", "5"}}), 1, p, 0.0, kNow);
    CHECK(d.action == Action::Retry);
    CHECK(d.throttled);
    CHECK(d.delay == 5050ms);
    CHECK(d.reason == "HTTP 429 (rate limited, RateLimit-Reset 5 s)");
    CHECK(decide(http429({{"ratelimit-reset", "0.6"}}), 1, p, 0.0, kNow).delay == 650ms);
    CHECK(decide(http429({{"ratelimit-reset", "30;w=60"}}), 1, p, 0.0, kNow).delay == 30'050ms);
    CHECK(decide(http429({{"ratelimit-reset", "0"}}), 1, p, 0.0, kNow).delay == 50ms);
  }
  SECTION("Retry-After wins when both are given") {
    const Decision d =
        decide(http429({{"retry-after", "2"}, {"ratelimit-reset", "40"}}), 1, p, 0.0, kNow);
    CHECK(d.delay == 2050ms);
    CHECK(d.reason.find("Retry-After 2 s") != std::string::npos);
  }
  SECTION("an unreadable Retry-After falls back to RateLimit-Reset") {
    const Decision d =
        decide(http429({{"retry-after", "soon"}, {"ratelimit-reset", "7"}}), 1, p, 0.0, kNow);
    CHECK(d.delay == 7050ms);
    CHECK(d.reason == "HTTP 429 (rate limited, RateLimit-Reset 7 s)");
  }
  SECTION("beyond the cap: give up, naming the header") {
    const Decision d = decide(http429({{"ratelimit-reset", "86400"}}), 1, p, 0.5, kNow);
    CHECK(d.action == Action::GiveUp);
    CHECK(d.reason ==
          "Klaviyo asked to wait 86400 s (RateLimit-Reset), more than the 600 s this connector "
          "waits; the account's quota for this endpoint is exhausted");
  }
  SECTION("an unreadable RateLimit-Reset: backoff") {
    for (const char* bad : {"", "soon", "-3", "Tue, 14 Nov 2023 22:13:50 GMT"}) {
      INFO("'" << bad << "'");
      const Decision d = decide(http429({{"ratelimit-reset", bad}}), 1, p, 0.5, kNow);
      CHECK(d.action == Action::Retry);
      CHECK(d.delay <= p.base_backoff);
      CHECK(d.reason == "HTTP 429 (rate limited, no Retry-After)");
    }
  }
  SECTION("the last attempt still gives up") {
    const Decision d = decide(http429({{"ratelimit-reset", "1"}}), p.max_attempts, p, 0.5, kNow);
    CHECK(d.action == Action::GiveUp);
    CHECK(d.throttled);
  }
}

TEST_CASE("rate_limit_reset", "[http][retry]") {
  Response r;
  CHECK_FALSE(sk::http::rate_limit_reset(r).has_value());
  r.headers["ratelimit-reset"] = "42";
  CHECK(sk::http::rate_limit_reset(r) == 42'000ms);
  r.headers["ratelimit-reset"] = "0.06";
  CHECK(sk::http::rate_limit_reset(r) == 60ms);
  r.headers["ratelimit-reset"] = " 12;w=60";
  CHECK(sk::http::rate_limit_reset(r) == 12'000ms);
  r.headers["ratelimit-reset"] = "x";
  CHECK_FALSE(sk::http::rate_limit_reset(r).has_value());
}

// --- Through the Client: the date is read against the injected Clock ---------------------------

namespace {

class Replay final : public sk::http::Transport {
 public:
  explicit Replay(std::deque<Result> script) : script_(std::move(script)) {}
  Result perform(const sk::http::Request&) override {
    REQUIRE_FALSE(script_.empty());
    Result r = std::move(script_.front());
    script_.pop_front();
    return r;
  }

 private:
  std::deque<Result> script_;
};

sk::http::Request get_events() {
  sk::http::Request req;
  req.url = "https://a.klaviyo.com/api/events";
  return req;
}

}  // namespace

TEST_CASE("Client sleeps until an HTTP-date Retry-After on its own clock", "[http][retry][client]") {
  sk::FakeClock clock(kNow);  // Tue, 14 Nov 2023 22:13:20 GMT
  sk::budget::RateBudget budget(sk::budget::tier(sk::budget::TierId::XL), clock);
  std::vector<std::string> logs;
  sk::http::Client client(
      std::make_unique<Replay>(std::deque<Result>{http(429, "Tue, 14 Nov 2023 22:14:05 GMT"), http(200)}),
      clock, RetryPolicy{}, [&](std::string_view, const std::string& m) { logs.push_back(m); });
  CHECK(client.send(get_events(), &budget).status == 200);
  CHECK(clock.total_slept() >= 45s);
  CHECK(clock.total_slept() <= 45s + 4500ms);  // at most 10 % jitter
  REQUIRE(logs.size() == 1);
  CHECK(logs[0].find("Retry-After 45 s") != std::string::npos);
}

TEST_CASE("Client waits RateLimit-Reset on a bare 429 and pauses the tier", "[http][retry][client]") {
  sk::FakeClock clock(kNow);
  sk::budget::RateBudget budget(sk::budget::tier(sk::budget::TierId::XL), clock);
  sk::http::Client client(
      std::make_unique<Replay>(std::deque<Result>{http429({{"ratelimit-reset", "12"}}), http(200)}),
      clock, RetryPolicy{}, nullptr);
  CHECK(client.send(get_events(), &budget).status == 200);
  CHECK(clock.total_slept() >= 12s);
  CHECK(clock.total_slept() <= 13'200ms);
}

TEST_CASE("Client feeds a decimal RateLimit-Reset to the budget without rounding it away",
          "[http][retry][client]") {
  sk::FakeClock clock(kNow);
  sk::budget::RateBudget budget(sk::budget::tier(sk::budget::TierId::M), clock);
  // The time-scaled simulator says 2 requests are left for 0.4 s: one every 200 ms.
  Result r = http(200);
  r.response.headers = {{"ratelimit-limit", "150"}, {"ratelimit-remaining", "2"}, {"ratelimit-reset", "0.4"}};
  sk::http::Client paced(std::make_unique<Replay>(std::deque<Result>{r, http(200)}), clock, RetryPolicy{},
                         nullptr);
  CHECK(paced.send(get_events(), &budget).status == 200);
  CHECK(paced.send(get_events(), &budget).status == 200);
  CHECK(budget.waited() == 200ms);
}

TEST_CASE("decide reports the wait the server asked for", "[http][retry]") {
  const RetryPolicy p;
  CHECK(decide(http(429, "2"), 1, p, 0.5, kNow).server_wait == 2000ms);
  CHECK(decide(http(429, "73473"), 1, p, 0.5, kNow).server_wait == 73'473'000ms);  // over the cap
  CHECK(decide(http(429, "Tue, 14 Nov 2023 22:13:50 GMT"), 1, p, 0.5, kNow).server_wait == 30s);
  CHECK(decide(http(429, "Sun, 06 Nov 1994 08:49:37 GMT"), 1, p, 0.5, kNow).server_wait == 0ms);
  CHECK(decide(http429({{"ratelimit-reset", "9"}}), 1, p, 0.5, kNow).server_wait == 9s);
  CHECK(decide(http(429, "1"), p.max_attempts, p, 0.5, kNow).server_wait == 1s);  // last attempt too
  CHECK(decide(http(429), 1, p, 0.5, kNow).server_wait == -1ms);
  CHECK(decide(http(503), 1, p, 0.5, kNow).server_wait == -1ms);
}
