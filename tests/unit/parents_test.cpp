// Child streams against a scripted server: records name their parents, parent ids are
// percent-encoded in paths, a parent deleted mid-sync (404) skips only its partition, and a parent
// listed for several children is listed once.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "fake_api.h"
#include "fake_read.h"
#include "source/streams/engine.h"

using nlohmann::json;
using namespace sk;
using sk::test::decode;
using sk::test::FakeServer;
using sk::test::FakeTransport;
using sk::test::kNow;
using sk::test::page;
using sk::test::reply;
using sk::test::resource;
using sk::test::run_read;
using sk::test::test_config;

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
