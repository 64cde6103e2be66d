// The engine and the Klaviyo layer against a scripted server: the exact requests sent, paging,
// checkpoints, partitions, hooks and error mapping.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "fake_api.h"
#include "core/klaviyo/api.h"
#include "core/util/datetime.h"
#include "core/klaviyo/pager.h"
#include "source/streams/engine.h"
#include "source/streams/planner.h"
#include "source/streams/run.h"

using nlohmann::json;
using namespace sk;
using sk::test::decode;
using sk::test::FakeServer;
using sk::test::FakeTransport;
using sk::test::reply;

namespace {

const SysTime kNow = *sk::parse_datetime("2024-06-01T12:00:00Z");

config::Config test_config() {
  config::Config c;
  c.api_key = "pk_unit_test_key";
  c.base_url = "http://fake";
  c.num_workers = 2;
  return c;
}

json resource(const std::string& type, const std::string& id, const std::string& field, const std::string& value) {
  return {{"type", type}, {"id", id}, {"attributes", {{field, value}}}, {"links", {{"self", "x"}}}};
}

std::string page(std::vector<json> data, const std::string& next = "") {
  json doc = {{"data", json(std::move(data))}, {"links", {{"self", "s"}, {"next", next.empty() ? json(nullptr) : json(next)}}}};
  return doc.dump();
}

struct Run {
  std::vector<json> messages;
  std::vector<streams::StreamResult> results;
  std::vector<json> of_type(const std::string& t) const {
    std::vector<json> v;
    for (const auto& m : messages)
      if (m["type"] == t) v.push_back(m);
    return v;
  }
};

Run run_read(FakeServer& server, const config::Config& cfg, const std::vector<std::pair<const char*, protocol::SyncMode>>& names,
             const std::map<std::string, json>& state = {}) {
  protocol::StringSink sink;
  FakeClock clock(kNow);
  Run r;
  {
    protocol::Emitter out(sink, clock);
    std::vector<streams::ConfiguredStream> cs;
    for (auto& [n, m] : names) cs.push_back({streams::find_stream(n), m});
    http::RetryPolicy policy;
    policy.max_attempts = 3;
    streams::Engine engine(cfg, out, clock, [&] { return std::make_unique<FakeTransport>(server); }, policy);
    r.results = engine.read(cs, state);
  }
  std::stringstream ss(sink.out);
  for (std::string l; std::getline(ss, l);) r.messages.push_back(json::parse(l));
  return r;
}

}  // namespace

TEST_CASE("engine: events pages through links.next with a half-open window and checkpoints each page", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    if (r.url.find("page%5Bcursor%5D=2") != std::string::npos)
      return reply(200, page({resource("event", "e3", "datetime", "2024-05-20T00:00:00+00:00")}));
    return reply(200, page({resource("event", "e1", "datetime", "2024-05-01T00:00:00+00:00"),
                            resource("event", "e2", "datetime", "2024-05-02T00:00:00.5+00:00")},
                           r.url + "&page%5Bcursor%5D=2"));
  };
  auto cfg = test_config();
  cfg.start_date = *sk::parse_datetime("2024-05-29");  // shorter than one 7-day window
  auto run = run_read(server, cfg, {{"events", protocol::SyncMode::Incremental}});

  auto urls = server.urls();
  REQUIRE(urls.size() == 2);
  std::string first = decode(urls[0]);
  CHECK_THAT(first, Catch::StartsWith("http://fake/api/events?"));
  CHECK_THAT(first, Catch::Contains("filter=and(greater-or-equal(datetime,2024-05-29T00:00:00Z),less-than(datetime,2024-06-01T12:00:00Z))"));
  CHECK_THAT(first, Catch::Contains("sort=datetime"));
  CHECK_THAT(first, Catch::Contains("page[size]=1000"));
  CHECK(server.seen[0].headers.size() >= 3);
  bool auth = false, revision = false;
  for (auto& [k, v] : server.seen[0].headers) {
    if (k == "Authorization") auth = v == "Klaviyo-API-Key pk_unit_test_key";
    if (k == "revision") revision = v == "2026-07-15";
  }
  CHECK(auth);
  CHECK(revision);

  auto records = run.of_type("RECORD");
  REQUIRE(records.size() == 3);
  CHECK(records[1]["record"]["data"]["datetime"] == "2024-05-02T00:00:00.5+00:00");  // cursor hoisted as given
  auto states = run.of_type("STATE");
  REQUIRE(states.size() == 2);  // after page 1 (not after the last page: the window's end follows), final
  CHECK(states[0]["state"]["stream"]["stream_state"] == json{{"datetime", "2024-05-02T00:00:00.500000+00:00"}});
  CHECK(states[0]["state"]["sourceStats"]["recordCount"] == 2.0);
  CHECK(states[1]["state"]["stream"]["stream_state"] == json{{"datetime", "2024-06-01T12:00:00+00:00"}});
  CHECK(states[1]["state"]["sourceStats"]["recordCount"] == 1.0);
  auto traces = run.of_type("TRACE");
  REQUIRE(traces.size() == 3);
  CHECK(traces[0]["trace"]["stream_status"]["status"] == "STARTED");
  CHECK(traces[1]["trace"]["stream_status"]["status"] == "RUNNING");
  CHECK(traces[2]["trace"]["stream_status"]["status"] == "COMPLETE");
}

