// The report streams against a scripted reporting API that enforces Klaviyo's pace (1/s, 2/min per
// endpoint) on the injected clock: windows, days in the account's timezone, the quota plan,
// unsupported metrics, quota exhaustion and resume, lookback.
#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "fake_api.h"
#include "source/streams/engine.h"
#include "source/streams/planner.h"
#include "source/streams/progress.h"
#include "source/streams/reports.h"
#include "core/util/datetime.h"

using nlohmann::json;
using namespace sk;
using sk::test::FakeServer;
using sk::test::FakeTransport;
using sk::test::reply;

namespace {

const SysTime kNow = *parse_datetime("2024-06-01T12:00:00Z");

streams::Day day(const char* ymd) { return std::chrono::floor<std::chrono::days>(*parse_datetime(ymd)); }

// A reporting API: answers both report endpoints for any metric except those in `unsupported`,
// refuses with a daily-quota 429 after `quota` report requests, and notes every pacing violation
// (two requests less than 1 s apart, or three within 60 s, per endpoint) measured on `clock`.
struct ReportServer {
  explicit ReportServer(FakeClock& c) : clock(c) {}
  FakeClock& clock;
  std::string timezone = "UTC";
  std::set<std::string> unsupported;
  std::vector<std::string> metrics = {"M1", "M2"};
  int quota = 1000;
  int sent = 0;
  std::vector<json> bodies;  // report request bodies, in order
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> times;
  int pace_violations = 0;

  http::Result handle(const http::Request& r) {
    if (r.url.find("/api/accounts") != std::string::npos)
      return reply(200, json{{"data", {{{"type", "account"}, {"id", "A"},
                                        {"attributes", {{"timezone", timezone}}}}}}}.dump());
    if (r.url.find("/api/metrics") != std::string::npos) {
      json data = json::array();
      for (const auto& m : metrics) data.push_back({{"type", "metric"}, {"id", m}, {"attributes", {{"updated", "2024-01-01T00:00:00+00:00"}}}});
      return reply(200, json{{"data", data}, {"links", {{"next", nullptr}}}}.dump());
    }
    const std::string endpoint = r.url.find("flow-series") != std::string::npos ? "flow" : "campaign";
    auto& t = times[endpoint];
    const auto now = clock.steady_now();
    if (!t.empty() && now - t.back() < std::chrono::seconds(1)) ++pace_violations;
    if (t.size() >= 2 && now - t[t.size() - 2] < std::chrono::seconds(60)) ++pace_violations;
    t.push_back(now);
    if (++sent > quota) {
      http::Result q = reply(429, R"({"errors":[{"status":429,"code":"throttled","detail":"Request was throttled."}]})");
      q.response.headers["retry-after"] = "73473";
      return q;
    }
    json body = json::parse(r.body);
    bodies.push_back(body);
    const json& a = body["data"]["attributes"];
    const std::string metric = a["conversion_metric_id"];
    if (unsupported.count(metric))
      return reply(400, R"({"errors":[{"status":400,"code":"invalid","title":"Invalid input.","detail":"Passed in conversion metric does not support querying for values data"}]})");
    // Days the timeframe covers: its wall-clock dates, both ends inclusive (offsets ignored).
    const auto first = day((a["timeframe"]["start"].get<std::string>().substr(0, 10)).c_str());
    const auto last = day((a["timeframe"]["end"].get<std::string>().substr(0, 10)).c_str());
    json dts = json::array();
    for (auto d = first; d <= last; d += std::chrono::days(1)) dts.push_back(format_iso(SysTime(d)));
    json results = json::array();
    for (const char* g : {"1", "2"}) {
      json stats = json::object();
      for (const auto& s : a["statistics"]) {
        if (endpoint == "flow") {
          json arr = json::array();
          for (const auto& d : dts) arr.push_back(std::hash<std::string>{}(metric + g + d.get<std::string>()) % 100);
          stats[s.get<std::string>()] = arr;
        } else {
          stats[s.get<std::string>()] = 7;
        }
      }
      json groupings = endpoint == "flow"
                           ? json{{"flow_id", std::string("F") + g}, {"flow_message_id", std::string("FM") + g}, {"send_channel", "email"}}
                           : json{{"campaign_id", std::string("C") + g}, {"campaign_message_id", std::string("CM") + g}, {"send_channel", "email"}};
      results.push_back({{"groupings", groupings}, {"statistics", stats}});
    }
    json attrs = {{"results", results}};
    if (endpoint == "flow") attrs["date_times"] = dts;
    return reply(200, json{{"data", {{"type", "report"}, {"id", "x"}, {"attributes", attrs}}}, {"links", {{"self", "s"}}}}.dump());
  }
};

struct Run {
  std::vector<json> messages;
  std::vector<json> of_type(const std::string& t) const {
    std::vector<json> v;
    for (const auto& m : messages)
      if (m["type"] == t) v.push_back(m);
    return v;
  }
  std::vector<json> records(const std::string& stream) const {
    std::vector<json> v;
    for (const auto& m : of_type("RECORD"))
      if (m["record"]["stream"] == stream) v.push_back(m["record"]["data"]);
    return v;
  }
  json last_state(const std::string& stream) const {
    json s;
    for (const auto& m : of_type("STATE"))
      if (m["state"]["stream"]["stream_descriptor"]["name"] == stream) s = m["state"]["stream"]["stream_state"];
    return s;
  }
  std::string last_status(const std::string& stream) const {
    std::string s;
    for (const auto& m : of_type("TRACE"))
      if (m["trace"]["type"] == "STREAM_STATUS" && m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream)
        s = m["trace"]["stream_status"]["status"];
    return s;
  }
};

config::Config report_config() {
  config::Config c;
  c.api_key = "pk_unit_test_key";
  c.base_url = "http://fake";
  c.metric_ids = {"M1", "M2"};
  c.start_date = *parse_datetime("2024-01-01T00:00:00Z");
  return c;
}

Run read(ReportServer& rs, const config::Config& cfg, const char* stream, json state = nullptr) {
  FakeServer server;
  server.handler = [&](const http::Request& r) { return rs.handle(r); };
  protocol::StringSink sink;
  Run out;
  {
    protocol::Emitter em(sink, rs.clock);
    streams::Engine engine(cfg, em, rs.clock, [&] { return std::make_unique<FakeTransport>(server); });
    std::map<std::string, json> saved;
    if (!state.is_null()) saved[stream] = state;
    engine.read({{streams::find_stream(stream), protocol::SyncMode::Incremental}}, saved);
  }
  std::stringstream ss(sink.out);
  for (std::string l; std::getline(ss, l);) out.messages.push_back(json::parse(l));
  return out;
}

std::set<std::string> keys(const std::vector<json>& recs) {
  std::set<std::string> k;
  for (const auto& r : recs)
    k.insert(r["date"].get<std::string>() + "|" + r["groupings"].dump() + "|" + r["conversion_metric_id"].get<std::string>());
  return k;
}

}  // namespace

