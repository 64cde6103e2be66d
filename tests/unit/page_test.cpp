// Klaviyo's pages: the pager (links.next loops, foreign hosts, malformed bodies), the shape each
// endpoint promises, each item's raw text, and the pool of parsers.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fake_api.h"
#include "fake_read.h"
#include "core/budget/rate_budget.h"
#include "core/http/client.h"
#include "core/klaviyo/api.h"
#include "core/klaviyo/page.h"
#include "core/klaviyo/pager.h"

using nlohmann::json;
using namespace sk;
using sk::test::FakeServer;
using sk::test::FakeTransport;
using sk::test::kNow;
using sk::test::list_detail;
using sk::test::list_resource;
using sk::test::page;
using sk::test::reply;
using sk::test::test_config;

namespace {

klaviyo::Call lists_call() {
  klaviyo::Call c;
  c.path = "/api/lists";
  c.info = {budget::TierId::L, "lists"};
  return c;
}

}  // namespace

TEST_CASE("klaviyo: the pager detects loops and refuses links to other hosts", "[klaviyo]") {
  FakeClock clock(kNow);
  budget::BudgetSet budgets(clock);
  auto cfg = test_config();
  SECTION("loop") {
    FakeServer server;
    server.handler = [](const http::Request& r) { return reply(200, page({}, r.url)); };
    http::Client client(std::make_unique<FakeTransport>(server), clock, {}, nullptr);
    klaviyo::Api api(client, budgets, cfg.api_key, cfg.base_url);
    klaviyo::Pager pager(api, lists_call(), klaviyo::Shape::List);
    CHECK(pager.next() != nullptr);
    CHECK_THROWS_WITH(pager.next(), Catch::Contains("same page link twice"));
  }
  SECTION("foreign host") {
    FakeServer server;
    server.handler = [](const http::Request&) { return reply(200, page({}, "http://evil.example/api/lists?x=1")); };
    http::Client client(std::make_unique<FakeTransport>(server), clock, {}, nullptr);
    klaviyo::Api api(client, budgets, cfg.api_key, cfg.base_url);
    klaviyo::Pager pager(api, lists_call(), klaviyo::Shape::List);
    CHECK(pager.next() != nullptr);
    CHECK_THROWS_WITH(pager.next(), Catch::Contains("another host"));
    CHECK(server.urls().size() == 1);
  }
  SECTION("a body that stays malformed is a transient error after 3 fetches") {
    FakeServer server;
    int calls = 0;
    server.handler = [&](const http::Request&) { ++calls; return reply(200, R"({"data":[{"id":"1"},<!-- upstream)"); };
    http::Client client(std::make_unique<FakeTransport>(server), clock, {}, nullptr);
    klaviyo::Api api(client, budgets, cfg.api_key, cfg.base_url);
    klaviyo::Pager pager(api, lists_call(), klaviyo::Shape::List);
    try {
      pager.next();
      FAIL("expected an error");
    } catch (const SourceError& e) {
      CHECK(e.failure().type == FailureType::Transient);
    }
    CHECK(calls == 3);
  }
  SECTION("malformed JSON is retried, then succeeds") {
    FakeServer server;
    int calls = 0;
    server.handler = [&](const http::Request&) { return ++calls == 1 ? reply(200, "{\"data\": [tru") : reply(200, page({})); };
    http::Client client(std::make_unique<FakeTransport>(server), clock, {}, nullptr);
    klaviyo::Api api(client, budgets, cfg.api_key, cfg.base_url);
    klaviyo::Pager pager(api, lists_call(), klaviyo::Shape::List);
    CHECK(pager.next() != nullptr);
    CHECK(calls == 2);
    CHECK(pager.next() == nullptr);
  }
}

TEST_CASE("klaviyo: pages must have the shape their endpoint promises", "[klaviyo][page]") {
  klaviyo::PageParser parser;
  std::string error;
  using klaviyo::Shape;
  auto single = parser.parse(list_detail("L1", "2024-05-01T00:00:00+00:00", 7), Shape::Single, error);
  REQUIRE(single);
  REQUIRE(single->data.size() == 1);
  CHECK(klaviyo::to_json_text(single->data[0]["id"]) == "\"L1\"");
  CHECK(json::parse(klaviyo::to_json_text(single->data[0]))["attributes"]["profile_count"] == 7);
  CHECK_FALSE(single->next);

  auto many = parser.parse(page({list_resource("A", "x"), list_resource("B", "y")}, "http://fake/next"), Shape::List, error);
  REQUIRE(many);
  REQUIRE(many->data.size() == 2);
  CHECK(klaviyo::to_json_text(many->data[1]["id"]) == "\"B\"");
  CHECK(many->next == "http://fake/next");

  auto empty = parser.parse(R"({"data":[],"links":{"next":null}})", Shape::List, error);
  REQUIRE(empty);
  CHECK(empty->data.empty());

  for (Shape shape : {Shape::List, Shape::Single}) {
    CHECK_FALSE(parser.parse(R"({"data":null})", shape, error));
    CHECK_FALSE(parser.parse(R"({"data":"L1"})", shape, error));
    CHECK_FALSE(parser.parse(R"({"errors":[]})", shape, error));
    CHECK_FALSE(parser.parse(R"([{"data":[]}])", shape, error));
  }
  // A collection whose data is an object is malformed, not an empty (or one-record) page: taking it
  // as one lost records silently.
  CHECK_FALSE(parser.parse(list_detail("L1", "2024-05-01T00:00:00+00:00", 7), Shape::List, error));
  CHECK(error.find("not an array") != std::string::npos);
  CHECK_FALSE(parser.parse(page({list_resource("A", "x")}), Shape::Single, error));
  // Items, included and links must have their JSON:API types too.
  CHECK_FALSE(parser.parse(R"({"data":[1,2]})", Shape::List, error));
  CHECK_FALSE(parser.parse(R"({"data":[],"included":{"type":"metric"}})", Shape::List, error));
  CHECK_FALSE(parser.parse(R"({"data":[],"links":"next"})", Shape::List, error));
  CHECK_FALSE(parser.parse(R"({"data":[],"links":{"next":5}})", Shape::List, error));
  // Reports: results (and a series' date_times) must be arrays.
  CHECK(parser.parse(R"({"data":{"attributes":{"results":[{"groupings":{}}]}}})", Shape::Report, error));
  CHECK_FALSE(parser.parse(R"({"data":{"attributes":{"results":{}}}})", Shape::Report, error));
  CHECK_FALSE(parser.parse(R"({"data":{"attributes":{"results":[]}}})", Shape::Series, error));
  auto series = parser.parse(R"({"data":{"attributes":{"results":[],"date_times":["2024-01-01T00:00:00+00:00"]}}})",
                             Shape::Series, error);
  REQUIRE(series);
  CHECK(series->date_times.size() == 1);
}

