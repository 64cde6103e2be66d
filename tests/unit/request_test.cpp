// The first request of every stream, as Klaviyo must receive it: method, path (parent ids
// percent-encoded), query parameters in order, JSON body, rate tier, scope and kind of call, for a
// representative partition and window of each row of the stream table. The expected values are
// written out by hand from Klaviyo's API (filter operators per field, page[size] caps, report
// bodies) as stream_table.cpp and request.h state it; a row the table below does not cover fails.
// Then the later pages: the request after page 1 is links.next exactly as Klaviyo sent it (the
// filter included), never a URL rebuilt by the connector (MeltanoLabs tap-klaviyo lost its filter
// after page 1 that way).
#include <catch2/catch.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_api.h"
#include "fake_read.h"
#include "core/budget/rate_budget.h"
#include "core/http/client.h"
#include "core/klaviyo/api.h"
#include "core/klaviyo/pager.h"
#include "core/util/datetime.h"
#include "source/streams/partitions.h"
#include "source/streams/request.h"
#include "source/streams/stream_spec.h"

using nlohmann::json;
using namespace sk;
using sk::budget::TierId;
using sk::klaviyo::CallKind;
using sk::test::decode;
using sk::test::FakeServer;
using sk::test::FakeTransport;
using sk::test::kNow;
using sk::test::page;
using sk::test::reply;
using sk::test::resource;
using sk::test::run_read;
using sk::test::test_config;