TEST_CASE("engine: strict greater-than filters step back one second so ties are not lost", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request&) { return reply(200, page({})); };
  auto cfg = test_config();
  auto run = run_read(server, cfg, {{"profiles", protocol::SyncMode::Incremental}},
                      {{"profiles", {{"updated", "2024-05-31T10:00:00.700+0000"}}}});
  std::string url = decode(server.urls().at(0));
  CHECK_THAT(url, Catch::Contains("greater-than(updated,2024-05-31T09:59:59Z)"));
  CHECK_THAT(url, Catch::Contains("less-than(updated,2024-06-01T12:00:00Z)"));
  CHECK_THAT(url, Catch::Contains("additional-fields[profile]=subscriptions,predictive_analytics"));
  CHECK(url.find("-or-equal") == std::string::npos);

  cfg.disable_fetching_predictive_analytics = true;
  FakeServer s2;
  s2.handler = server.handler;
  run_read(s2, cfg, {{"profiles", protocol::SyncMode::Incremental}});
  std::string url2 = decode(s2.urls().at(0));
  CHECK_THAT(url2, Catch::EndsWith("additional-fields[profile]=subscriptions"));
  CHECK(url2.find("filter=") != std::string::npos);  // only the upper bound without state/start
  CHECK(url2.find("greater-than") == std::string::npos);
}

TEST_CASE("engine: campaigns read every channel x archived partition and tag the channel", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    std::string u = decode(r.url);
    std::string channel = u.find("'sms'") != std::string::npos ? "sms" : u.find("'email'") != std::string::npos ? "email" : "mobile_push";
    std::string archived = u.find("equals(archived,true)") != std::string::npos ? "t" : "f";
    return reply(200, page({resource("campaign", channel + archived, "updated_at", "2024-05-01T00:00:00+00:00")}));
  };
  auto run = run_read(server, test_config(), {{"campaigns", protocol::SyncMode::FullRefresh}});
  CHECK(server.urls().size() == 6);
  for (const auto& u : server.urls()) CHECK_THAT(decode(u), Catch::Contains("equals(messages.channel,'"));
  auto records = run.of_type("RECORD");
  REQUIRE(records.size() == 6);
  for (const auto& r : records) {
    std::string id = r["record"]["data"]["id"];
    CHECK(id.rfind(r["record"]["data"]["attributes"]["channel"].get<std::string>(), 0) == 0);
  }
  auto final_state = run.of_type("STATE").back()["state"]["stream"]["stream_state"];
  CHECK(final_state["states"].size() == 6);
}

TEST_CASE("engine: client-side streams drop records at or before the saved cursor", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request&) {
    return reply(200, page({resource("metric", "old", "updated", "2023-01-01T00:00:00+00:00"),
                            resource("metric", "tie", "updated", "2024-03-15T10:00:00+00:00"),
                            resource("metric", "new", "updated", "2024-04-01T00:00:00+00:00")}));
  };
  auto run = run_read(server, test_config(), {{"metrics", protocol::SyncMode::Incremental}},
                      {{"metrics", {{"updated", "2024-03-15T10:00:00+0000"}}}});
  CHECK(decode(server.urls().at(0)) == "http://fake/api/metrics");
  auto records = run.of_type("RECORD");
  REQUIRE(records.size() == 1);  // "tie" is the record the saved cursor came from
  CHECK(records[0]["record"]["data"]["id"] == "new");
  CHECK(run.of_type("STATE").back()["state"]["stream"]["stream_state"] ==
        json{{"updated", "2024-04-01T00:00:00+00:00"}});
}

TEST_CASE("engine: a cursor at or after the sync start makes no request and keeps the state", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request&) { return reply(500, ""); };
  auto run = run_read(server, test_config(), {{"events", protocol::SyncMode::Incremental}, {"lists", protocol::SyncMode::Incremental}},
                      {{"events", {{"datetime", "2120-10-10T00:00:00+00:00"}}}, {"lists", {{"updated", "2120-10-10T00:00:00+00:00"}}}});
  CHECK(server.urls().empty());
  CHECK(run.of_type("RECORD").empty());
  auto states = run.of_type("STATE");
  REQUIRE(states.size() == 2);
  for (const auto& s : states) CHECK(s["state"]["stream"]["stream_state"].dump().find("2120-10-10") != std::string::npos);
}