TEST_CASE("reports: day windows are contiguous, inclusive and end on the last day", "[reports]") {
  auto w = streams::day_windows(day("2024-01-01"), day("2024-05-31"), 60);
  REQUIRE(w.size() == 3);
  CHECK(w[0].first == day("2024-01-01"));
  CHECK(w[0].last == day("2024-02-29"));  // 60 days: all of January and leap February
  for (std::size_t i = 1; i < w.size(); ++i) CHECK(w[i].first == w[i - 1].last + std::chrono::days(1));
  CHECK(w.back().last == day("2024-05-31"));
  CHECK(streams::day_windows(day("2024-06-01"), day("2024-05-31"), 30).empty());
}

TEST_CASE("reports: timeframes are local wall-clock days in the account's timezone, across DST", "[reports]") {
  auto tf = streams::timeframe_of({day("2024-03-01"), day("2024-04-29")}, streams::zone_named("America/New_York"));
  CHECK(tf.start == "2024-03-01T00:00:00-05:00");
  CHECK(tf.end == "2024-04-29T23:59:59-04:00");
  auto utc = streams::timeframe_of({day("2024-03-01"), day("2024-03-01")}, streams::zone_named("Not/AZone"));
  CHECK(utc.start == "2024-03-01T00:00:00+00:00");  // an unknown zone falls back to UTC
  // 02:00 UTC on June 1st is still May 31st in New York.
  CHECK(streams::today_in(streams::zone_named("America/New_York"), *parse_datetime("2024-06-01T02:00:00Z")) == day("2024-05-31"));
  CHECK(streams::today_in(streams::zone_named("Asia/Tokyo"), *parse_datetime("2024-05-31T20:00:00Z")) == day("2024-06-01"));
}