namespace {

SysTime t(const char* s) { return *sk::parse_datetime(s); }

// The window of every row below: one week, [2024-01-01, 2024-01-08).
streams::Bounds week() { return {t("2024-01-01T00:00:00Z"), t("2024-01-08T00:00:00Z"), {}}; }

// June 2024 in America/New_York (EDT), as the report streams send a window of whole local days.
streams::Bounds june_in_new_york() {
  return {std::nullopt, std::nullopt, {"2024-06-01T00:00:00-04:00", "2024-06-30T23:59:59-04:00"}};
}

// Klaviyo's reporting statistics as Airbyte's connector asks for them: for campaign values every
// statistic the API defines (OpenAPI CampaignValuesRequestDTO, 2026-07-15, in its order) ...
const json kCampaignStatistics = {
    "average_order_value", "bounce_rate", "bounced", "bounced_or_failed", "bounced_or_failed_rate",
    "click_rate", "click_to_open_rate", "clicks", "clicks_unique", "conversion_rate", "conversion_uniques",
    "conversion_value", "conversions", "delivered", "delivery_rate", "failed", "failed_rate",
    "message_segment_count_sum", "open_rate", "opens", "opens_unique", "recipients", "revenue_per_recipient",
    "spam_complaint_rate", "spam_complaints", "text_message_credit_usage_amount", "text_message_roi",
    "text_message_spend", "unsubscribe_rate", "unsubscribe_uniques", "unsubscribes"};
// ... and for flow series the 22 of Airbyte's flow_series_reports schema, in its order.
const json kFlowStatistics = {
    "opens", "opens_unique", "clicks", "clicks_unique", "delivered", "bounced", "bounced_or_failed",
    "bounced_or_failed_rate", "failed", "failed_rate", "conversions", "conversion_value", "conversion_rate",
    "conversion_uniques", "click_rate", "open_rate", "click_to_open_rate", "delivery_rate", "bounce_rate",
    "recipients", "revenue_per_recipient", "average_order_value"};

// The ids the parents of the child rows have here. A list id with characters a path must escape.
const std::string kListId = "Y6 nR/L?r";
const std::string kListIdInPath = "Y6%20nR%2FL%3Fr";

// What one row's first request must be.
struct Expected {
  std::string stream;
  std::vector<streams::ParentRef> parents;  // the parent records listed (child and report rows)
  streams::Bounds bounds;
  json key;                                 // the partition's key in state
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> params;  // in order, not encoded
  json body;                                                // null for a GET
  TierId tier;
  std::string scope;
  CallKind kind;
};

const std::vector<Expected>& expectations() {
  const auto week_filter = [](const std::string& field) {
    return "and(greater-or-equal(" + field + ",2024-01-01T00:00:00Z),less-than(" + field + ",2024-01-08T00:00:00Z))";
  };
  static const std::vector<Expected> rows = {
      // /api/metrics takes no filter, sort or page[size]: the window is not sent (client-side cursor).
      {"metrics", {}, week(), json::object(), "GET", "/api/metrics", {}, nullptr, TierId::M, "metrics", CallKind::Plain},
      // lists and segments: updated allows greater-than only, so the lower bound steps back a second;
      // no upper bound; page[size] at most 10.
      {"lists", {}, week(), json::object(), "GET", "/api/lists",
       {{"filter", "greater-than(updated,2023-12-31T23:59:59Z)"}, {"sort", "updated"}, {"page[size]", "10"}},
       nullptr, TierId::L, "lists", CallKind::Plain},
      {"segments", {}, week(), json::object(), "GET", "/api/segments",
       {{"filter", "greater-than(updated,2023-12-31T23:59:59Z)"}, {"sort", "updated"}, {"page[size]", "10"}},
       nullptr, TierId::L, "segments", CallKind::Plain},
      // email_templates is /api/templates (templates:read): updated takes greater-or-equal and less-than.
      {"email_templates", {}, week(), json::object(), "GET", "/api/templates",
       {{"filter", week_filter("updated")}, {"sort", "updated"}, {"page[size]", "10"}},
       nullptr, TierId::L, "templates", CallKind::Plain},
      // flows: one partition per archived value, archived=false first; page[size] at most 50.
      {"flows", {}, week(), {{"archived", "false"}}, "GET", "/api/flows",
       {{"filter", "and(equals(archived,false),greater-or-equal(updated,2024-01-01T00:00:00Z),"
                   "less-than(updated,2024-01-08T00:00:00Z))"},
        {"sort", "updated"}, {"page[size]", "50"}},
       nullptr, TierId::S, "flows", CallKind::Plain},
      // campaigns: Klaviyo requires a messages.channel filter; the cursor is updated_at.
      {"campaigns", {}, week(), {{"archived", "false"}, {"campaign_type", "email"}}, "GET", "/api/campaigns",
       {{"filter", "and(equals(messages.channel,'email'),equals(archived,false),"
                   "greater-or-equal(updated_at,2024-01-01T00:00:00Z),less-than(updated_at,2024-01-08T00:00:00Z))"},
        {"sort", "updated_at"}, {"page[size]", "100"}},
       nullptr, TierId::M, "campaigns", CallKind::Plain},
      {"campaigns_detailed", {}, week(), {{"archived", "false"}, {"campaign_type", "email"}}, "GET", "/api/campaigns",
       {{"filter", "and(equals(messages.channel,'email'),equals(archived,false),"
                   "greater-or-equal(updated_at,2024-01-01T00:00:00Z),less-than(updated_at,2024-01-08T00:00:00Z))"},
        {"sort", "updated_at"}, {"page[size]", "100"}},
       nullptr, TierId::M, "campaigns", CallKind::Plain},
      // profiles: updated allows greater-than and less-than only; predictive analytics (the
      // default) are served at tier M.
      {"profiles", {}, week(), json::object(), "GET", "/api/profiles",
       {{"filter", "and(greater-than(updated,2023-12-31T23:59:59Z),less-than(updated,2024-01-08T00:00:00Z))"},
        {"sort", "updated"}, {"page[size]", "100"},
        {"additional-fields[profile]", "subscriptions,predictive_analytics"}},
       nullptr, TierId::M, "profiles", CallKind::Plain},
      // events: datetime, page[size] up to 1000, tier XL; without event_metric_ids one partition.
      {"events", {}, week(), json::object(), "GET", "/api/events",
       {{"filter", week_filter("datetime")}, {"sort", "datetime"}, {"page[size]", "1000"}},
       nullptr, TierId::XL, "events", CallKind::Plain},
      {"events_detailed", {}, week(), json::object(), "GET", "/api/events",
       {{"filter", week_filter("datetime")}, {"sort", "datetime"}, {"page[size]", "1000"},
        {"include", "metric,attributions"}, {"fields[metric]", "name"}},
       nullptr, TierId::XL, "events", CallKind::Plain},
      // global_exclusions: profiles with their subscriptions (where suppressions are), never
      // predictive analytics: tier L.
      {"global_exclusions", {}, week(), json::object(), "GET", "/api/profiles",
       {{"filter", "and(greater-than(updated,2023-12-31T23:59:59Z),less-than(updated,2024-01-08T00:00:00Z))"},
        {"sort", "updated"}, {"page[size]", "100"}, {"additional-fields[profile]", "subscriptions"}},
       nullptr, TierId::L, "profiles", CallKind::Plain},
      // tags: no cursor, no filter, no sort; page[size] at most 50.
      {"tags", {}, {}, json::object(), "GET", "/api/tags", {{"page[size]", "50"}}, nullptr, TierId::S, "tags",
       CallKind::Plain},
      // Children: the parent's id in the path, percent-encoded.
      {"list_memberships", {{kListId, std::nullopt, {}}}, week(), {{"list_id", kListId}}, "GET",
       "/api/lists/" + kListIdInPath + "/profiles",
       {{"filter", week_filter("joined_group_at")}, {"sort", "joined_group_at"}, {"page[size]", "100"}},
       nullptr, TierId::L, "lists", CallKind::ChildPartition},
      {"segment_memberships", {{"Sg1", std::nullopt, {}}}, week(), {{"segment_id", "Sg1"}}, "GET",
       "/api/segments/Sg1/profiles",
       {{"filter", week_filter("joined_group_at")}, {"sort", "joined_group_at"}, {"page[size]", "100"}},
       nullptr, TierId::L, "segments", CallKind::ChildPartition},
      {"flow_actions", {{"Fl1", std::nullopt, {}}}, week(), {{"flow_id", "Fl1"}}, "GET", "/api/flows/Fl1/flow-actions",
       {{"filter", week_filter("updated")}, {"sort", "updated"}, {"page[size]", "50"}},
       nullptr, TierId::S, "flows", CallKind::ChildPartition},
      // A grandchild: the flow action (listed with its flow) fills the path.
      {"flow_messages", {{"Ac1", std::nullopt, {{"flow_id", "Fl1"}}}}, week(), {{"flow_action_id", "Ac1"}}, "GET",
       "/api/flow-actions/Ac1/flow-messages",
       {{"filter", week_filter("updated")}, {"sort", "updated"}, {"page[size]", "50"}},
       nullptr, TierId::S, "flows", CallKind::ChildPartition},
      // campaign-messages takes no filter, sort or paging parameters (client-side cursor).
      {"campaign_messages", {{"Cm1", std::nullopt, {}}}, week(), {{"campaign_id", "Cm1"}}, "GET",
       "/api/campaigns/Cm1/campaign-messages", {}, nullptr, TierId::M, "campaigns", CallKind::ChildPartition},
      // Detail rows: one resource per parent with its profile_count, tier XS; the window is not sent.
      {"lists_detailed", {{kListId, t("2024-01-03T00:00:00Z"), {}}}, week(), {{"id", kListId}}, "GET",
       "/api/lists/" + kListIdInPath, {{"additional-fields[list]", "profile_count"}},
       nullptr, TierId::XS, "lists", CallKind::ChildPartition},
      {"segments_detailed", {{"Sg1", t("2024-01-03T00:00:00Z"), {}}}, week(), {{"id", "Sg1"}}, "GET",
       "/api/segments/Sg1", {{"additional-fields[segment]", "profile_count"}},
       nullptr, TierId::XS, "segments", CallKind::ChildPartition},
      // Reports: a POST per conversion metric (here every metric listed: one, RESQ6t) and timeframe.
      {"campaign_values_reports", {{"RESQ6t", std::nullopt, {}}}, june_in_new_york(), {{"metric_id", "RESQ6t"}},
       "POST", "/api/campaign-values-reports", {},
       {{"data",
         {{"type", "campaign-values-report"},
          {"attributes",
           {{"statistics", kCampaignStatistics},
            {"timeframe", {{"start", "2024-06-01T00:00:00-04:00"}, {"end", "2024-06-30T23:59:59-04:00"}}},
            {"conversion_metric_id", "RESQ6t"}}}}}},
       TierId::Reporting, "campaigns", CallKind::ReportPartition},
      {"flow_series_reports", {{"RESQ6t", std::nullopt, {}}}, june_in_new_york(), {{"metric_id", "RESQ6t"}},
       "POST", "/api/flow-series-reports", {},
       {{"data",
         {{"type", "flow-series-report"},
          {"attributes",
           {{"statistics", kFlowStatistics},
            {"timeframe", {{"start", "2024-06-01T00:00:00-04:00"}, {"end", "2024-06-30T23:59:59-04:00"}}},
            {"interval", "daily"},
            {"conversion_metric_id", "RESQ6t"}}}}}},
       TierId::FlowReporting, "flows", CallKind::ReportPartition},
  };
  return rows;
}

// "k=v&k=v" without encoding, for readable comparisons of parameters in order.
std::string joined(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string s;
  for (const auto& [k, v] : params) s += (s.empty() ? "" : "&") + k + "=" + v;
  return s;
}

const char* kind_name(CallKind k) {
  switch (k) {
    case CallKind::Plain: return "plain";
    case CallKind::ChildPartition: return "child partition";
    case CallKind::ReportPartition: return "report partition";
    case CallKind::Lookup: return "lookup";
    case CallKind::Probe: return "probe";
    case CallKind::WriteProbe: return "write probe";
    case CallKind::Write: return "write";
  }
  return "?";
}

std::string tier_name(TierId id) { return std::string(budget::tier(id).name); }

// The partitions of a row with the given parent records.
std::vector<streams::Partition> partitions(std::string_view stream, const config::Config& cfg,
                                           const std::vector<streams::ParentRef>& parents = {}) {
  return streams::partitions_for(*streams::find_stream(stream), cfg, parents);
}

klaviyo::Call first_call(std::string_view stream, const config::Config& cfg, const streams::Partition& part,
                         streams::Bounds bounds) {
  return streams::build_call(*streams::find_stream(stream), cfg, part, bounds);
}

std::string filter_of(const klaviyo::Call& call) {
  for (const auto& [k, v] : call.params)
    if (k == "filter") return v;
  return "";
}

}  // namespace

