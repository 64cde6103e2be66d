#include <catch2/catch.hpp>

#include <sstream>

#include "core/protocol/emitter.h"
#include "source/streams/catalog.h"
#include "core/util/error.h"

using nlohmann::json;
using namespace sk::protocol;

namespace {
std::vector<json> lines(const std::string& out) {
  std::vector<json> v;
  std::stringstream ss(out);
  for (std::string l; std::getline(ss, l);) v.push_back(json::parse(l));
  return v;
}
}  // namespace

TEST_CASE("emitter: one JSON message per line, recordCount per stream since its last state", "[protocol]") {
  StringSink sink;
  sk::FakeClock clock;
  {
    Emitter e(sink, clock);
    e.record("a", {{"id", "1"}});
    e.record("b", {{"id", "x"}});
    e.record("a", {{"id", "2"}});
    e.state("a", {{"updated", "t1"}});
    e.record("a", {{"id", "3"}});
    e.state("a", {{"updated", "t2"}});
    e.state("b", json::object());
    e.state("a", {{"updated", "t2"}});
  }
  auto m = lines(sink.out);
  REQUIRE(m.size() == 8);
  CHECK(m[0]["type"] == "RECORD");
  CHECK(m[0]["record"]["stream"] == "a");
  CHECK(m[0]["record"]["emitted_at"].is_number_integer());
  CHECK(m[3]["state"]["type"] == "STREAM");
  CHECK(m[3]["state"]["stream"]["stream_descriptor"]["name"] == "a");
  CHECK(m[3]["state"]["sourceStats"]["recordCount"] == 2.0);
  CHECK(m[5]["state"]["sourceStats"]["recordCount"] == 1.0);
  CHECK(m[6]["state"]["sourceStats"]["recordCount"] == 1.0);
  CHECK(m[7]["state"]["sourceStats"]["recordCount"] == 0.0);
}

TEST_CASE("emitter: the API key never reaches the output", "[protocol]") {
  StringSink sink;
  sk::FakeClock clock;
  Emitter e(sink, clock);
  e.add_secret("pk_supersecret");
  e.log(LogLevel::Warn, "oops pk_supersecret leaked twice pk_supersecret");
  e.error({sk::FailureType::Config, "bad pk_supersecret", "internal pk_supersecret"}, std::string("events"));
  e.connection_status(false, "key pk_supersecret");
  e.record("s", {{"note", "pk_supersecret"}});
  e.flush();
  CHECK(sink.out.find("pk_supersecret") == std::string::npos);
  auto m = lines(sink.out);
  CHECK(m[0]["log"]["message"] == "oops **** leaked twice ****");
  CHECK(m[1]["trace"]["error"]["failure_type"] == "config_error");
  CHECK(m[1]["trace"]["error"]["stream_descriptor"]["name"] == "events");
  CHECK(m[2]["connectionStatus"]["status"] == "FAILED");
}

TEST_CASE("emitter: stream statuses and traces have the protocol's shape", "[protocol]") {
  StringSink sink;
  sk::FakeClock clock;
  Emitter e(sink, clock);
  e.stream_status("events", StreamStatus::Started);
  e.stream_status("events", StreamStatus::Running);
  e.stream_status("events", StreamStatus::Complete);
  e.stream_status("events", StreamStatus::Incomplete);
  e.flush();
  auto m = lines(sink.out);
  const char* expected[] = {"STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"};
  for (int i = 0; i < 4; ++i) {
    CHECK(m[i]["type"] == "TRACE");
    CHECK(m[i]["trace"]["type"] == "STREAM_STATUS");
    CHECK(m[i]["trace"]["stream_status"]["status"] == expected[i]);
    CHECK(m[i]["trace"]["stream_status"]["stream_descriptor"]["name"] == "events");
  }
}

TEST_CASE("catalog: discover lists every stream with keys, cursors and schema", "[protocol][catalog]") {
  auto cat = sk::streams::discover_catalog();
  REQUIRE(cat["streams"].size() == sk::streams::all_streams().size());
  for (const auto& s : cat["streams"]) {
    INFO(s["name"]);
    CHECK(s["json_schema"]["type"] == "object");
    for (const auto& path : s["source_defined_primary_key"]) CHECK(s["json_schema"]["properties"].contains(path[0]));
    if (s["name"] == "list_memberships")
      CHECK(s["source_defined_primary_key"] == json::parse(R"([["list_id"],["profile_id"]])"));
    else if (s["name"] == "flow_series_reports")
      CHECK(s["source_defined_primary_key"] ==
            json::parse(R"([["date"],["flow_id"],["flow_message_id"],["send_channel"],["conversion_metric_id"]])"));
    else if (s["name"] == "campaign_values_reports")
      CHECK(s["source_defined_primary_key"] ==
            json::parse(R"([["date"],["campaign_id"],["campaign_message_id"],["send_channel"],["conversion_metric_id"]])"));
    else if (s["name"] != "segment_memberships")
      CHECK(s["source_defined_primary_key"] == json::array({json::array({"id"})}));
    CHECK_FALSE(s["supported_sync_modes"].empty());
    if (s.contains("default_cursor_field")) {
      std::string cursor = s["default_cursor_field"][0];
      CHECK(s["json_schema"]["properties"].contains(cursor));
      CHECK(s["is_resumable"] == true);
    }
  }
}

