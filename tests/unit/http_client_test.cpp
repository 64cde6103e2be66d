// Client::send with a scripted fake Transport and a FakeClock: retries, Retry-After, fail-fast
// on quota exhaustion, and error messages that never leak the API key.
#include <catch2/catch.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/budget/rate_budget.h"
#include "core/http/client.h"
#include "core/util/clock.h"
#include "core/util/error.h"

using namespace std::chrono_literals;
using sk::http::Client;
using sk::http::Request;
using sk::http::Response;
using sk::http::Result;
using sk::http::RetryPolicy;
using sk::http::TransportError;

namespace {

constexpr const char* kApiKey = "pk_SECRET_do_not_leak_123";

// Replays canned results in order; counts calls; remembers the requests it saw.
class ScriptedTransport final : public sk::http::Transport {
 public:
  explicit ScriptedTransport(std::deque<Result> script) : script_(std::move(script)) {}
  Result perform(const Request& req) override {
    ++*calls;
    seen->push_back(req);
    REQUIRE_FALSE(script_.empty());
    Result r = std::move(script_.front());
    script_.pop_front();
    return r;
  }
  std::shared_ptr<int> calls = std::make_shared<int>(0);
  std::shared_ptr<std::vector<Request>> seen = std::make_shared<std::vector<Request>>();

 private:
  std::deque<Result> script_;
};

Result status(long code, std::vector<std::pair<std::string, std::string>> headers = {},
              std::string body = {}) {
  Result r;
  r.response.status = code;
  r.response.body = std::move(body);
  for (auto& [k, v] : headers) r.response.headers[k] = v;
  return r;
}

Result transport_error(TransportError e, std::string detail) {
  Result r;
  r.error = e;
  r.error_detail = std::move(detail);
  return r;
}

Request events_request() {
  Request req;
  req.method = "GET";
  req.url = "https://a.klaviyo.com/api/events?filter=greater-than(datetime,2024-01-01)&page[size]=200";
  req.headers = {{"Authorization", std::string("Klaviyo-API-Key ") + kApiKey},
                 {"revision", "2026-07-15"},
                 {"Accept", "application/vnd.api+json"}};
  return req;
}

struct Harness {
  sk::FakeClock clock;
  std::vector<std::pair<std::string, std::string>> logs;
  std::shared_ptr<int> calls;
  std::unique_ptr<Client> client;

  explicit Harness(std::deque<Result> script, RetryPolicy policy = {}) {
    auto t = std::make_unique<ScriptedTransport>(std::move(script));
    calls = t->calls;
    client = std::make_unique<Client>(
        std::move(t), clock, policy,
        [this](std::string_view level, const std::string& msg) { logs.emplace_back(level, msg); });
  }
};

}  // namespace

TEST_CASE("describe names method and path only", "[http][client]") {
  Request r;
  r.url = "https://a.klaviyo.com/api/events?page[cursor]=abc#frag";
  CHECK(sk::http::describe(r) == "GET /api/events");
  r.method = "POST";
  r.url = "http://127.0.0.1:8080/api/campaign-values-reports";
  CHECK(sk::http::describe(r) == "POST /api/campaign-values-reports");
  r.url = "https://a.klaviyo.com";
  CHECK(sk::http::describe(r) == "POST /");
  r.url = "https://a.klaviyo.com?x=1";
  CHECK(sk::http::describe(r) == "POST /");
  r.url = "/api/lists/?page=2";
  CHECK(sk::http::describe(r) == "POST /api/lists/");
}

TEST_CASE("Client returns a 200 after one attempt", "[http][client]") {
  Harness h({status(200, {}, "{\"data\":[]}")});
  const Response resp = h.client->send(events_request(), nullptr);
  CHECK(resp.status == 200);
  CHECK(resp.body == "{\"data\":[]}");
  CHECK(*h.calls == 1);
  CHECK(h.clock.total_slept() == 0ms);
  CHECK(h.client->stats().requests == 1);
  CHECK(h.client->stats().retries == 0);
  CHECK(h.logs.empty());
}