TEST_CASE("request: every row of the stream table has its first request stated here", "[request]") {
  std::set<std::string> expected;
  for (const auto& e : expectations()) {
    CHECK(expected.insert(e.stream).second);  // once each
    CHECK(streams::find_stream(e.stream) != nullptr);
  }
  std::size_t rows = 0;
  for (const auto& spec : streams::all_streams()) {
    ++rows;
    INFO("a stream without an expected first request in request_test.cpp: " << spec.name);
    CHECK(expected.count(std::string(spec.name)) == 1);
  }
  CHECK(rows == 21);
  CHECK(expected.size() == rows);
}

TEST_CASE("request: the first request of each row, for a representative partition and window", "[request]") {
  const auto cfg = test_config();
  for (const auto& e : expectations()) {
    INFO("stream: " << e.stream);
    const auto parts = partitions(e.stream, cfg, e.parents);
    REQUIRE_FALSE(parts.empty());
    CHECK(parts[0].key == e.key);
    const klaviyo::Call call = first_call(e.stream, cfg, parts[0], e.bounds);
    CHECK(call.method == e.method);
    CHECK(call.path == e.path);
    CHECK(joined(call.params) == joined(e.params));
    if (e.body.is_null()) {
      CHECK(call.body.empty());
    } else {
      REQUIRE(json::accept(call.body));
      CHECK(json::parse(call.body) == e.body);
    }
    CHECK(tier_name(call.info.tier) == tier_name(e.tier));
    CHECK(std::string(call.info.scope) == e.scope);
    CHECK(std::string(kind_name(call.kind)) == kind_name(e.kind));
  }
}