TEST_CASE("engine: one failing stream does not stop the others", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    if (r.url.find("/api/segments") != std::string::npos)
      return reply(403, R"({"errors":[{"id":"1","status":403,"code":"permission_denied","title":"You do not have permission to perform this action.","detail":"x"}]})");
    return reply(200, page({resource("list", "l1", "updated", "2024-05-01T00:00:00+00:00")}));
  };
  auto run = run_read(server, test_config(), {{"segments", protocol::SyncMode::FullRefresh}, {"lists", protocol::SyncMode::FullRefresh}});
  REQUIRE(run.results.size() == 2);
  REQUIRE(run.results[0].failure.has_value());
  CHECK(run.results[0].failure->type == FailureType::Config);
  CHECK_THAT(run.results[0].failure->message, Catch::Contains("segments:read"));
  CHECK_FALSE(run.results[1].failure.has_value());
  CHECK(run.results[1].records == 1);
  bool incomplete = false, error_for_segments = false;
  for (const auto& t : run.of_type("TRACE")) {
    if (t["trace"]["type"] == "STREAM_STATUS" && t["trace"]["stream_status"]["status"] == "INCOMPLETE")
      incomplete = t["trace"]["stream_status"]["stream_descriptor"]["name"] == "segments";
    if (t["trace"]["type"] == "ERROR") error_for_segments = t["trace"]["error"]["stream_descriptor"]["name"] == "segments";
  }
  CHECK(incomplete);
  CHECK(error_for_segments);
}

TEST_CASE("klaviyo: status codes map to failure types with actionable messages", "[klaviyo]") {
  json err = {{"errors", {{{"id", "x"}, {"code", "invalid"}, {"title", "Invalid input."}, {"detail", "Invalid filter provided"}}}}};
  auto e401 = klaviyo::map_error(401, err, "GET /api/events", "events").failure();
  CHECK(e401.type == FailureType::Config);
  CHECK_THAT(e401.message, Catch::Contains("revoked"));
  auto e403 = klaviyo::map_error(403, err, "GET /api/segments", "segments").failure();
  CHECK(e403.type == FailureType::Config);
  CHECK_THAT(e403.message, Catch::Contains("segments:read"));
  auto e400 = klaviyo::map_error(400, err, "GET /api/events", "events").failure();
  CHECK(e400.type == FailureType::System);
  CHECK_THAT(e400.message, Catch::Contains("Invalid filter provided"));
  CHECK(klaviyo::map_error(503, nullptr, "GET /api/events", "events").failure().type == FailureType::Transient);
}

klaviyo::Call lists_call() {
  klaviyo::Call c;
  c.path = "/api/lists";
  c.info = {budget::TierId::L, "lists"};
  return c;
}

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

TEST_CASE("engine: child streams name their parent on every record", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    if (r.url.find("/api/flows?") != std::string::npos) {
      bool archived = decode(r.url).find("equals(archived,true)") != std::string::npos;
      return reply(200, page({resource("flow", archived ? "F\"2" : "F1", "updated", "2024-05-01T00:00:00+00:00")}));
    }
    std::string u = decode(r.url);
    std::string flow = u.find("/api/flows/F1/") != std::string::npos ? "F1" : "F\"2";
    return reply(200, page({resource("flow-action", "A-" + flow, "updated", "2024-05-02T00:00:00+00:00")}));
  };
  auto run = run_read(server, test_config(), {{"flow_actions", protocol::SyncMode::Incremental}});
  auto records = run.of_type("RECORD");
  REQUIRE(records.size() == 2);
  for (const auto& r : records) {
    const auto& d = r["record"]["data"];
    CHECK(d["id"] == "A-" + d["flow_id"].get<std::string>());
    CHECK(d["updated"] == "2024-05-02T00:00:00+00:00");
  }
  bool escaped_path = false;
  for (const auto& u : server.urls()) escaped_path = escaped_path || u.find("/api/flows/F%222/flow-actions") != std::string::npos;
  CHECK(escaped_path);
}

