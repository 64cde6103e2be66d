// decide() and parse_retry_after_seconds(): every branch of the retry table.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "http/retry_policy.h"

using namespace std::chrono_literals;
using sk::http::Action;
using sk::http::decide;
using sk::http::Decision;
using sk::http::parse_retry_after_seconds;
using sk::http::Response;
using sk::http::Result;
using sk::http::RetryPolicy;
using sk::http::TransportError;

namespace {

Result http(long status, std::string retry_after = {}) {
  Result r;
  r.response.status = status;
  if (!retry_after.empty()) r.response.headers["retry-after"] = retry_after;
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
    const Decision d = decide(http(status), 1, p, 0.5);
    INFO("status " << status);
    CHECK(d.action == Action::Return);
    CHECK_FALSE(d.throttled);
    CHECK(d.delay == 0ms);
  }
  // Even on the last attempt a 4xx is returned, not turned into a give-up.
  CHECK(decide(http(404), p.max_attempts, p, 0.5).action == Action::Return);
}

TEST_CASE("decide retries 5xx with backoff", "[http][retry]") {
  const RetryPolicy p;
  for (long status : {500L, 502L, 503L, 504L}) {
    const Decision d = decide(http(status), 1, p, 0.5);
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
    const Decision d = decide(failure(c.e, "curl says why"), 2, p, 0.25);
    INFO(c.text);
    CHECK(d.action == Action::Retry);
    CHECK(d.reason == std::string(c.text) + ": curl says why");
    CHECK_FALSE(d.throttled);
    CHECK(d.delay >= 100ms);
    CHECK(d.delay <= 2 * p.base_backoff);
  }
  // Without a detail there is no dangling colon.
  CHECK(decide(failure(TransportError::Timeout, ""), 1, p, 0.5).reason == "timed out");
}