TEST_CASE("reports: the minimum number of requests, round-robin, paced with no 429, one row per day", "[reports]") {
  FakeClock clock(kNow);
  ReportServer rs(clock);
  auto run = read(rs, report_config(), "flow_series_reports");
  // 2024-01-01 .. 2024-05-31 (yesterday) in 60-day windows: 3 per metric, 6 in all.
  REQUIRE(rs.bodies.size() == 6);
  std::vector<std::string> order;
  for (const auto& b : rs.bodies)
    order.push_back(b["data"]["attributes"]["conversion_metric_id"].get<std::string>() + " " +
                    b["data"]["attributes"]["timeframe"]["start"].get<std::string>().substr(0, 10));
  CHECK(order == std::vector<std::string>{"M1 2024-01-01", "M2 2024-01-01", "M1 2024-03-01", "M2 2024-03-01",
                                          "M1 2024-04-30", "M2 2024-04-30"});
  CHECK(rs.bodies[0]["data"]["type"] == "flow-series-report");
  CHECK(rs.bodies[0]["data"]["attributes"]["interval"] == "daily");
  CHECK(rs.bodies[0]["data"]["attributes"]["statistics"].size() == 22);
  CHECK(rs.pace_violations == 0);
  CHECK(run.last_status("flow_series_reports") == "COMPLETE");
  // one record per grouping per day: 152 days x 2 groupings x 2 metrics, no key twice
  auto recs = run.records("flow_series_reports");
  CHECK(recs.size() == 152 * 2 * 2);
  CHECK(keys(recs).size() == recs.size());
  CHECK(recs[0]["flow_id"] == "F1");
  CHECK(recs[0]["conversion_metric_id"] == "M1");
  CHECK(recs[0]["statistics"]["opens"].is_number());
  auto st = run.last_state("flow_series_reports");
  REQUIRE(st["states"].size() == 2);
  for (const auto& s : st["states"]) CHECK(s["cursor"]["date"] == "2024-06-01T00:00:00+00:00");
  CHECK(st["state"]["date"] == "2024-06-01T00:00:00+00:00");
  // The plan is logged up front.
  bool planned = false;
  for (const auto& m : run.of_type("LOG"))
    planned = planned || m["log"]["message"].get<std::string>().find("6 report requests needed") != std::string::npos;
  CHECK(planned);

  SECTION("a second run on the same day sends no report request") {
    ReportServer again(clock);
    auto second = read(again, report_config(), "flow_series_reports", st);
    CHECK(again.bodies.empty());
    CHECK(second.records("flow_series_reports").empty());
    CHECK(second.last_state("flow_series_reports") == st);
  }
  SECTION("the lookback re-reads its days on the next day's sync, on the same keys") {
    FakeClock next_day(kNow + std::chrono::hours(24));
    ReportServer again(next_day);
    auto cfg = report_config();
    cfg.reporting_lookback_window_days = 5;
    auto second = read(again, cfg, "flow_series_reports", st);
    REQUIRE(again.bodies.size() == 2);  // one window per metric: May 27 .. June 1
    CHECK(again.bodies[0]["data"]["attributes"]["timeframe"]["start"] == "2024-05-27T00:00:00+00:00");
    CHECK(again.bodies[0]["data"]["attributes"]["timeframe"]["end"] == "2024-06-01T23:59:59+00:00");
    auto rereads = keys(second.records("flow_series_reports"));
    auto before = keys(recs);
    std::size_t same = 0;
    for (const auto& k : rereads) same += before.count(k);
    CHECK(same == 5 * 2 * 2);  // May 27..31 land on the keys of the first sync
    CHECK(rereads.size() == 6 * 2 * 2);
  }
}

TEST_CASE("reports: campaign values use 30-day windows dated by their closing midnight; longer on request", "[reports]") {
  FakeClock clock(kNow);
  ReportServer rs(clock);
  auto cfg = report_config();
  cfg.metric_ids = {"M1"};
  auto run = read(rs, cfg, "campaign_values_reports");
  REQUIRE(rs.bodies.size() == 6);  // 152 days in 30-day windows
  CHECK(rs.bodies[0]["data"]["attributes"]["timeframe"]["start"] == "2024-01-01T00:00:00+00:00");
  CHECK(rs.bodies[0]["data"]["attributes"]["timeframe"]["end"] == "2024-01-30T23:59:59+00:00");
  CHECK(rs.bodies[0]["data"]["attributes"]["statistics"].size() == 31);
  auto recs = run.records("campaign_values_reports");
  REQUIRE(recs.size() == 6 * 2);
  CHECK(recs[0]["date"] == "2024-01-31T00:00:00+00:00");
  CHECK(recs[0]["campaign_id"] == "C1");
  CHECK(recs[0]["statistics"]["opens"] == 7);
  CHECK(rs.pace_violations == 0);

  ReportServer year(clock);
  cfg.campaign_values_window_days = 365;
  auto one = read(year, cfg, "campaign_values_reports");
  CHECK(year.bodies.size() == 1);
  CHECK(one.records("campaign_values_reports")[0]["date"] == "2024-06-01T00:00:00+00:00");
}