TEST_CASE("Client retries 503s and then succeeds, sleeping within the backoff bounds", "[http][client]") {
  RetryPolicy p;  // base 500 ms, doubling
  Harness h({status(503), status(503), status(502), status(200)}, p);
  const Response resp = h.client->send(events_request(), nullptr);
  CHECK(resp.status == 200);
  CHECK(*h.calls == 4);
  // Three waits: each in [100 ms, 500 ms * 2^(n-1)] -> total in [300 ms, 3.5 s].
  CHECK(h.clock.total_slept() >= 300ms);
  CHECK(h.clock.total_slept() <= 3500ms);
  CHECK(h.client->stats().requests == 4);
  CHECK(h.client->stats().retries == 3);
  CHECK(h.client->stats().throttled == 0);
  REQUIRE(h.logs.size() == 3);
  CHECK(h.logs[0].first == "WARN");
  CHECK(h.logs[0].second.rfind("GET /api/events: HTTP 503, retry 1/7 in ", 0) == 0);
  CHECK(h.logs[2].second.rfind("GET /api/events: HTTP 502, retry 3/7 in ", 0) == 0);
  CHECK(h.logs[2].second.find(" s") != std::string::npos);
}

TEST_CASE("Client waits Retry-After on 429 and pauses the tier's budget", "[http][client]") {
  // A clock that lets the test act as another worker while the client sleeps.
  class HookClock final : public sk::Clock {
   public:
    sk::SysTime now() override { return fake.now(); }
    std::chrono::steady_clock::time_point steady_now() override { return fake.steady_now(); }
    void sleep_for(sk::Millis d) override {
      if (hook) {
        auto h = std::move(hook);
        hook = nullptr;
        h();
      }
      fake.sleep_for(d);
    }
    sk::FakeClock fake;
    std::function<void()> hook;
  };

  HookClock clock;
  sk::budget::RateBudget budget(sk::budget::tier(sk::budget::TierId::M), clock);
  auto t = std::make_unique<ScriptedTransport>(
      std::deque<Result>{status(429, {{"retry-after", "2"}}), status(200)});
  auto calls = t->calls;
  Client client(std::move(t), clock, RetryPolicy{}, nullptr);

  std::chrono::milliseconds other_worker_waited{-1};
  // While the client sleeps off the 429, another worker of the same tier asks for a slot.
  clock.hook = [&] { other_worker_waited = budget.acquire(); };

  const Response resp = client.send(events_request(), &budget);
  CHECK(resp.status == 200);
  CHECK(*calls == 2);
  CHECK(other_worker_waited >= 2000ms);  // the tier was paused for Retry-After
  CHECK(other_worker_waited <= 2200ms);
  CHECK(clock.fake.total_slept() >= 2000ms);
  CHECK(client.stats().throttled == 1);
  CHECK(client.stats().retries == 1);
  CHECK(budget.requests() == 3);  // two attempts plus the other worker
}

TEST_CASE("Client accepts a fractional Retry-After from the simulator", "[http][client]") {
  Harness h({status(429, {{"retry-after", "0.6"}}), status(200)});
  CHECK(h.client->send(events_request(), nullptr).status == 200);
  CHECK(h.clock.total_slept() >= 600ms);
  CHECK(h.clock.total_slept() <= 700ms);
}

TEST_CASE("Client fails fast on a daily-quota 429 without sleeping", "[http][client]") {
  sk::FakeClock clock;
  sk::budget::RateBudget budget(sk::budget::tier(sk::budget::TierId::Reporting), clock);
  auto t = std::make_unique<ScriptedTransport>(
      std::deque<Result>{status(429, {{"retry-after", "73473"}})});
  auto calls = t->calls;
  Client client(std::move(t), clock, RetryPolicy{}, nullptr);
  Request req;
  req.method = "POST";
  req.url = "https://a.klaviyo.com/api/flow-series-reports";
  req.headers = {{"Authorization", std::string("Klaviyo-API-Key ") + kApiKey}};
  req.body = "{}";
  try {
    client.send(req, &budget);
    FAIL("expected a transient error");
  } catch (const sk::SourceError& e) {
    CHECK(e.failure().type == sk::FailureType::Transient);
    const std::string msg = e.failure().message;
    CHECK(msg.find("POST /api/flow-series-reports") != std::string::npos);
    CHECK(msg.find("73473 s") != std::string::npos);
    CHECK(msg.find("600 s") != std::string::npos);
    CHECK(msg.find(kApiKey) == std::string::npos);
  }
  CHECK(*calls == 1);
  CHECK(clock.total_slept() == 0ms);
}