TEST_CASE("request: the first URL is the base, the path and each parameter percent-encoded in order", "[request]") {
  FakeClock clock(kNow);
  budget::BudgetSet budgets(clock);
  FakeServer server;
  http::Client client(std::make_unique<FakeTransport>(server), clock, {}, nullptr);
  const auto cfg = test_config();
  klaviyo::Api api(client, budgets, cfg.api_key, cfg.base_url);

  const auto events = first_call("events", cfg, partitions("events", cfg)[0], week());
  CHECK(api.first_url(events) ==
        "http://fake/api/events?filter=and%28greater-or-equal%28datetime%2C2024-01-01T00%3A00%3A00Z%29%2C"
        "less-than%28datetime%2C2024-01-08T00%3A00%3A00Z%29%29&sort=datetime&page%5Bsize%5D=1000");

  const auto members =
      first_call("list_memberships", cfg, partitions("list_memberships", cfg, {{kListId, std::nullopt, {}}})[0], week());
  CHECK(api.first_url(members) ==
        "http://fake/api/lists/Y6%20nR%2FL%3Fr/profiles?filter=and%28greater-or-equal%28joined_group_at%2C"
        "2024-01-01T00%3A00%3A00Z%29%2Cless-than%28joined_group_at%2C2024-01-08T00%3A00%3A00Z%29%29"
        "&sort=joined_group_at&page%5Bsize%5D=100");

  const auto detail =
      first_call("lists_detailed", cfg, partitions("lists_detailed", cfg, {{kListId, std::nullopt, {}}})[0], week());
  CHECK(api.first_url(detail) == "http://fake/api/lists/Y6%20nR%2FL%3Fr?additional-fields%5Blist%5D=profile_count");
  CHECK(api.first_url(first_call("metrics", cfg, partitions("metrics", cfg)[0], week())) == "http://fake/api/metrics");
  CHECK(server.urls().empty());  // building URLs sends nothing
}

