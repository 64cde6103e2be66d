// Detail rows against a scripted server: lists_detailed (one profile_count call per list, only
// for lists updated since the cursor unless refresh_profile_counts) and campaigns_detailed (the
// recipient estimation and the campaign messages of each campaign, 404s and failures).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fake_api.h"
#include "fake_read.h"
#include "core/util/datetime.h"
#include "source/streams/engine.h"

using nlohmann::json;
using namespace sk;
using sk::test::decode;
using sk::test::FakeServer;
using sk::test::list_detail;
using sk::test::list_resource;
using sk::test::page;
using sk::test::reply;
using sk::test::resource;
using sk::test::run_read;
using sk::test::test_config;

namespace {

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

json campaign(const std::string& id, const std::string& related) {
  json c = resource("campaign", id, "updated_at", "2024-05-01T00:00:00+00:00");
  if (!related.empty())
    c["relationships"] = {{"campaign-messages", {{"data", json::array({{{"type", "campaign-message"}, {"id", "M-" + id}}})},
                                                 {"links", {{"self", "s"}, {"related", related}}}}}};
  return c;
}

}  // namespace

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