TEST_CASE("engine: a parent deleted mid-sync (404) skips its partition with a LOG line; the rest is read", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    const std::string u = decode(r.url);
    if (u.find("/api/flows?") != std::string::npos) {
      if (u.find("equals(archived,true)") != std::string::npos) return reply(200, page({}));
      return reply(200, page({resource("flow", "F1", "updated", "2024-05-01T00:00:00+00:00"),
                              resource("flow", "GONE", "updated", "2024-05-01T00:00:00+00:00")}));
    }
    if (u.find("/api/flows/GONE/") != std::string::npos)
      return reply(404, R"({"errors":[{"status":404,"title":"Not found","detail":"Flow GONE does not exist"}]})");
    return reply(200, page({resource("flow-action", "A1", "updated", "2024-05-02T00:00:00+00:00")}));
  };
  auto run = run_read(server, test_config(), {{"flow_actions", protocol::SyncMode::Incremental}});
  CHECK(run.of_type("RECORD").size() == 1);
  CHECK(run.results.at(0).failure == std::nullopt);
  bool logged = false;
  for (const auto& m : run.of_type("LOG"))
    logged = logged || m["log"]["message"].get<std::string>().find("GET /api/flows/GONE/flow-actions answered 'not found'") !=
                           std::string::npos;
  CHECK(logged);
  CHECK(run.of_type("TRACE").size() >= 2);  // statuses only: no error
  for (const auto& t : run.of_type("TRACE")) CHECK(t["trace"]["type"] == "STREAM_STATUS");
}

TEST_CASE("engine: a 404 on a stream without a parent fails it (only child partitions are skipped)", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request&) { return reply(404, R"({"errors":[{"title":"Not found"}]})"); };
  auto run = run_read(server, test_config(), {{"email_templates", protocol::SyncMode::Incremental}});
  REQUIRE(run.results.at(0).failure);
  CHECK(run.results.at(0).failure->type == FailureType::System);
}

TEST_CASE("engine: flow_messages lists flows and flow actions once, shared with flow_actions", "[engine]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    const std::string u = decode(r.url);
    if (u.find("/api/flows?") != std::string::npos) {
      if (u.find("equals(archived,true)") != std::string::npos) return reply(200, page({}));
      return reply(200, page({resource("flow", "F1", "updated", "2024-05-01T00:00:00+00:00"),
                              resource("flow", "F2", "updated", "2024-05-01T00:00:00+00:00")}));
    }
    if (u.find("/flow-actions?") != std::string::npos) {
      const std::string flow = u.find("/api/flows/F1/") != std::string::npos ? "F1" : "F2";
      return reply(200, page({resource("flow-action", "A" + flow, "updated", "2024-05-02T00:00:00+00:00")}));
    }
    const std::string action = u.find("/api/flow-actions/AF1/") != std::string::npos ? "AF1" : "AF2";
    return reply(200, page({resource("flow-message", "M" + action, "updated", "2024-05-03T00:00:00+00:00")}));
  };
  protocol::StringSink sink;
  FakeClock clock(kNow);
  auto cfg = test_config();
  protocol::Emitter out(sink, clock);
  streams::Engine engine(cfg, out, clock, [&] { return std::make_unique<FakeTransport>(server); });
  engine.read({{streams::find_stream("flow_actions"), protocol::SyncMode::Incremental},
               {streams::find_stream("flow_messages"), protocol::SyncMode::Incremental}},
              {});
  CHECK(engine.parent_listings("flows") == 1);
  CHECK(engine.parent_listings("flow_actions") == 1);
  out.flush();
  std::map<std::string, json> messages;
  std::stringstream ss(sink.out);
  for (std::string l; std::getline(ss, l);) {
    json m = json::parse(l);
    if (m["type"] == "RECORD" && m["record"]["stream"] == "flow_messages")
      messages[m["record"]["data"]["id"]] = m["record"]["data"];
  }
  REQUIRE(messages.size() == 2);
  CHECK(messages["MAF1"]["flow_id"] == "F1");
  CHECK(messages["MAF1"]["flow_action_id"] == "AF1");
  CHECK(messages["MAF2"]["flow_id"] == "F2");
  int flow_listings = 0;
  for (const auto& u : server.urls())
    if (u.find("/api/flows?") != std::string::npos) ++flow_listings;
  CHECK(flow_listings == 2);  // one listing: archived=false and archived=true, once each
}

namespace {
// "greater-or-equal(datetime,X)" -> X
std::string bound(const std::string& url, const std::string& op) {
  std::string u = decode(url);
  auto at = u.find(op + "(datetime,");
  if (at == std::string::npos) return "";
  at += op.size() + 10;
  return u.substr(at, u.find(')', at) - at);
}
}  // namespace

TEST_CASE("engine: a long range is split into contiguous half-open windows read in parallel", "[engine][windows]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    std::string lo = bound(r.url, "greater-or-equal");
    return reply(200, page({resource("event", "E" + lo, "datetime", lo)}));
  };
  auto cfg = test_config();
  cfg.start_date = *sk::parse_datetime("2024-01-01");
  auto run = run_read(server, cfg, {{"events", protocol::SyncMode::Incremental}});
  auto urls = server.urls();
  REQUIRE(urls.size() == 8);  // 152 days in 7-day windows would be 22; capped at 4 per worker
  std::vector<std::pair<std::string, std::string>> ranges;
  for (const auto& u : urls) ranges.emplace_back(bound(u, "greater-or-equal"), bound(u, "less-than"));
  std::sort(ranges.begin(), ranges.end());
  CHECK(ranges.front().first == "2024-01-01T00:00:00Z");
  CHECK(ranges.back().second == "2024-06-01T12:00:00Z");
  for (std::size_t i = 1; i < ranges.size(); ++i) CHECK(ranges[i - 1].second == ranges[i].first);  // no gap, no overlap
  CHECK(run.of_type("RECORD").size() == 8);
  CHECK(run.of_type("STATE").back()["state"]["stream"]["stream_state"] == json{{"datetime", "2024-06-01T12:00:00+00:00"}});
}