TEST_CASE("request: profiles ask for predictive analytics at tier M unless disabled, then tier L", "[request]") {
  auto cfg = test_config();
  // The strict lower bound is the start floored to the second, minus one second: a record updated
  // at 10:00:00.7 is after 09:59:59, and so is one updated at 10:00:00.0 (a tie with the cursor).
  const streams::Bounds from_fraction{t("2024-01-01T10:00:00.700Z"), t("2024-01-08T00:00:00Z"), {}};
  const auto part = partitions("profiles", cfg)[0];

  const auto predictive = first_call("profiles", cfg, part, from_fraction);
  CHECK(joined(predictive.params) ==
        "filter=and(greater-than(updated,2024-01-01T09:59:59Z),less-than(updated,2024-01-08T00:00:00Z))"
        "&sort=updated&page[size]=100&additional-fields[profile]=subscriptions,predictive_analytics");
  CHECK(predictive.info.tier == TierId::M);

  cfg.disable_fetching_predictive_analytics = true;
  const auto plain = first_call("profiles", cfg, part, from_fraction);
  CHECK(joined(plain.params) ==
        "filter=and(greater-than(updated,2024-01-01T09:59:59Z),less-than(updated,2024-01-08T00:00:00Z))"
        "&sort=updated&page[size]=100&additional-fields[profile]=subscriptions");
  CHECK(plain.info.tier == TierId::L);
  CHECK(plain.path == "/api/profiles");
  CHECK(std::string(plain.info.scope) == "profiles");

  // global_exclusions never asks for predictive analytics, whatever the setting.
  for (bool disabled : {false, true}) {
    cfg.disable_fetching_predictive_analytics = disabled;
    const auto g = first_call("global_exclusions", cfg, partitions("global_exclusions", cfg)[0], from_fraction);
    CHECK(joined(g.params) ==
          "filter=and(greater-than(updated,2024-01-01T09:59:59Z),less-than(updated,2024-01-08T00:00:00Z))"
          "&sort=updated&page[size]=100&additional-fields[profile]=subscriptions");
    CHECK(g.info.tier == TierId::L);
  }

  // Without a lower bound (a first sync without start_date) only the upper bound is sent, as one clause.
  cfg.disable_fetching_predictive_analytics = true;
  const auto open = first_call("profiles", cfg, part, {std::nullopt, t("2024-01-08T00:00:00Z"), {}});
  CHECK(filter_of(open) == "less-than(updated,2024-01-08T00:00:00Z)");
}

TEST_CASE("request: campaigns read each channel x archived partition, flows each archived one", "[request]") {
  const auto cfg = test_config();
  const std::string window = "greater-or-equal(updated_at,2024-01-01T00:00:00Z),less-than(updated_at,2024-01-08T00:00:00Z))";
  const std::vector<std::pair<json, std::string>> campaigns = {
      {{{"archived", "false"}, {"campaign_type", "email"}}, "and(equals(messages.channel,'email'),equals(archived,false),"},
      {{{"archived", "true"}, {"campaign_type", "email"}}, "and(equals(messages.channel,'email'),equals(archived,true),"},
      {{{"archived", "false"}, {"campaign_type", "sms"}}, "and(equals(messages.channel,'sms'),equals(archived,false),"},
      {{{"archived", "true"}, {"campaign_type", "sms"}}, "and(equals(messages.channel,'sms'),equals(archived,true),"},
      {{{"archived", "false"}, {"campaign_type", "mobile_push"}},
       "and(equals(messages.channel,'mobile_push'),equals(archived,false),"},
      {{{"archived", "true"}, {"campaign_type", "mobile_push"}},
       "and(equals(messages.channel,'mobile_push'),equals(archived,true),"},
  };
  for (const char* stream : {"campaigns", "campaigns_detailed"}) {
    INFO(stream);
    const auto parts = partitions(stream, cfg);
    REQUIRE(parts.size() == campaigns.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
      CHECK(parts[i].key == campaigns[i].first);
      CHECK(parts[i].channel == campaigns[i].first["campaign_type"].get<std::string>());
      const auto call = first_call(stream, cfg, parts[i], week());
      CHECK(filter_of(call) == campaigns[i].second + window);
      CHECK(joined(call.params) == "filter=" + campaigns[i].second + window + "&sort=updated_at&page[size]=100");
    }
  }

  const auto flows = partitions("flows", cfg);
  REQUIRE(flows.size() == 2);
  CHECK(flows[0].key == json{{"archived", "false"}});
  CHECK(flows[1].key == json{{"archived", "true"}});
  CHECK(filter_of(first_call("flows", cfg, flows[1], week())) ==
        "and(equals(archived,true),greater-or-equal(updated,2024-01-01T00:00:00Z),less-than(updated,2024-01-08T00:00:00Z))");
  // Without a window (a full refresh with no start) the partition's filter is all that is sent.
  CHECK(filter_of(first_call("flows", cfg, flows[0], {})) == "equals(archived,false)");
  CHECK(filter_of(first_call("campaigns", cfg, partitions("campaigns", cfg)[3], {})) ==
        "and(equals(messages.channel,'sms'),equals(archived,true))");
}

