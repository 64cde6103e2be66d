// The engine against a scripted server: paging with checkpoints, the filters sent, partitions,
// client-side cursors, a cursor past the sync start, and one stream failing beside another. The
// exact requests of each row are request_test's; parents (parents_test), detail rows
// (detail_rows_test), windows (windows_test), pages and the pager (page_test) and error mapping
// (klaviyo_errors_test) have their own files.
#include <catch2/catch.hpp>

#include <string>

#include "fake_api.h"
#include "fake_read.h"
#include "core/util/datetime.h"
#include "source/streams/engine.h"

using nlohmann::json;
using namespace sk;
using sk::test::decode;
using sk::test::FakeServer;
using sk::test::page;
using sk::test::reply;
using sk::test::resource;
using sk::test::run_read;
using sk::test::test_config;

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