TEST_CASE("engine: without a lower bound the oldest record starts the first window", "[engine][windows]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    if (decode(r.url).find("page[size]=1000") == std::string::npos)  // the one-record probe
      return reply(200, page({resource("event", "oldest", "datetime", "2024-05-20T08:30:00.5+00:00")}));
    return reply(200, page({}));
  };
  auto run = run_read(server, test_config(), {{"events", protocol::SyncMode::FullRefresh}});
  auto urls = server.urls();
  REQUIRE(urls.size() >= 2);
  CHECK(bound(urls[0], "greater-or-equal").empty());  // the probe: sorted, one record, before now
  CHECK_THAT(decode(urls[0]), Catch::Contains("sort=datetime"));
  std::vector<std::string> starts;
  for (std::size_t i = 1; i < urls.size(); ++i) starts.push_back(bound(urls[i], "greater-or-equal"));
  std::sort(starts.begin(), starts.end());
  CHECK(starts.front() == "2024-05-20T08:30:00Z");
}

TEST_CASE("engine: the cursor moves only over the completed prefix of windows", "[engine][windows]") {
  using streams::Window;
  auto t = [](const char* s) { return *sk::parse_datetime(s); };
  const auto& spec = *streams::find_stream("events");
  auto parts = streams::partitions_for(spec, test_config());
  streams::StreamRun run(&spec, protocol::SyncMode::Incremental, json::object());
  run.partitions = parts;
  run.windows.resize(parts.size());
  run.state.load(json::object(), {parts[0].key});
  run.windows[0] = streams::split(t("2024-01-01"), t("2024-01-04"), std::chrono::hours(24), 10);
  REQUIRE(run.windows[0].size() == 3);
  const SysTime now = t("2024-06-01");
  auto cursor = [&] {
    auto c = run.state.get(parts[0].key);
    return c ? sk::format_iso(*c) : std::string("none");
  };
  run.windows[0][1].done = true;  // a later window finished first: nothing is promised yet
  run.advance_cursor(0, now);
  CHECK(cursor() == "none");
  run.windows[0][0].max_seen = t("2024-01-01T12:00:00Z");  // progress inside the first window (sorted pages)
  run.advance_cursor(0, now);
  CHECK(cursor() == "2024-01-01T12:00:00+00:00");
  run.windows[0][0].done = true;  // now windows 0 and 1 are complete: up to the end of window 1
  run.advance_cursor(0, now);
  CHECK(cursor() == "2024-01-03T00:00:00+00:00");
}

TEST_CASE("engine: a window's checkpoint goes out only when the state covers new records", "[engine][windows]") {
  // Window 0 is empty and finishes while window 1 has written records: the cursor moves to the end
  // of window 0, but a STATE then would count window 1's records, which resuming from it reads
  // again (CAT's sequential-slices check reads from such a state and gets the first read back).
  auto t = [](const char* s) { return *sk::parse_datetime(s); };
  const auto& spec = *streams::find_stream("profiles");  // unsorted pages
  auto parts = streams::partitions_for(spec, test_config());
  streams::StreamRun run(&spec, protocol::SyncMode::Incremental, json::object());
  run.partitions = parts;
  run.windows.resize(parts.size());
  run.state.load(json::object(), {parts[0].key});
  run.last_checkpoint = run.state.to_json();
  run.windows[0] = streams::split(t("2024-01-01"), t("2024-01-04"), std::chrono::hours(24), 10);
  const SysTime now = t("2024-06-01");
  protocol::StringSink sink;
  FakeClock clock;
  protocol::Emitter out(sink, clock);
  auto states = [&] { return std::count(sink.out.begin(), sink.out.end(), '\n'); };

  run.windows[0][1].emitted = 5;  // window 1 is being read
  run.windows[0][0].done = true;  // window 0: empty, finished
  run.advance_cursor(0, now);
  run.checkpoint_covered(out);
  CHECK(states() == 0);
  run.windows[0][1].done = true;  // now the state covers window 1's records
  run.advance_cursor(0, now);
  run.checkpoint_covered(out);
  REQUIRE(states() == 1);
  const json state = json::parse(sink.out);
  CHECK(state["state"]["stream"]["stream_state"]["updated"] == "2024-01-03T00:00:00+00:00");
  run.windows[0][2].done = true;  // an empty last window: nothing new covered
  run.advance_cursor(0, now);
  run.checkpoint_covered(out);
  CHECK(states() == 1);
}