TEST_CASE("request: events read one partition per event metric id, filtered on metric_id", "[request]") {
  auto cfg = test_config();
  cfg.event_metric_ids = {"RESQ6t", "VevE7N"};
  for (const char* stream : {"events", "events_detailed"}) {
    INFO(stream);
    const auto parts = partitions(stream, cfg);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].key == json{{"event_metric_id", "RESQ6t"}});
    CHECK(parts[1].key == json{{"event_metric_id", "VevE7N"}});
    CHECK(filter_of(first_call(stream, cfg, parts[0], week())) ==
          "and(equals(metric_id,\"RESQ6t\"),greater-or-equal(datetime,2024-01-01T00:00:00Z),"
          "less-than(datetime,2024-01-08T00:00:00Z))");
    const auto second = first_call(stream, cfg, parts[1], week());
    CHECK(filter_of(second) ==
          "and(equals(metric_id,\"VevE7N\"),greater-or-equal(datetime,2024-01-01T00:00:00Z),"
          "less-than(datetime,2024-01-08T00:00:00Z))");
    CHECK(second.path == "/api/events");
    CHECK(second.info.tier == TierId::XL);
  }
  // The lower bound is floored to the second (greater-or-equal keeps ties).
  cfg.event_metric_ids.clear();
  const auto call = first_call("events", cfg, partitions("events", cfg)[0],
                               {t("2024-01-01T10:00:00.700Z"), t("2024-01-08T00:00:00Z"), {}});
  CHECK(filter_of(call) ==
        "and(greater-or-equal(datetime,2024-01-01T10:00:00Z),less-than(datetime,2024-01-08T00:00:00Z))");
}

TEST_CASE("request: child paths carry the parent's id percent-encoded; partitions carry the ancestry", "[request]") {
  const auto cfg = test_config();
  const std::string id = "a b/c?d#e\"f%\xC3\xA9";
  const std::string in_path = "a%20b%2Fc%3Fd%23e%22f%25%C3%A9";
  const std::vector<std::pair<std::string, std::string>> paths = {
      {"list_memberships", "/api/lists/" + in_path + "/profiles"},
      {"segment_memberships", "/api/segments/" + in_path + "/profiles"},
      {"flow_actions", "/api/flows/" + in_path + "/flow-actions"},
      {"flow_messages", "/api/flow-actions/" + in_path + "/flow-messages"},
      {"campaign_messages", "/api/campaigns/" + in_path + "/campaign-messages"},
      {"lists_detailed", "/api/lists/" + in_path},
      {"segments_detailed", "/api/segments/" + in_path},
  };
  std::size_t parent_rows = 0;
  for (const auto& spec : streams::all_streams())
    if (spec.partitions == streams::Partitioning::Parent) ++parent_rows;
  CHECK(parent_rows == paths.size());
  for (const auto& [stream, path] : paths) {
    INFO(stream);
    const auto parts = partitions(stream, cfg, {{id, std::nullopt, {}}});
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].parent_id() == id);
    CHECK(first_call(stream, cfg, parts[0], week()).path == path);
  }

  // flow_messages: the flow action's own ancestry (its flow) comes first, then the action.
  const auto messages = partitions("flow_messages", cfg, {{"Ac1", std::nullopt, {{"flow_id", "Fl1"}}},
                                                          {"Ac2", std::nullopt, {{"flow_id", "Fl2"}}}});
  REQUIRE(messages.size() == 2);
  REQUIRE(messages[1].ancestry.size() == 2);
  CHECK(messages[1].ancestry[0].key == "flow_id");
  CHECK(messages[1].ancestry[0].id == "Fl2");
  CHECK(messages[1].ancestry[1].key == "flow_action_id");
  CHECK(messages[1].ancestry[1].id == "Ac2");
  CHECK(first_call("flow_messages", cfg, messages[1], week()).path == "/api/flow-actions/Ac2/flow-messages");
  // Detail rows: the record is the parent itself, so its ancestor has no field of its own.
  const auto detail = partitions("lists_detailed", cfg, {{"L1", t("2024-01-03T00:00:00Z"), {}}});
  REQUIRE(detail.size() == 1);
  REQUIRE(detail[0].ancestry.size() == 1);
  CHECK(detail[0].ancestry[0].key.empty());
  CHECK(detail[0].parent_cursor == t("2024-01-03T00:00:00Z"));
}