TEST_CASE("decide waits Retry-After on 429 plus a little jitter", "[http][retry]") {
  const RetryPolicy p;
  SECTION("integer seconds") {
    const Decision lo = decide(http(429, "2"), 1, p, 0.0);
    CHECK(lo.action == Action::Retry);
    CHECK(lo.throttled);
    CHECK(lo.delay == 2050ms);  // at least +50 ms
    const Decision hi = decide(http(429, "2"), 1, p, 0.999999);
    CHECK(hi.delay == 2200ms);  // at most +10 %
    CHECK(hi.reason.find("429") != std::string::npos);
  }
  SECTION("decimal seconds from a time-scaled simulator") {
    const Decision d = decide(http(429, "0.6"), 1, p, 0.0);
    CHECK(d.action == Action::Retry);
    CHECK(d.throttled);
    CHECK(d.delay == 650ms);
    CHECK(decide(http(429, " 1.25 "), 1, p, 0.0).delay == 1300ms);
  }
  SECTION("jitter stays within 10 % for long waits") {
    for (double u : {0.0, 0.3, 0.7, 0.99}) {
      const Decision d = decide(http(429, "60"), 3, p, u);
      CHECK(d.delay >= 60'050ms);
      CHECK(d.delay <= 66'000ms);
    }
  }
  SECTION("exactly the cap still waits") {
    const Decision d = decide(http(429, "600"), 1, p, 0.5);
    CHECK(d.action == Action::Retry);
    CHECK(d.delay >= 600s);
  }
  SECTION("Retry-After 0") {
    const Decision d = decide(http(429, "0"), 1, p, 0.5);
    CHECK(d.action == Action::Retry);
    CHECK(d.delay == 50ms);
  }
}

TEST_CASE("decide backs off on 429 without a usable Retry-After", "[http][retry]") {
  const RetryPolicy p;
  for (const char* value : {"", "soon", "Wed, 21 Oct 2026 07:28:00 GMT", "-5", "1.2.3"}) {
    INFO("Retry-After '" << value << "'");
    const Decision d = decide(http(429, value), 1, p, 0.5);
    CHECK(d.action == Action::Retry);
    CHECK(d.throttled);
    CHECK(d.delay >= 100ms);
    CHECK(d.delay <= p.base_backoff);
    CHECK(d.reason.find("no Retry-After") != std::string::npos);
  }
}

TEST_CASE("decide gives up at once when Retry-After exceeds the cap (daily quota)", "[http][retry]") {
  const RetryPolicy p;
  const Decision d = decide(http(429, "73473"), 1, p, 0.5);
  CHECK(d.action == Action::GiveUp);
  CHECK(d.delay == 0ms);
  CHECK(d.reason ==
        "Klaviyo asked to wait 73473 s (Retry-After), more than the 600 s this connector waits; "
        "the account's quota for this endpoint is exhausted");
  CHECK(decide(http(429, "600.5"), 1, p, 0.5).action == Action::GiveUp);

  RetryPolicy shorter;
  shorter.max_retry_after = 30s;
  CHECK(decide(http(429, "31"), 1, shorter, 0.5).action == Action::GiveUp);
  CHECK(decide(http(429, "30"), 1, shorter, 0.5).action == Action::Retry);
}

TEST_CASE("decide gives up when attempts are exhausted, with the last reason", "[http][retry]") {
  RetryPolicy p;
  p.max_attempts = 3;
  CHECK(decide(http(503), 2, p, 0.5).action == Action::Retry);
  const Decision d = decide(http(503), 3, p, 0.5);
  CHECK(d.action == Action::GiveUp);
  CHECK(d.reason == "HTTP 503");

  const Decision t = decide(failure(TransportError::Reset, "Recv failure"), 3, p, 0.5);
  CHECK(t.action == Action::GiveUp);
  CHECK(t.reason == "connection reset or truncated response: Recv failure");

  const Decision r = decide(http(429, "1"), 3, p, 0.5);
  CHECK(r.action == Action::GiveUp);
  CHECK(r.throttled);
  CHECK(r.reason.find("HTTP 429") != std::string::npos);

  p.max_attempts = 1;
  CHECK(decide(http(500), 1, p, 0.5).action == Action::GiveUp);
}

TEST_CASE("backoff grows exponentially and is capped", "[http][retry]") {
  RetryPolicy p;
  p.max_attempts = 100;
  p.base_backoff = 500ms;
  p.max_backoff = 30'000ms;
  // With unit_random just under 1 the delay sits at the top of its range.
  const double top = 0.999999;
  CHECK(decide(http(503), 1, p, top).delay == 500ms);
  CHECK(decide(http(503), 2, p, top).delay == 1000ms);
  CHECK(decide(http(503), 3, p, top).delay == 2000ms);
  CHECK(decide(http(503), 6, p, top).delay == 16'000ms);
  CHECK(decide(http(503), 7, p, top).delay == 30'000ms);   // 32 s capped
  CHECK(decide(http(503), 60, p, top).delay == 30'000ms);  // no overflow far out
  std::chrono::milliseconds previous{0};
  for (int attempt = 1; attempt <= 10; ++attempt) {
    const auto d = decide(http(503), attempt, p, top).delay;
    CHECK(d >= previous);
    previous = d;
  }
}

TEST_CASE("backoff uses full jitter with a 100 ms floor", "[http][retry]") {
  RetryPolicy p;
  p.max_attempts = 100;
  CHECK(decide(http(502), 1, p, 0.0).delay == 100ms);  // floor
  CHECK(decide(http(502), 4, p, 0.0).delay == 100ms);
  CHECK(decide(http(502), 4, p, 0.5).delay == 2000ms);  // half of 4 s
  CHECK(decide(http(502), 4, p, 0.25).delay == 1000ms);
  for (int i = 0; i < 100; ++i) {
    const double u = i / 100.0;
    const auto d = decide(failure(TransportError::Timeout), 3, p, u).delay;
    CHECK(d >= 100ms);
    CHECK(d <= 2000ms);
  }
  // A tiny base still never retries sooner than 100 ms.
  p.base_backoff = 10ms;
  CHECK(decide(http(500), 1, p, 0.99).delay == 100ms);
}

TEST_CASE("parse_retry_after_seconds", "[http][retry]") {
  Response r;
  CHECK(parse_retry_after_seconds(r) == -1);
  r.headers["retry-after"] = "7";
  CHECK(parse_retry_after_seconds(r) == 7);
  r.headers["retry-after"] = " 73473\r";
  CHECK(parse_retry_after_seconds(r) == 73473);
  r.headers["retry-after"] = "0.6";
  CHECK(parse_retry_after_seconds(r) == 1);  // rounded up: never wait less than asked
  r.headers["retry-after"] = "2.0";
  CHECK(parse_retry_after_seconds(r) == 2);
  r.headers["retry-after"] = ".5";
  CHECK(parse_retry_after_seconds(r) == 1);
  r.headers["retry-after"] = "0";
  CHECK(parse_retry_after_seconds(r) == 0);
  for (const char* bad : {"", "  ", "abc", "-1", "+3", "5s", "1.", "Wed, 21 Oct 2026 07:28:00 GMT"}) {
    INFO("'" << bad << "'");
    r.headers["retry-after"] = bad;
    if (std::string(bad) == "1.") {
      CHECK(parse_retry_after_seconds(r) == 1);  // "1." is a number; accept it
    } else {
      CHECK(parse_retry_after_seconds(r) == -1);
    }
  }
  r.headers["retry-after"] = "99999999999999999999999";
  CHECK(parse_retry_after_seconds(r) > 600);  // huge, not negative
}