TEST_CASE("engine: split() covers the range exactly, in whole seconds", "[engine][windows]") {
  auto t = [](const char* s) { return *sk::parse_datetime(s); };
  auto w = streams::split(t("2024-01-01T00:00:00.5Z"), t("2024-01-10T00:00:00Z"), std::chrono::hours(24 * 7), 100);
  REQUIRE(w.size() == 2);
  CHECK(sk::format_iso(*w[0].start) == "2024-01-01T00:00:00.500000+00:00");
  CHECK(*w[0].end == *w[1].start);
  CHECK(sk::format_iso(*w[1].end) == "2024-01-10T00:00:00+00:00");
  CHECK(streams::split(t("2024-01-01"), t("2024-01-02"), std::chrono::hours(24 * 7), 100).size() == 1);
  CHECK(streams::split(t("2021-01-01"), t("2024-01-01"), std::chrono::hours(24 * 7), 40).size() == 40);
}

// ---- lists_detailed, campaigns_detailed and single-resource pages ----

namespace {

json list_resource(const std::string& id, const std::string& updated) {
  return {{"type", "list"}, {"id", id}, {"attributes", {{"name", "List " + id}, {"updated", updated}}},
          {"links", {{"self", "http://fake/api/lists/" + id}}}};
}

// GET /api/lists/{id}?additional-fields[list]=profile_count as Klaviyo answers it: data is one object.
std::string list_detail(const std::string& id, const std::string& updated, int profile_count) {
  json d = list_resource(id, updated);
  d["attributes"]["profile_count"] = profile_count;
  return json{{"data", d}, {"links", {{"self", "http://fake/api/lists/" + id}}}}.dump();
}

// The lists listing (two pages) and one detail document per list; details count their calls.
void serve_lists(FakeServer& server, std::vector<std::pair<std::string, std::string>> lists) {
  server.handler = [lists](const http::Request& r) {
    std::string u = decode(r.url);
    if (u.rfind("http://fake/api/lists?", 0) == 0) {
      std::vector<json> first, second;
      for (std::size_t i = 0; i < lists.size(); ++i)
        (i % 2 == 0 ? first : second).push_back(list_resource(lists[i].first, lists[i].second));
      if (u.find("page[cursor]=2") != std::string::npos) return reply(200, page(second));
      return reply(200, page(first, r.url + "&page%5Bcursor%5D=2"));
    }
    for (std::size_t i = 0; i < lists.size(); ++i)
      if (u.rfind("http://fake/api/lists/" + lists[i].first + "?", 0) == 0)
        return reply(200, list_detail(lists[i].first, lists[i].second, static_cast<int>(10 + i)));
    return reply(404, R"({"errors":[{"title":"Not found"}]})");
  };
}

std::vector<std::string> detail_urls(FakeServer& server) {
  std::vector<std::string> out;
  for (const auto& u : server.urls())
    if (decode(u).rfind("http://fake/api/lists?", 0) != 0) out.push_back(decode(u));
  return out;
}

}  // namespace

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

TEST_CASE("engine: lists_detailed makes one profile_count call per list and emits the list itself", "[engine][detail]") {
  FakeServer server;
  serve_lists(server, {{"L1", "2024-05-01T00:00:00+00:00"}, {"L\"2", "2024-05-02T00:00:00+00:00"},
                       {"L3", "2024-05-03T00:00:00+00:00"}});
  auto run = run_read(server, test_config(), {{"lists_detailed", protocol::SyncMode::Incremental}});

  auto details = detail_urls(server);
  std::sort(details.begin(), details.end());
  CHECK(details == std::vector<std::string>{"http://fake/api/lists/L\"2?additional-fields[list]=profile_count",
                                            "http://fake/api/lists/L1?additional-fields[list]=profile_count",
                                            "http://fake/api/lists/L3?additional-fields[list]=profile_count"});
  bool escaped = false;
  for (const auto& u : server.urls()) escaped = escaped || u.find("/api/lists/L%222?") != std::string::npos;
  CHECK(escaped);

  auto records = run.of_type("RECORD");
  REQUIRE(records.size() == 3);
  std::map<std::string, json> by_id;
  for (const auto& r : records) {
    CHECK(r["record"]["stream"] == "lists_detailed");
    by_id[r["record"]["data"]["id"]] = r["record"]["data"];
  }
  CHECK(by_id["L1"]["attributes"]["profile_count"] == 10);
  CHECK(by_id["L3"]["attributes"]["profile_count"] == 12);
  CHECK(by_id["L3"]["updated"] == "2024-05-03T00:00:00+00:00");
  CHECK_FALSE(by_id["L1"].contains("list_id"));
  CHECK(by_id["L1"].size() == 5);  // type, id, attributes, links, updated

  auto final_state = run.of_type("STATE").back()["state"]["stream"]["stream_state"];
  REQUIRE(final_state["states"].size() == 3);
  CHECK(final_state["states"][0]["partition"] == json{{"id", "L1"}});
  CHECK(final_state["states"][0]["cursor"] == json{{"updated", "2024-05-01T00:00:00+00:00"}});
  CHECK(run.of_type("TRACE").back()["trace"]["stream_status"]["status"] == "COMPLETE");
}