TEST_CASE("catalog: unknown streams and bad sync modes are config errors", "[protocol][catalog]") {
  using sk::streams::parse_configured_catalog;
  auto entry = [](const char* name, const char* mode) {
    return json{{"stream", {{"name", name}}}, {"sync_mode", mode}, {"destination_sync_mode", "append"}};
  };
  auto ok = parse_configured_catalog({{"streams", {entry("events", "incremental"), entry("metrics", "full_refresh")}}});
  REQUIRE(ok.size() == 2);
  CHECK(ok[0].spec->name == "events");
  CHECK(ok[0].mode == SyncMode::Incremental);
  auto fails = [&](const json& c, const char* text) {
    try {
      parse_configured_catalog(c);
      FAIL("expected an error");
    } catch (const sk::SourceError& e) {
      CHECK(e.failure().type == sk::FailureType::Config);
      CHECK_THAT(e.failure().message, Catch::Contains(text));
    }
  };
  fails({{"streams", {entry("__AIRBYTE__stream_that_does_not_exist", "INVALID")}}}, "does not have");
  fails({{"streams", {entry("events", "INVALID")}}}, "sync_mode 'INVALID'");
  fails({{"streams", {entry("events", "incremental"), entry("events", "incremental")}}}, "twice");
  fails(json::array(), "ConfiguredAirbyteCatalog");
}

TEST_CASE("emitter: records given as text get leading fields spliced in and stay valid JSON", "[protocol]") {
  StringSink sink;
  sk::FakeClock clock;
  Emitter e(sink, clock);
  e.record_text("events", R"("datetime":"2024-01-01T00:00:00+00:00")", R"({"type":"event","id":"E1"})");
  e.record_text("events", R"("datetime":null)", "{}");
  e.record_text("tags", "", R"({"id":"T1"})");
  e.state("events", json::object());
  auto m = lines(sink.out);
  REQUIRE(m.size() == 4);
  CHECK(m[0]["record"]["data"] == json{{"datetime", "2024-01-01T00:00:00+00:00"}, {"type", "event"}, {"id", "E1"}});
  CHECK(m[1]["record"]["data"] == json{{"datetime", nullptr}});
  CHECK(m[2]["record"]["data"] == json{{"id", "T1"}});
  CHECK(m[2]["record"]["emitted_at"].is_number_integer());
  CHECK(m[3]["state"]["sourceStats"]["recordCount"] == 2.0);
}

TEST_CASE("emitter: a batch of records goes out whole, counted and scrubbed", "[protocol]") {
  StringSink sink;
  sk::FakeClock clock;
  Emitter e(sink, clock);
  e.add_secret("pk_supersecret");
  RecordBatch batch("events", 1234);
  batch.add_text(R"("datetime":"t1")", R"({"id":"E1","note":"key pk_supersecret here"})");
  batch.add_text(R"("datetime":"t2")", "{ }");  // an empty object, with space: no dangling comma
  batch.add_text("", R"({"id":"E3"})");
  batch.add(json{{"id", "E4"}});
  CHECK(batch.size() == 4);
  CHECK(sink.out.empty());  // nothing before write()
  e.write(batch);
  CHECK(batch.size() == 0);  // emptied for reuse
  e.state("events", json::object());
  auto m = lines(sink.out);
  REQUIRE(m.size() == 5);
  CHECK(m[0]["record"]["data"] == json{{"datetime", "t1"}, {"id", "E1"}, {"note", "key **** here"}});
  CHECK(m[1]["record"]["data"] == json{{"datetime", "t2"}});
  CHECK(m[2]["record"]["data"] == json{{"id", "E3"}});
  CHECK(m[3]["record"]["data"] == json{{"id", "E4"}});
  for (int i = 0; i < 4; ++i) {
    CHECK(m[i]["record"]["stream"] == "events");
    CHECK(m[i]["record"]["emitted_at"] == 1234);
  }
  CHECK(m[4]["state"]["sourceStats"]["recordCount"] == 4.0);
  CHECK(e.records_emitted("events") == 4);
  CHECK(sink.out.find("supersecret") == std::string::npos);
}