TEST_CASE("reports: windows in a non-UTC account neither overlap nor leave gaps", "[reports]") {
  FakeClock clock(*parse_datetime("2024-06-01T02:00:00Z"));  // still May 31st in New York
  ReportServer rs(clock);
  rs.timezone = "America/New_York";
  auto cfg = report_config();
  cfg.metric_ids = {"M1"};
  read(rs, cfg, "flow_series_reports");
  REQUIRE(rs.bodies.size() == 3);
  std::vector<std::pair<std::string, std::string>> tf;
  for (const auto& b : rs.bodies)
    tf.emplace_back(b["data"]["attributes"]["timeframe"]["start"], b["data"]["attributes"]["timeframe"]["end"]);
  CHECK(tf[0].first == "2024-01-01T00:00:00-05:00");
  CHECK(tf[1].first == "2024-03-01T00:00:00-05:00");
  CHECK(tf[0].second == "2024-02-29T23:59:59-05:00");
  CHECK(tf[2].first == "2024-04-30T00:00:00-04:00");
  CHECK(tf[2].second == "2024-05-30T23:59:59-04:00");  // yesterday in New York
  for (std::size_t i = 1; i < tf.size(); ++i)
    CHECK(day(tf[i].first.substr(0, 10).c_str()) == day(tf[i - 1].second.substr(0, 10).c_str()) + std::chrono::days(1));
}

TEST_CASE("reports: an unsupported metric is skipped once and not asked again", "[reports]") {
  FakeClock clock(kNow);
  ReportServer rs(clock);
  rs.unsupported = {"M2"};
  auto cfg = report_config();
  cfg.metric_ids.clear();  // every metric of the account
  auto run = read(rs, cfg, "flow_series_reports");
  std::size_t m2 = 0;
  for (const auto& b : rs.bodies) m2 += b["data"]["attributes"]["conversion_metric_id"] == "M2";
  CHECK(m2 == 1);  // one 400, then none of M2's other windows
  CHECK(run.last_status("flow_series_reports") == "COMPLETE");
  for (const auto& t : run.of_type("TRACE")) CHECK(t["trace"]["type"] == "STREAM_STATUS");  // no error
  auto st = run.last_state("flow_series_reports");
  REQUIRE(st.contains("unsupported_metrics"));
  CHECK(st["unsupported_metrics"].contains("M2"));

  FakeClock next_day(kNow + std::chrono::hours(24));
  ReportServer again(next_day);
  again.unsupported = {"M2"};
  read(again, cfg, "flow_series_reports", st);
  for (const auto& b : again.bodies) CHECK(b["data"]["attributes"]["conversion_metric_id"] == "M1");

  ReportServer named(next_day);
  named.unsupported = {"M2"};
  cfg.metric_ids = {"M2"};  // named by the user: tried again
  read(named, cfg, "flow_series_reports", st);
  CHECK(named.bodies.size() == 1);
}

TEST_CASE("reports: a spent daily quota stops the stream cleanly; the next run completes the rest", "[reports]") {
  FakeClock clock(kNow);
  ReportServer full(clock);
  auto all = keys(read(full, report_config(), "flow_series_reports").records("flow_series_reports"));

  FakeClock c1(kNow);
  ReportServer rs(c1);
  rs.quota = 3;
  auto first = read(rs, report_config(), "flow_series_reports");
  CHECK(first.last_status("flow_series_reports") == "INCOMPLETE");
  json error;
  for (const auto& m : first.of_type("TRACE"))
    if (m["trace"]["type"] == "ERROR") error = m["trace"]["error"];
  REQUIRE(error.is_object());
  CHECK(error["failure_type"] == "transient_error");
  const std::string msg = error["message"];
  CHECK(msg.find("daily quota") != std::string::npos);
  CHECK(msg.find("resets in about 20 h 24 min") != std::string::npos);
  CHECK(msg.find("3 of the 6") != std::string::npos);
  auto st = first.last_state("flow_series_reports");
  // M1 and M2 finished their first window, M1 its second: those are saved
  std::map<std::string, std::string> cursor;
  for (const auto& s : st["states"]) cursor[s["partition"]["metric_id"]] = s["cursor"]["date"];
  CHECK(cursor["M1"] == "2024-04-30T00:00:00+00:00");
  CHECK(cursor["M2"] == "2024-03-01T00:00:00+00:00");

  FakeClock c2(kNow + std::chrono::hours(1));
  ReportServer rest(c2);
  auto second = read(rest, report_config(), "flow_series_reports", st);
  CHECK(second.last_status("flow_series_reports") == "COMPLETE");
  CHECK(rest.bodies.size() == 3);  // exactly the windows not finished
  auto a = first.records("flow_series_reports"), b = second.records("flow_series_reports");
  a.insert(a.end(), b.begin(), b.end());
  CHECK(keys(a) == all);
  CHECK(a.size() == all.size());  // nothing read twice
}