TEST_CASE("engine: lists_detailed does not fetch lists not updated since the saved cursor", "[engine][detail]") {
  FakeServer server;
  serve_lists(server, {{"old", "2024-03-01T00:00:00+00:00"}, {"tie", "2024-03-15T10:00:00+00:00"},
                       {"new", "2024-04-01T00:00:00+00:00"}, {"own", "2024-03-20T00:00:00+00:00"}});
  // Airbyte's flat state applies to every list; a per-list state (legacy shape with parent_slice) wins for its list.
  json state = {{"updated", "2024-03-15T10:00:00+0000"},
                {"states", {{{"partition", {{"id", "own"}, {"parent_slice", json::object()}}},
                             {"cursor", {{"updated", "2024-03-25T00:00:00+0000"}}}}}}};
  auto run = run_read(server, test_config(), {{"lists_detailed", protocol::SyncMode::Incremental}},
                      {{"lists_detailed", state}});
  CHECK(detail_urls(server) == std::vector<std::string>{"http://fake/api/lists/new?additional-fields[list]=profile_count"});
  auto records = run.of_type("RECORD");
  REQUIRE(records.size() == 1);
  CHECK(records[0]["record"]["data"]["id"] == "new");
  CHECK(records[0]["record"]["data"]["attributes"]["profile_count"] == 12);

  // start_date bounds a first sync as it bounds `lists`: older lists are not fetched.
  FakeServer dated;
  serve_lists(dated, {{"old", "2024-03-01T00:00:00+00:00"}, {"new", "2024-04-01T00:00:00+00:00"}});
  auto cfg = test_config();
  cfg.start_date = *sk::parse_datetime("2024-03-15T00:00:00Z");
  auto since = run_read(dated, cfg, {{"lists_detailed", protocol::SyncMode::Incremental}});
  CHECK(detail_urls(dated) == std::vector<std::string>{"http://fake/api/lists/new?additional-fields[list]=profile_count"});
  CHECK(since.of_type("RECORD").size() == 1);

  // Full refresh ignores the state: every list is fetched.
  FakeServer full;
  serve_lists(full, {{"old", "2024-03-01T00:00:00+00:00"}, {"new", "2024-04-01T00:00:00+00:00"}});
  auto all = run_read(full, test_config(), {{"lists_detailed", protocol::SyncMode::FullRefresh}}, {{"lists_detailed", state}});
  CHECK(detail_urls(full).size() == 2);
  CHECK(all.of_type("RECORD").size() == 2);
}

TEST_CASE("engine: refresh_profile_counts fetches and emits every list, changed or not", "[engine][detail]") {
  FakeServer server;
  serve_lists(server, {{"old", "2024-03-01T00:00:00+00:00"}, {"new", "2024-04-01T00:00:00+00:00"}});
  auto cfg = test_config();
  cfg.refresh_profile_counts = true;
  json state = {{"updated", "2024-03-15T10:00:00+0000"}};
  auto run = run_read(server, cfg, {{"lists_detailed", protocol::SyncMode::Incremental}}, {{"lists_detailed", state}});
  CHECK(detail_urls(server).size() == 2);
  std::set<std::string> ids;
  for (const auto& r : run.of_type("RECORD")) ids.insert(r["record"]["data"]["id"]);
  CHECK(ids == std::set<std::string>{"old", "new"});  // "old" is re-emitted with its current profile_count
}

namespace {

json campaign(const std::string& id, const std::string& related) {
  json c = resource("campaign", id, "updated_at", "2024-05-01T00:00:00+00:00");
  if (!related.empty())
    c["relationships"] = {{"campaign-messages", {{"data", json::array({{{"type", "campaign-message"}, {"id", "M-" + id}}})},
                                                 {"links", {{"self", "s"}, {"related", related}}}}}};
  return c;
}

}  // namespace

