#include <catch2/catch.hpp>

#include "source/streams/hooks.h"
#include "source/streams/request.h"

using nlohmann::json;
using namespace sk::streams;

TEST_CASE("hooks: events_detailed merges included resources into relationships", "[hooks]") {
  const StreamSpec& spec = *find_stream("events_detailed");
  json page = {{"included",
                {{{"type", "metric"}, {"id", "M1"}, {"attributes", {{"name", "Placed Order"}}}},
                 {{"type", "flow"}, {"id", "F1"}, {"attributes", {{"name", "Welcome"}}},
                  {"relationships", {{"tags", {{"data", json::array()}}}}}}}}};
  IncludedIndex included(page);
  json rec = {{"type", "event"},
              {"id", "E1"},
              {"relationships",
               {{"metric", {{"data", {{"type", "metric"}, {"id", "M1"}}}}},
                {"attributions", {{"data", {{{"type", "flow"}, {"id", "F1"}}, {{"type", "flow"}, {"id", "unknown"}}}}}},
                {"profile", {{"data", nullptr}}}}}};
  REQUIRE(apply_record_hooks(spec, {}, included, rec));
  CHECK(rec["relationships"]["metric"]["data"] == json{{"type", "metric"}, {"id", "M1"}, {"name", "Placed Order"}});
  CHECK(rec["relationships"]["attributions"]["data"][0]["name"] == "Welcome");
  CHECK(rec["relationships"]["attributions"]["data"][0]["relationships"].contains("tags"));
  CHECK(rec["relationships"]["attributions"]["data"][1] == json{{"type", "flow"}, {"id", "unknown"}});
  CHECK(rec["relationships"]["profile"]["data"].is_null());
}

TEST_CASE("hooks: global_exclusions keeps suppressed profiles and renames the array", "[hooks]") {
  const StreamSpec& spec = *find_stream("global_exclusions");
  IncludedIndex none(json::object());
  auto profile = [](json suppression) {
    return json{{"type", "profile"},
                {"id", "P"},
                {"attributes", {{"subscriptions", {{"email", {{"marketing", {{"suppression", suppression}}}}}}}}}};
  };
  json kept = profile(json::array({{{"reason", "HARD_BOUNCE"}, {"timestamp", "2024-01-01T00:00:00+00:00"}}}));
  REQUIRE(apply_record_hooks(spec, {}, none, kept));
  const json& m = kept["attributes"]["subscriptions"]["email"]["marketing"];
  CHECK_FALSE(m.contains("suppression"));
  CHECK(m["suppressions"][0]["reason"] == "HARD_BOUNCE");

  json empty = profile(json::array());
  CHECK_FALSE(apply_record_hooks(spec, {}, none, empty));
  json null_sup = profile(nullptr);
  CHECK_FALSE(apply_record_hooks(spec, {}, none, null_sup));
  json no_subs = {{"type", "profile"}, {"id", "P"}, {"attributes", json::object()}};
  CHECK_FALSE(apply_record_hooks(spec, {}, none, no_subs));
}

TEST_CASE("rows: profiles ask for predictive analytics unless disabled, at the matching tier", "[hooks]") {
  const StreamSpec& spec = *find_stream("profiles");
  sk::config::Config cfg;
  auto call = build_call(spec, cfg, Partition{}, {});
  CHECK(call.params.back() == std::pair<std::string, std::string>{"additional-fields[profile]",
                                                                   "subscriptions,predictive_analytics"});
  CHECK(call.info.tier == sk::budget::TierId::M);
  CHECK(spec.tier_for(false) == sk::budget::TierId::M);
  cfg.disable_fetching_predictive_analytics = true;
  call = build_call(spec, cfg, Partition{}, {});
  CHECK(call.params.back() == std::pair<std::string, std::string>{"additional-fields[profile]", "subscriptions"});
  CHECK(call.info.tier == sk::budget::TierId::L);
  CHECK(spec.tier_for(true) == sk::budget::TierId::L);
}
