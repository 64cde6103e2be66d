#include <catch2/catch.hpp>

#include "source/config/config.h"
#include "core/util/datetime.h"
#include "source/state/state_input.h"
#include "source/state/stream_state.h"
#include "source/streams/partitions.h"
#include "source/streams/stream_spec.h"
#include "core/util/error.h"

using nlohmann::json;
using sk::state::StreamState;
using sk::streams::Partition;

namespace {
std::vector<json> parts_of(const char* stream, sk::config::Config cfg = {}) {
  std::vector<json> keys;
  for (const auto& p : sk::streams::partitions_for(*sk::streams::find_stream(stream), cfg)) keys.push_back(p.key);
  return keys;
}
std::string cursor(const StreamState& s, const json& key) {
  auto t = s.get(key);
  return t ? sk::format_iso(*t) : "none";
}
}  // namespace

TEST_CASE("state: unpartitioned round trip in Airbyte's shape", "[state]") {
  StreamState s("profiles", "updated", false, false);
  s.load({{"updated", "2024-05-31T10:00:00+0000"}}, parts_of("profiles"));
  CHECK(cursor(s, json::object()) == "2024-05-31T10:00:00+00:00");
  s.advance(json::object(), *sk::parse_datetime("2024-06-01T00:00:00Z"));
  s.advance(json::object(), *sk::parse_datetime("2024-05-01T00:00:00Z"));  // never backward
  CHECK(s.to_json() == json{{"updated", "2024-06-01T00:00:00+00:00"}});
}

TEST_CASE("state: flows legacy nested archived state migrates per partition", "[state]") {
  StreamState s("flows", "updated", true, false);
  s.load({{"updated", "2024-01-01T00:00:00+00:00"}, {"archived", {{"updated", "2023-01-01T00:00:00+00:00"}}}},
         parts_of("flows"));
  CHECK(cursor(s, {{"archived", "false"}}) == "2024-01-01T00:00:00+00:00");
  CHECK(cursor(s, {{"archived", "true"}}) == "2023-01-01T00:00:00+00:00");
  auto out = s.to_json();
  REQUIRE(out["states"].size() == 2);
  CHECK(out["states"][0]["partition"] == json{{"archived", "false"}});
  CHECK(out["states"][0]["cursor"]["updated"] == "2024-01-01T00:00:00+00:00");
}

TEST_CASE("state: campaigns per-partition state; legacy state only for email", "[state]") {
  StreamState s("campaigns", "updated_at", true, false);
  json saved = {{"states",
                 {{{"partition", {{"archived", "true"}, {"campaign_type", "sms"}}},
                   {"cursor", {{"updated_at", "2024-03-01T00:00:00+0000"}}}}}}};
  s.load(saved, parts_of("campaigns"));
  CHECK(cursor(s, {{"archived", "true"}, {"campaign_type", "sms"}}) == "2024-03-01T00:00:00+00:00");
  CHECK(cursor(s, {{"archived", "false"}, {"campaign_type", "sms"}}) == "none");

  StreamState legacy("campaigns", "updated_at", true, false);
  legacy.load({{"updated_at", "2023-05-01T00:00:00+00:00"}}, parts_of("campaigns"));
  CHECK(cursor(legacy, {{"archived", "false"}, {"campaign_type", "email"}}) == "2023-05-01T00:00:00+00:00");
  CHECK(cursor(legacy, {{"archived", "true"}, {"campaign_type", "email"}}) == "none");
  CHECK(cursor(legacy, {{"archived", "false"}, {"campaign_type", "sms"}}) == "none");
  CHECK(cursor(legacy, {{"archived", "false"}, {"campaign_type", "mobile_push"}}) == "none");
}

TEST_CASE("state: events accept flat, per-partition and global shapes", "[state]") {
  sk::config::Config by_metric;
  by_metric.event_metric_ids = {"AAA111", "BBB222"};
  json flat = {{"datetime", "2024-05-31T00:00:00+0000"}};

  StreamState a("events", "datetime", true, true, 3);
  a.load(flat, parts_of("events", by_metric));
  CHECK(cursor(a, {{"event_metric_id", "AAA111"}}) == "2024-05-31T00:00:00+00:00");
  CHECK(cursor(a, {{"event_metric_id", "BBB222"}}) == "2024-05-31T00:00:00+00:00");
  auto out = a.to_json();
  CHECK(out["state"] == json{{"datetime", "2024-05-31T00:00:00+00:00"}});
  CHECK(out["use_global_cursor"] == false);
  CHECK(out["lookback_window"] == 3);

  // Per-partition state read by an unpartitioned stream: the minimum, so nothing is skipped.
  StreamState b("events", "datetime", false, true);
  b.load({{"states",
           {{{"partition", {{"event_metric_id", "AAA111"}}}, {"cursor", {{"datetime", "2024-05-02T00:00:00+00:00"}}}},
            {{"partition", {{"event_metric_id", "BBB222"}}}, {"cursor", {{"datetime", "2024-04-02T00:00:00+00:00"}}}}}}},
         parts_of("events"));
  CHECK(cursor(b, json::object()) == "2024-04-02T00:00:00+00:00");

  // A metric added to the config later starts from the global state.
  StreamState c("events", "datetime", true, true);
  c.load({{"states", {{{"partition", {{"event_metric_id", "AAA111"}}}, {"cursor", {{"datetime", "2024-05-02T00:00:00+00:00"}}}}}},
          {"state", {{"datetime", "2024-01-01T00:00:00+00:00"}}}},
         parts_of("events", by_metric));
  CHECK(cursor(c, {{"event_metric_id", "AAA111"}}) == "2024-05-02T00:00:00+00:00");
  CHECK(cursor(c, {{"event_metric_id", "BBB222"}}) == "2024-01-01T00:00:00+00:00");
}

TEST_CASE("state: an unreadable cursor is a config error naming the stream", "[state]") {
  StreamState s("profiles", "updated", false, false);
  try {
    s.load({{"updated", "not a date"}}, parts_of("profiles"));
    FAIL("expected an error");
  } catch (const sk::SourceError& e) {
    CHECK(e.failure().type == sk::FailureType::Config);
    CHECK_THAT(e.failure().message, Catch::Contains("'profiles'"));
  }
}

TEST_CASE("state input: every shape a platform passes", "[state]") {
  using sk::state::parse_state_input;
  json stream_msgs = json::array(
      {{{"type", "STREAM"}, {"stream", {{"stream_descriptor", {{"name", "events"}}}, {"stream_state", {{"datetime", "x"}}}}}},
       {{"type", "STREAM"}, {"stream", {{"stream_descriptor", {{"name", "flows"}}}, {"stream_state", nullptr}}}}});
  auto a = parse_state_input(stream_msgs);
  CHECK(a.size() == 1);
  CHECK(a["events"] == json{{"datetime", "x"}});

  json global = json::array({{{"type", "GLOBAL"},
                              {"global",
                               {{"shared_state", json::object()},
                                {"stream_states",
                                 {{{"stream_descriptor", {{"name", "lists"}}}, {"stream_state", {{"updated", "y"}}}}}}}}}});
  CHECK(parse_state_input(global)["lists"] == json{{"updated", "y"}});
  CHECK(parse_state_input({{"metrics", {{"updated", "z"}}}})["metrics"] == json{{"updated", "z"}});
  CHECK(parse_state_input(json::array()).empty());
  CHECK(parse_state_input(json::object()).empty());
  CHECK_THROWS_AS(parse_state_input(json(42)), sk::SourceError);
  CHECK_THROWS_AS(parse_state_input(json::array({{{"type", "WHAT"}}})), sk::SourceError);
}