TEST_CASE("engine: campaigns_detailed adds the recipient estimation and the campaign messages", "[engine][detail]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    std::string u = decode(r.url);
    if (u.rfind("http://fake/api/campaigns?", 0) == 0) {
      if (u.find("equals(archived,true)") != std::string::npos) return reply(200, page({}));
      if (u.find("'email'") != std::string::npos)
        return reply(200, page({campaign("C1", "http://fake/api/campaigns/C1/campaign-messages"),
                                campaign("C4", "http://elsewhere.example/api/campaigns/C4/campaign-messages")}));
      if (u.find("'sms'") != std::string::npos)
        return reply(200, page({campaign("C2", "http://fake/api/campaigns/C2/campaign-messages")}));
      return reply(200, page({campaign("C3", "")}));  // mobile_push: no campaign-messages link
    }
    if (u == "http://fake/api/campaign-recipient-estimations/C1")
      return reply(200, R"({"data":{"type":"campaign-recipient-estimation","id":"C1","attributes":{"estimated_recipient_count":1234}}})");
    if (u == "http://fake/api/campaign-recipient-estimations/C3")
      return reply(200, R"({"data":{"type":"campaign-recipient-estimation","id":"C3","attributes":{"estimated_recipient_count":7}}})");
    if (u == "http://fake/api/campaign-recipient-estimations/C4")
      return reply(200, R"({"data":{"type":"campaign-recipient-estimation","id":"C4","attributes":{}}})");
    if (u == "http://fake/api/campaigns/C1/campaign-messages")
      return reply(200, page({resource("campaign-message", "M1a", "updated_at", "2024-05-01T00:00:00+00:00"),
                              resource("campaign-message", "M1b", "updated_at", "2024-05-01T00:00:00+00:00")}));
    return reply(404, R"({"errors":[{"status":404,"title":"Not found"}]})");  // C2's estimation and messages
  };
  auto run = run_read(server, test_config(), {{"campaigns_detailed", protocol::SyncMode::Incremental}});
  CHECK(run.of_type("TRACE").back()["trace"]["stream_status"]["status"] == "COMPLETE");

  std::multiset<std::string> side;
  for (const auto& u : server.urls())
    if (decode(u).rfind("http://fake/api/campaigns?", 0) != 0) side.insert(decode(u));
  CHECK(side == std::multiset<std::string>{
                    "http://fake/api/campaign-recipient-estimations/C1", "http://fake/api/campaign-recipient-estimations/C2",
                    "http://fake/api/campaign-recipient-estimations/C3", "http://fake/api/campaign-recipient-estimations/C4",
                    "http://fake/api/campaigns/C1/campaign-messages", "http://fake/api/campaigns/C2/campaign-messages"});

  std::map<std::string, json> by_id;
  for (const auto& r : run.of_type("RECORD")) by_id[r["record"]["data"]["id"]] = r["record"]["data"];
  REQUIRE(by_id.size() == 4);
  CHECK(by_id["C1"]["estimated_recipient_count"] == 1234);
  REQUIRE(by_id["C1"]["campaign_messages"].size() == 2);
  CHECK(by_id["C1"]["campaign_messages"][0]["id"] == "M1a");
  CHECK(by_id["C1"]["campaign_messages"][1]["type"] == "campaign-message");
  CHECK(by_id["C1"]["attributes"]["channel"] == "email");
  CHECK(by_id["C1"]["updated_at"] == "2024-05-01T00:00:00+00:00");
  CHECK(by_id["C2"]["estimated_recipient_count"] == 0);            // estimation 404
  CHECK(by_id["C2"]["campaign_messages"] == json::array());        // messages 404
  CHECK(by_id["C2"]["attributes"]["channel"] == "sms");
  CHECK(by_id["C3"]["estimated_recipient_count"] == 7);
  CHECK_FALSE(by_id["C3"].contains("campaign_messages"));         // no link, no call
  CHECK(by_id["C4"]["estimated_recipient_count"] == 0);            // estimation without a count
  CHECK_FALSE(by_id["C4"].contains("campaign_messages"));         // link to another host: never called
}

TEST_CASE("engine: a failing campaigns_detailed side call fails the stream with the mapped error", "[engine][detail]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    std::string u = decode(r.url);
    if (u.rfind("http://fake/api/campaigns?", 0) == 0)
      return reply(200, u.find("'email'") != std::string::npos && u.find("archived,false") != std::string::npos
                            ? page({campaign("C1", "")}) : page({}));
    return reply(403, R"({"errors":[{"status":403,"title":"You do not have permission to perform this action."}]})");
  };
  auto run = run_read(server, test_config(), {{"campaigns_detailed", protocol::SyncMode::FullRefresh}});
  CHECK(run.of_type("RECORD").empty());
  REQUIRE(run.results.size() == 1);
  REQUIRE(run.results[0].failure);
  CHECK(run.results[0].failure->type == FailureType::Config);
  CHECK_THAT(run.results[0].failure->message, Catch::Contains("campaigns:read"));
}
