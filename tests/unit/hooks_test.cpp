#include <catch2/catch.hpp>

#include "source/streams/hooks.h"

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

TEST_CASE("hooks: profiles ask for predictive analytics unless disabled, at the matching tier", "[hooks]") {
  const StreamSpec& spec = *find_stream("profiles");
  sk::config::Config cfg;
  sk::klaviyo::Params params;
  auto tier = spec.tier;
  apply_request_hooks(spec, cfg, params, tier);
  CHECK(params.back().second == "subscriptions,predictive_analytics");
  CHECK(tier == sk::budget::TierId::M);
  cfg.disable_fetching_predictive_analytics = true;
  params.clear();
  tier = spec.tier;
  apply_request_hooks(spec, cfg, params, tier);
  CHECK(params.back().second == "subscriptions");
  CHECK(tier == sk::budget::TierId::L);
}