TEST_CASE("reports: the connector's own daily budget stops the stream cleanly, recognised by its mark", "[reports]") {
  // 1-day campaign windows from January to May: 152 windows a metric, 304 requests. The server has
  // no quota of its own; the budget refuses the 226th request, before it is sent.
  FakeClock clock(kNow);
  ReportServer rs(clock);
  auto cfg = report_config();
  cfg.campaign_values_window_days = 1;
  auto run = read(rs, cfg, "campaign_values_reports");
  CHECK(rs.sent == 225);
  CHECK(rs.pace_violations == 0);
  CHECK(run.last_status("campaign_values_reports") == "INCOMPLETE");
  json error;
  for (const auto& m : run.of_type("TRACE"))
    if (m["trace"]["type"] == "ERROR") error = m["trace"]["error"];
  REQUIRE(error.is_object());
  CHECK(error["failure_type"] == "transient_error");
  // The stream's quota message (streams/reports.cpp quota_failure), not the budget's raw one.
  const std::string msg = error["message"];
  CHECK(msg.find("campaign_values_reports: Klaviyo's daily quota for POST /api/campaign-values-reports") == 0);
  CHECK(msg.find("used up after 225 of the 304 report requests") != std::string::npos);
  INFO(msg);
  // The budget knows when its oldest request of the day (sent at kNow) leaves the 24-hour window:
  // 225 requests at 2 a minute took about 112 minutes, so the quota has room again in 22 h 8 min.
  CHECK(msg.find("resets in about 22 h 08 min (around 2024-06-02T12:00:00+00:00)") != std::string::npos);
  // Round-robin: each metric finished 112 or 113 one-day windows, all saved.
  std::map<std::string, std::string> cursor;
  const json st = run.last_state("campaign_values_reports");
  for (const auto& s : st["states"])
    cursor[s["partition"]["metric_id"]] = s["cursor"]["date"];
  CHECK(cursor["M1"] == "2024-04-23T00:00:00+00:00");
  CHECK(cursor["M2"] == "2024-04-22T00:00:00+00:00");
}

TEST_CASE("reports: load_state gives report rows the global per-metric shape, as the planner does other rows", "[reports]") {
  const json saved = {{"states", {{{"partition", {{"metric_id", "M1"}}}, {"cursor", {{"date", "2024-03-01T00:00:00+00:00"}}}}}}};
  auto cfg = report_config();
  const streams::StreamSpec& spec = *streams::find_stream("flow_series_reports");
  const auto parts = streams::partitions_for(spec, cfg);
  REQUIRE(parts.size() == 2);

  streams::StreamRun inc(&spec, protocol::SyncMode::Incremental, saved);
  const auto st = streams::load_state(inc, parts, 3);
  CHECK(st.get(parts[0].key) == parse_datetime("2024-03-01T00:00:00Z"));
  CHECK_FALSE(st.get(parts[1].key).has_value());
  const json out = st.to_json();
  CHECK(out["states"].size() == 1);
  CHECK(out["lookback_window"] == 3);
  CHECK(out["use_global_cursor"] == false);  // the global summary

  streams::StreamRun full(&spec, protocol::SyncMode::FullRefresh, saved);  // full refresh ignores it
  CHECK_FALSE(streams::load_state(full, parts, 0).get(parts[0].key).has_value());

  // A flat row with its single unkeyed partition keeps the flat shape.
  const streams::StreamSpec& lists = *streams::find_stream("lists");
  streams::StreamRun flat(&lists, protocol::SyncMode::Incremental, json{{"updated", "2024-05-01T00:00:00+00:00"}});
  const auto lp = streams::partitions_for(lists, cfg);
  const auto ls = streams::load_state(flat, lp, 0);
  CHECK(ls.get(lp.front().key) == parse_datetime("2024-05-01T00:00:00Z"));
  CHECK(ls.to_json() == json{{"updated", "2024-05-01T00:00:00+00:00"}});
}