TEST_CASE("klaviyo: a collection page gives each item's text exactly as sent", "[klaviyo][page]") {
  klaviyo::PageParser parser;
  std::string error;
  using klaviyo::Shape;
  // Keys before and after data, nested "data" keys, braces and brackets inside strings, escapes,
  // whitespace between items: the texts are the items' bytes, '{' to its '}'.
  const std::string a = R"({"type":"event","id":"E1","attributes":{"data":{"x":[1,{"y":"}]"}]},"s":"a\"{b"}})";
  const std::string b = R"({"type":"event","id":"E2","attributes":{ "n" : 1.50e3 , "u":"\u00e9" }})";
  const std::string body = R"({"links":{"next":null,"data":[{"no":1}]},"meta":[{"data":[]}], "data" : [ )" + a +
                           " ,	" + b + R"( ],"included":[{"type":"metric","id":"M"}]})";
  auto page = parser.parse(body, Shape::List, error);
  INFO(error);
  REQUIRE(page);
  REQUIRE(page->data.size() == 2);
  REQUIRE(page->raw.size() == 2);
  CHECK(page->raw[0] == a);
  CHECK(page->raw[1] == b);
  // The same records as the DOM has them.
  for (std::size_t i = 0; i < 2; ++i)
    CHECK(json::parse(page->raw[i]) == json::parse(klaviyo::to_json_text(page->data[i])));

  // A line break inside an item would split an output line: no raw texts, the DOM is used instead.
  auto pretty = parser.parse("{\"data\":[{\"id\":\"E1\",\n \"type\":\"event\"}]}", Shape::List, error);
  REQUIRE(pretty);
  CHECK(pretty->data.size() == 1);
  CHECK(pretty->raw.empty());
  // Line breaks between items are fine.
  auto spaced = parser.parse("{\"data\":[\n{\"id\":\"E1\"},\r\n{}\n]}\n", Shape::List, error);
  REQUIRE(spaced);
  REQUIRE(spaced->raw.size() == 2);
  CHECK(spaced->raw[0] == R"({"id":"E1"})");
  CHECK(spaced->raw[1] == "{}");
  // A key spelled with an escape is the same key to the DOM but not found by its bytes: no raw
  // texts rather than wrong ones.
  auto escaped = parser.parse(R"({"d\u0061ta":[{"id":"E1"}]})", Shape::List, error);
  REQUIRE(escaped);
  CHECK(escaped->data.size() == 1);
  CHECK(escaped->raw.empty());
  // The same parser, a body without spare capacity (copied before parsing) and an empty page.
  const std::string tight = R"({"data":[]})";
  auto empty = parser.parse(std::string(tight.begin(), tight.end()), Shape::List, error);
  REQUIRE(empty);
  CHECK(empty->raw.empty());
}

TEST_CASE("klaviyo: pooled parsers are reused, not multiplied", "[klaviyo][page]") {
  klaviyo::PageParser* first = nullptr;
  {
    auto p = klaviyo::pooled_parser();
    first = p.get();
  }
  auto again = klaviyo::pooled_parser();
  CHECK(again.get() == first);  // given back, then lent again
  auto second = klaviyo::pooled_parser();
  CHECK(second.get() != first);  // one in use: another one
}

TEST_CASE("klaviyo: no more than parsers_at_once() parsers are lent; one more waits for a return", "[klaviyo][page]") {
  const std::size_t limit = klaviyo::parsers_at_once();
  CHECK(limit >= klaviyo::kMinParsersAtOnce);
  std::vector<klaviyo::PooledParser> held;
  for (std::size_t i = 0; i < limit; ++i) held.push_back(klaviyo::pooled_parser());
  std::atomic<bool> granted{false};
  klaviyo::PageParser* got = nullptr;
  std::thread asker([&] {
    auto p = klaviyo::pooled_parser();
    got = p.get();
    granted = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(granted.load());  // every parser is out: the request waits
  klaviyo::PageParser* returned = held.back().get();
  held.pop_back();  // one comes back: the waiting request gets it
  asker.join();
  CHECK(granted.load());
  CHECK(got == returned);
}