TEST_CASE("request: report rows POST one conversion metric each: metric_ids, else every metric", "[request]") {
  auto cfg = test_config();
  const std::vector<streams::ParentRef> metrics = {{"RESQ6t", std::nullopt, {}}, {"VevE7N", std::nullopt, {}}};
  for (const char* stream : {"campaign_values_reports", "flow_series_reports"}) {
    INFO(stream);
    cfg.metric_ids.clear();
    auto parts = partitions(stream, cfg, metrics);
    REQUIRE(parts.size() == 2);
    CHECK(parts[1].key == json{{"metric_id", "VevE7N"}});
    const auto call = first_call(stream, cfg, parts[1], june_in_new_york());
    CHECK(call.method == "POST");
    CHECK(call.params.empty());
    CHECK(json::parse(call.body)["data"]["attributes"]["conversion_metric_id"] == "VevE7N");

    cfg.metric_ids = {"Xq7Mz2"};  // named metrics win over the metrics listed
    parts = partitions(stream, cfg, metrics);
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].key == json{{"metric_id", "Xq7Mz2"}});
    const json body = json::parse(first_call(stream, cfg, parts[0], june_in_new_york()).body);
    CHECK(body["data"]["attributes"]["conversion_metric_id"] == "Xq7Mz2");
    CHECK(body["data"]["attributes"]["timeframe"] ==
          json{{"start", "2024-06-01T00:00:00-04:00"}, {"end", "2024-06-30T23:59:59-04:00"}});
  }
}

TEST_CASE("request: one_record asks for one record per page; the accounts call", "[request]") {
  const auto cfg = test_config();
  const auto events = streams::one_record(first_call("events", cfg, partitions("events", cfg)[0], week()));
  CHECK(joined(events.params) ==
        "filter=and(greater-or-equal(datetime,2024-01-01T00:00:00Z),less-than(datetime,2024-01-08T00:00:00Z))"
        "&sort=datetime&page[size]=1");
  const auto metrics = streams::one_record(first_call("metrics", cfg, partitions("metrics", cfg)[0], week()));
  CHECK(metrics.params.empty());  // no page[size] to change: none is added

  const auto accounts = streams::account_call();
  CHECK(accounts.method == "GET");
  CHECK(accounts.path == "/api/accounts");
  CHECK(accounts.params.empty());
  CHECK(accounts.info.tier == TierId::XS);
  CHECK(std::string(accounts.info.scope) == "accounts");
}

// ---- later pages: links.next as Klaviyo sent it ----

namespace {

// Klaviyo's own spelling of a next link for a first request: its path with a trailing slash, the
// query in another order with the page cursor added. A connector that rebuilt the URL from its own
// parameters could not produce it.
std::string klaviyo_next(const std::string& first_url) {
  const auto q = first_url.find('?');
  std::string next = (q == std::string::npos ? first_url : first_url.substr(0, q)) + "/?page%5Bcursor%5D=bmV4dDo6MTIz";
  if (q == std::string::npos) return next;
  std::vector<std::string> params;
  for (std::size_t at = q + 1;;) {
    const auto amp = first_url.find('&', at);
    params.push_back(first_url.substr(at, amp == std::string::npos ? std::string::npos : amp - at));
    if (amp == std::string::npos) break;
    at = amp + 1;
  }
  for (auto p = params.rbegin(); p != params.rend(); ++p) next += "&" + *p;
  return next;
}

}  // namespace