TEST_CASE("Client returns a 401 immediately", "[http][client]") {
  Harness h({status(401, {}, R"({"errors":[{"code":"not_authenticated"}]})")});
  const Response resp = h.client->send(events_request(), nullptr);
  CHECK(resp.status == 401);
  CHECK(*h.calls == 1);
  CHECK(h.clock.total_slept() == 0ms);
  CHECK(h.logs.empty());
}

TEST_CASE("Client throws a transient error naming the request once retries are exhausted",
          "[http][client]") {
  RetryPolicy p;
  p.max_attempts = 4;
  Harness h({status(503), transport_error(TransportError::Timeout, "Operation timed out after 120000 ms"),
             status(500), status(503)},
            p);
  try {
    h.client->send(events_request(), nullptr);
    FAIL("expected a transient error");
  } catch (const sk::SourceError& e) {
    const auto& f = e.failure();
    CHECK(f.type == sk::FailureType::Transient);
    CHECK(f.message.find("GET /api/events") != std::string::npos);
    CHECK(f.message.find("HTTP 503") != std::string::npos);
    CHECK(f.message.find("4 attempts") != std::string::npos);
    CHECK(f.internal_message.find("4") != std::string::npos);
    for (const std::string& text : {f.message, f.internal_message}) {
      CHECK(text.find(kApiKey) == std::string::npos);
      CHECK(text.find("Authorization") == std::string::npos);
      CHECK(text.find("filter") == std::string::npos);  // no query string either
    }
  }
  CHECK(*h.calls == 4);
  CHECK(h.client->stats().retries == 3);
  REQUIRE(h.logs.size() == 3);
  CHECK(h.logs[1].second.find("timed out") != std::string::npos);
  for (const auto& [level, msg] : h.logs) CHECK(msg.find(kApiKey) == std::string::npos);
}

TEST_CASE("Client retries DNS and TLS failures and hints at the base URL", "[http][client]") {
  RetryPolicy p;
  p.max_attempts = 2;
  SECTION("DNS") {
    Harness h({transport_error(TransportError::Dns, "Could not resolve host: a.klaviyo.test"),
               transport_error(TransportError::Dns, "Could not resolve host: a.klaviyo.test")},
              p);
    try {
      h.client->send(events_request(), nullptr);
      FAIL("expected a transient error");
    } catch (const sk::SourceError& e) {
      CHECK(e.failure().type == sk::FailureType::Transient);
      CHECK(e.failure().message.find("DNS lookup failed") != std::string::npos);
      CHECK(e.failure().message.find("base URL") != std::string::npos);
    }
    CHECK(*h.calls == 2);
  }
  SECTION("TLS") {
    Harness h({transport_error(TransportError::Tls, "SSL certificate problem"), status(200)}, p);
    CHECK(h.client->send(events_request(), nullptr).status == 200);
    CHECK(*h.calls == 2);
  }
}

TEST_CASE("Client feeds RateLimit headers to the budget", "[http][client]") {
  sk::FakeClock clock;
  sk::budget::RateBudget budget(sk::budget::tier(sk::budget::TierId::M), clock);
  auto t = std::make_unique<ScriptedTransport>(std::deque<Result>{
      status(200, {{"ratelimit-limit", "150"}, {"ratelimit-remaining", "0"}, {"ratelimit-reset", "5"}}),
      status(200)});
  Client client(std::move(t), clock, RetryPolicy{}, nullptr);
  CHECK(client.send(events_request(), &budget).status == 200);
  CHECK(clock.total_slept() == 0ms);
  // The server said nothing is left for 5 s: the next request of the tier waits for the reset.
  CHECK(client.send(events_request(), &budget).status == 200);
  CHECK(clock.total_slept() >= 5000ms);
  CHECK(budget.waited() >= 5000ms);
}