TEST_CASE("reports: progress lines count report requests done of those planned, and live requests and 429s", "[reports][progress]") {
  // flow_series_reports, Jan 1 - May 31 in 60-day windows: 3 requests a metric, 6 planned. The second
  // report request gets one 429 (retried); M2 turns out unsupported, which drops its 2 later ones.
  FakeClock clock(kNow);
  ReportServer rs(clock);
  rs.unsupported = {"M2"};
  const auto cfg = report_config();
  protocol::StringSink sink;
  protocol::Emitter em(sink, clock);
  streams::ReadContext ctx(cfg, em, clock, kNow);
  streams::StreamRun run(streams::find_stream("flow_series_reports"), protocol::SyncMode::Incremental, json::object());
  std::vector<std::string> lines;  // the progress line as each report request arrives
  int report_requests = 0;
  FakeServer server;
  server.handler = [&](const http::Request& r) {
    if (r.url.find("/api/flow-series-reports") != std::string::npos) {
      lines.push_back(streams::progress_line(ctx, run, 1.0));
      if (++report_requests == 2) {
        http::Result q = reply(429, R"({"errors":[{"status":429,"code":"throttled","detail":"Request was throttled."}]})");
        q.response.headers["retry-after"] = "1";
        return q;
      }
    }
    return rs.handle(r);
  };
  http::Client client(std::make_unique<FakeTransport>(server), clock, {}, nullptr);
  klaviyo::Api api(client, ctx.budgets, cfg.api_key, cfg.base_url);
  CHECK(streams::progress_line(ctx, run, 1.0).find("done=0.0% (report requests 0/0 done)") != std::string::npos);
  streams::read_report_stream(ctx, api, run);
  REQUIRE_FALSE(run.failure.has_value());
  lines.push_back(streams::progress_line(ctx, run, 1.0));
  REQUIRE(lines.size() == 6);

  const std::regex figures(R"(^progress: stream=flow_series_reports records=(\d+) pages=(\d+) records_per_s=\d+ )"
                           R"(requests=(\d+) 429s=(\d+) done=([\d.]+)% \(report requests (\d+)/(\d+) done\)$)");
  struct Figures { long records, pages, requests, throttled; std::string pct; long done, planned; };
  std::vector<Figures> f;
  for (const auto& l : lines) {
    INFO(l);
    std::smatch m;
    REQUIRE(std::regex_match(l, m, figures));
    f.push_back({std::stol(m[1]), std::stol(m[2]), std::stol(m[3]), std::stol(m[4]), m[5], std::stol(m[6]), std::stol(m[7])});
  }
  // requests: the report endpoint's attempts granted so far (this one included), 429s: those retried.
  CHECK(f[0].requests == 1);  CHECK(f[0].throttled == 0); CHECK(f[0].done == 0); CHECK(f[0].planned == 6);
  CHECK(f[0].pct == "0.0");   CHECK(f[0].records == 0);   CHECK(f[0].pages == 0);
  CHECK(f[1].requests == 2);  CHECK(f[1].throttled == 0); CHECK(f[1].done == 1); CHECK(f[1].pct == "16.7");
  CHECK(f[1].records == 120); CHECK(f[1].pages == 1);     // M1's first 60 days, 2 groupings
  CHECK(f[2].requests == 3);  CHECK(f[2].throttled == 1); CHECK(f[2].done == 1); CHECK(f[2].planned == 6);
  CHECK(f[3].requests == 4);  CHECK(f[3].done == 2);      CHECK(f[3].planned == 4);  // M2 skipped after 1
  CHECK(f[3].pct == "50.0");
  CHECK(f[4].requests == 5);  CHECK(f[4].done == 3);      CHECK(f[4].pct == "75.0"); CHECK(f[4].pages == 2);
  CHECK(f[5].done == 4);      CHECK(f[5].planned == 4);   CHECK(f[5].pct == "100.0"); CHECK(f[5].pages == 3);
  CHECK(f[5].records > f[4].records);
  CHECK(f[5].throttled == 1);
}