TEST_CASE("request: page 2 of every collection row is links.next exactly as sent, filter and all", "[request][pager]") {
  const auto cfg = test_config();
  FakeClock clock(kNow);
  budget::BudgetSet budgets(clock);
  std::size_t rows = 0;
  for (const auto& spec : streams::all_streams()) {
    if (streams::shape_of(spec) != klaviyo::Shape::List) continue;
    ++rows;
    INFO("stream: " << spec.name);
    const auto parts = streams::partitions_for(spec, cfg, {{"P1", std::nullopt, {{"flow_id", "Fl1"}}}});
    REQUIRE_FALSE(parts.empty());
    const auto call = streams::build_call(spec, cfg, parts.back(), spec.incremental() ? week() : streams::Bounds{});
    FakeServer server;
    std::string next;
    server.handler = [&](const http::Request& r) {
      if (server.seen.size() == 1) {
        next = klaviyo_next(r.url);
        return reply(200, page({resource("x", "1", "updated", "2024-01-02T00:00:00+00:00")}, next));
      }
      return reply(200, page({resource("x", "2", "updated", "2024-01-03T00:00:00+00:00")}));
    };
    http::Client client(std::make_unique<FakeTransport>(server), clock, {}, nullptr);
    klaviyo::Api api(client, budgets, cfg.api_key, cfg.base_url);
    klaviyo::Pager pager(api, call, klaviyo::Shape::List);
    REQUIRE(pager.next() != nullptr);
    REQUIRE(pager.next() != nullptr);
    CHECK(pager.next() == nullptr);
    REQUIRE(server.seen.size() == 2);
    CHECK(server.seen[0].url == api.first_url(call));
    CHECK(server.seen[1].url == next);  // byte for byte
    CHECK(server.seen[1].method == call.method);
    CHECK(server.seen[1].body == call.body);
    const std::string filter = filter_of(call);
    if (!filter.empty()) CHECK(decode(server.seen[1].url).find("filter=" + filter) != std::string::npos);
  }
  CHECK(rows == 17);  // every row but the two detail rows and the two report rows
}

TEST_CASE("request: a windowed read follows links.next verbatim and keeps its window on every page", "[request][pager]") {
  // Klaviyo's next links spell the filter their own way (+00:00 datetimes, a trailing slash, their
  // parameter order); the connector must send them back untouched, not rebuild page 2 from page 1.
  const std::string next2 =
      "http://fake/api/events/?filter=and%28greater-or-equal%28datetime%2C2024-05-29T00%3A00%3A00%2B00%3A00%29%2C"
      "less-than%28datetime%2C2024-06-01T12%3A00%3A00%2B00%3A00%29%29&page%5Bcursor%5D=bmV4dDo6Mg&"
      "page%5Bsize%5D=1000&sort=datetime";
  const std::string next3 =
      "http://fake/api/events/?filter=and%28greater-or-equal%28datetime%2C2024-05-29T00%3A00%3A00%2B00%3A00%29%2C"
      "less-than%28datetime%2C2024-06-01T12%3A00%3A00%2B00%3A00%29%29&page%5Bcursor%5D=bmV4dDo6Mw&"
      "page%5Bsize%5D=1000&sort=datetime";
  FakeServer server;
  server.handler = [&](const http::Request& r) {
    if (r.url == next2) return reply(200, page({resource("event", "e2", "datetime", "2024-05-30T00:00:00+00:00")}, next3));
    if (r.url == next3) return reply(200, page({resource("event", "e3", "datetime", "2024-05-31T00:00:00+00:00")}));
    return reply(200, page({resource("event", "e1", "datetime", "2024-05-29T00:00:00+00:00")}, next2));
  };
  auto cfg = test_config();
  cfg.start_date = t("2024-05-29T00:00:00Z");  // one window: [05-29, sync start)
  auto run = run_read(server, cfg, {{"events", protocol::SyncMode::Incremental}});
  const auto urls = server.urls();
  REQUIRE(urls.size() == 3);
  CHECK(decode(urls[0]) ==
        "http://fake/api/events?filter=and(greater-or-equal(datetime,2024-05-29T00:00:00Z),"
        "less-than(datetime,2024-06-01T12:00:00Z))&sort=datetime&page[size]=1000");
  CHECK(urls[1] == next2);
  CHECK(urls[2] == next3);
  CHECK(run.of_type("RECORD").size() == 3);
  CHECK(run.results.at(0).failure == std::nullopt);
}
