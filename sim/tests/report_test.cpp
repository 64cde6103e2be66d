// tests/report_test.cpp — the Reporting API over loopback: account timezone and inclusive
// wall-clock timeframes (offset ignored), interval limits, per-day stability of flow series,
// campaign send-time windows, the daily quota (429 + long Retry-After), unsupported conversion
// metrics, the request log's bodies; plus the XS tier of segment profile_count and flow-message
// filters used by the report-adjacent streams.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <set>

#include "sim_harness.h"
#include "tz.h"
#include "util.h"

using namespace simtest;

namespace {

Sim& ny() {  // the default zone, named explicitly
  static Sim s({"--seed", "5", "--events", "500", "--profiles", "100", "--no-rate-limits", "--anchor", "2026-06-01",
                "--timezone", "America/New_York"});
  return s;
}

std::string report_metric(Sim& s) { return s.truth("report_metrics").at(0); }

json flow_body(const std::string& metric, const std::string& start, const std::string& end, const std::string& interval = "daily") {
  return {{"data",
           {{"type", "flow-series-report"},
            {"attributes",
             {{"statistics", {"opens", "recipients", "open_rate", "conversion_value"}},
              {"timeframe", {{"start", start}, {"end", end}}},
              {"interval", interval},
              {"conversion_metric_id", metric}}}}}};
}
json campaign_body(const std::string& metric, const json& timeframe) {
  return {{"data",
           {{"type", "campaign-values-report"},
            {"attributes",
             {{"statistics", {"opens", "recipients", "open_rate", "conversion_value"}},
              {"timeframe", timeframe},
              {"conversion_metric_id", metric}}}}}};
}
json campaign_body(const std::string& metric, const std::string& start, const std::string& end) {
  return campaign_body(metric, json{{"start", start}, {"end", end}});
}

// (flow_message_id, date_time) -> statistics at that index
std::map<std::pair<std::string, std::string>, json> by_day(const json& doc) {
  std::map<std::pair<std::string, std::string>, json> out;
  const json& a = doc["data"]["attributes"];
  for (auto& r : a["results"])
    for (size_t i = 0; i < a["date_times"].size(); ++i) {
      json st = json::object();
      for (auto& [k, v] : r["statistics"].items()) st[k] = v.at(i);
      out[{r["groupings"]["flow_message_id"], a["date_times"][i]}] = st;
    }
  return out;
}

std::set<std::string> campaign_ids(const json& doc) {
  std::set<std::string> ids;
  for (auto& r : doc["data"]["attributes"]["results"]) ids.insert(r["groupings"]["campaign_id"].get<std::string>());
  return ids;
}

std::string wall(const cctz::civil_second& cs) {  // "YYYY-MM-DDTHH:MM:SS"
  return cctz::format("%Y-%m-%dT%H:%M:%S", cctz::convert(cs, cctz::utc_time_zone()), cctz::utc_time_zone());
}

}  // namespace

TEST_CASE("reports: --timezone is the account timezone; an unknown zone fails start-up") {
  CHECK(ny().get("/api/accounts").body["data"][0]["attributes"]["timezone"] == "America/New_York");
  Sim k({"--events", "50", "--profiles", "20", "--no-rate-limits", "--timezone", "Asia/Kolkata"});
  CHECK(k.get("/api/accounts").body["data"][0]["attributes"]["timezone"] == "Asia/Kolkata");
  auto r = k.post("/api/flow-series-reports", flow_body(report_metric(k), "2024-06-01T00:00:00Z", "2024-06-02T23:59:59Z"));
  REQUIRE(r.status == 200);
  CHECK(r.body["data"]["attributes"]["date_times"] == json({"2024-06-01T00:00:00+05:30", "2024-06-02T00:00:00+05:30"}));
  int rc = std::system((std::string(SIM_BIN) + " --port 0 --timezone Not/AZone >/dev/null 2>&1").c_str());
  CHECK(WIFEXITED(rc));
  CHECK(WEXITSTATUS(rc) == 2);
}

TEST_CASE("reports: custom timeframes ignore the offset, both ends are inclusive, days are local") {
  Sim& s = ny();
  std::string m = report_metric(s);
  // Two adjacent Airbyte-style windows sent with arbitrary offsets: disjoint, no gap.
  auto a = s.post("/api/flow-series-reports", flow_body(m, "2024-06-01T00:00:00+00:00", "2024-06-30T23:59:59+00:00"));
  auto b = s.post("/api/flow-series-reports", flow_body(m, "2024-07-01T00:00:00Z", "2024-07-30T23:59:59-07:00"));
  REQUIRE(a.status == 200);
  REQUIRE(b.status == 200);
  json da = a.body["data"]["attributes"]["date_times"], db = b.body["data"]["attributes"]["date_times"];
  REQUIRE(da.size() == 30);
  REQUIRE(db.size() == 30);
  CHECK(da.front() == "2024-06-01T00:00:00-04:00");
  CHECK(da.back() == "2024-06-30T00:00:00-04:00");
  CHECK(db.front() == "2024-07-01T00:00:00-04:00");
  CHECK(db.back() == "2024-07-30T00:00:00-04:00");
  sim::AccountZone z;
  REQUIRE(z.load("America/New_York"));
  json both = da;
  both.insert(both.end(), db.begin(), db.end());
  cctz::civil_day d(2024, 6, 1);
  for (auto& dt : both) CHECK(dt == z.format(z.instant(cctz::civil_second(d++))));
  REQUIRE(!a.body["data"]["attributes"]["results"].empty());
  for (auto& r : a.body["data"]["attributes"]["results"])
    for (auto& [k, v] : r["statistics"].items()) CHECK(v.size() == 30);

  // An overlapping window (other offsets) gives identical values for the shared days.
  auto c = s.post("/api/flow-series-reports", flow_body(m, "2024-06-15T00:00:00-11:00", "2024-07-14T23:59:59+14:00"));
  REQUIRE(c.status == 200);
  auto ab = by_day(a.body), bb = by_day(b.body), cb = by_day(c.body);
  ab.insert(bb.begin(), bb.end());
  size_t compared = 0, nonzero = 0;
  for (auto& [k, st] : cb) {
    auto it = ab.find(k);
    REQUIRE(it != ab.end());
    CHECK(it->second == st);
    compared++;
    nonzero += st["recipients"].get<int64_t>() > 0;
  }
  CHECK(compared == 30 * c.body["data"]["attributes"]["results"].size());
  CHECK(nonzero > 0);

  // DST: the offset of each local midnight.
  auto dst = s.post("/api/flow-series-reports", flow_body(m, "2024-03-09T00:00:00Z", "2024-03-11T23:59:59Z"));
  REQUIRE(dst.status == 200);
  CHECK(dst.body["data"]["attributes"]["date_times"] ==
        json({"2024-03-09T00:00:00-05:00", "2024-03-10T00:00:00-05:00", "2024-03-11T00:00:00-04:00"}));
  // A mid-day start still yields that day; an end at 00:00:00 includes that day.
  auto mid = s.post("/api/flow-series-reports", flow_body(m, "2024-06-01T13:00:00Z", "2024-06-03T00:00:00Z"));
  REQUIRE(mid.status == 200);
  CHECK(mid.body["data"]["attributes"]["date_times"] ==
        json({"2024-06-01T00:00:00-04:00", "2024-06-02T00:00:00-04:00", "2024-06-03T00:00:00-04:00"}));
  // weekly buckets start on the first day; a week's counts are the sum of its days
  auto wk = s.post("/api/flow-series-reports", flow_body(m, "2024-06-01T00:00:00Z", "2024-06-30T23:59:59Z", "weekly"));
  REQUIRE(wk.status == 200);
  json wdt = wk.body["data"]["attributes"]["date_times"];
  CHECK(wdt == json({"2024-06-01T00:00:00-04:00", "2024-06-08T00:00:00-04:00", "2024-06-15T00:00:00-04:00",
                     "2024-06-22T00:00:00-04:00", "2024-06-29T00:00:00-04:00"}));
  auto ad = by_day(a.body);
  for (auto& r : wk.body["data"]["attributes"]["results"]) {
    std::string fm = r["groupings"]["flow_message_id"];
    int64_t sum = 0;
    for (auto& dt : da) sum += ad.at({fm, dt.get<std::string>()})["recipients"].get<int64_t>();
    int64_t wsum = 0;
    for (auto& v : r["statistics"]["recipients"]) wsum += v.get<int64_t>();
    CHECK(sum == wsum);
  }
}

TEST_CASE("reports: days after now are zeros") {
  Sim& s = ny();
  sim::AccountZone z;
  REQUIRE(z.load("America/New_York"));
  cctz::civil_day today(z.local(sim::now_us()));
  auto r = s.post("/api/flow-series-reports", flow_body(report_metric(s), wall(cctz::civil_second(today - 20)),
                                                        wall(cctz::civil_second(today + 5)) + "Z"));
  REQUIRE(r.status == 200);
  json dts = r.body["data"]["attributes"]["date_times"];
  REQUIRE(dts.size() == 26);
  CHECK(dts[20] == z.format(z.instant(cctz::civil_second(today))));
  int64_t past = 0;
  for (auto& res : r.body["data"]["attributes"]["results"]) {
    auto& rec = res["statistics"]["recipients"];
    for (size_t i = 0; i < rec.size(); ++i) {
      if (i > 20) CHECK(rec[i] == 0);
      else past += rec[i].get<int64_t>();
    }
  }
  CHECK(past > 0);
}

TEST_CASE("reports: timeframe limits (1 year; daily 60 days, hourly 7 days, monthly 52 weeks)") {
  Sim& s = ny();
  std::string m = report_metric(s);
  auto fs = [&](const std::string& a, const std::string& b, const std::string& iv) {
    return s.post("/api/flow-series-reports", flow_body(m, a, b, iv));
  };
  auto ok60 = fs("2024-06-01T00:00:00Z", "2024-07-30T23:59:59Z", "daily");
  REQUIRE(ok60.status == 200);
  CHECK(ok60.body["data"]["attributes"]["date_times"].size() == 60);
  CHECK(fs("2024-06-01T00:00:00Z", "2024-07-31T23:59:59Z", "daily").status == 400);  // 61 days
  auto bad = fs("2024-06-01T00:00:00Z", "2024-07-31T00:00:00Z", "daily");  // inclusive end touches day 61
  CHECK(bad.status == 400);
  CHECK(bad.body["errors"][0]["source"]["pointer"] == "/data/attributes/interval");
  auto h = fs("2024-06-01T00:00:00-04:00", "2024-06-07T23:59:59-04:00", "hourly");
  REQUIRE(h.status == 200);
  json hdt = h.body["data"]["attributes"]["date_times"];
  CHECK(hdt.size() == 168);
  CHECK(hdt[1] == "2024-06-01T01:00:00-04:00");
  CHECK(fs("2024-06-01T00:00:00Z", "2024-06-08T00:00:00Z", "hourly").status == 400);
  CHECK(fs("2024-01-01T00:00:00Z", "2024-12-29T23:59:59Z", "monthly").status == 200);  // 364 days
  CHECK(fs("2024-01-01T00:00:00Z", "2024-12-30T23:59:59Z", "monthly").status == 400);
  CHECK(fs("2024-01-01T00:00:00Z", "2024-12-31T23:59:59Z", "weekly").status == 200);
  auto cv = [&](const std::string& a, const std::string& b) { return s.post("/api/campaign-values-reports", campaign_body(m, a, b)).status; };
  CHECK(cv("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z") == 200);
  CHECK(cv("2024-01-01T00:00:00Z", "2025-01-01T00:00:01Z") == 400);
  CHECK(cv("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z") == 400);  // end must be after start
  CHECK(cv("2024-01-01T00:00:00Z", "2024-02-30T00:00:00Z") == 400);
  CHECK(s.post("/api/campaign-values-reports", campaign_body(m, json{{"key", "last_30_days"}})).status == 200);
  CHECK(s.post("/api/campaign-values-reports", campaign_body(m, json{{"key", "last_century"}})).status == 400);
}

TEST_CASE("reports: campaign values cover the campaigns sent inside the local, inclusive timeframe") {
  Sim& s = ny();
  std::string m = report_metric(s);
  auto year = s.post("/api/campaign-values-reports", campaign_body(m, "2025-01-01T00:00:00Z", "2025-12-31T23:59:59Z"));
  auto h1 = s.post("/api/campaign-values-reports", campaign_body(m, "2025-01-01T00:00:00+05:00", "2025-06-30T23:59:59+05:00"));
  auto h2 = s.post("/api/campaign-values-reports", campaign_body(m, "2025-07-01T00:00:00-08:00", "2025-12-31T23:59:59-08:00"));
  REQUIRE(year.status == 200);
  REQUIRE(h1.status == 200);
  REQUIRE(h2.status == 200);
  auto y = campaign_ids(year.body), a = campaign_ids(h1.body), b = campaign_ids(h2.body);
  REQUIRE(y.size() > 2);
  for (auto& id : a) CHECK_FALSE(b.count(id));
  std::set<std::string> u = a;
  u.insert(b.begin(), b.end());
  CHECK(u == y);
  // same (campaign, metric): same statistics whatever the window
  std::map<std::string, json> ys;
  for (auto& r : year.body["data"]["attributes"]["results"]) ys[r["groupings"]["campaign_id"]] = r["statistics"];
  for (auto& r : h1.body["data"]["attributes"]["results"]) CHECK(ys.at(r["groupings"]["campaign_id"]) == r["statistics"]);
  CHECK(s.post("/api/campaign-values-reports", campaign_body(m, "2025-01-01T00:00:00Z", "2025-12-31T23:59:59Z")).body == year.body);

  // A campaign's send time, on the account's wall clock, is inside [start, end] inclusive.
  std::string id = *y.begin();
  auto camp = s.get("/api/campaigns/" + id);
  REQUIRE(camp.status == 200);
  auto sent_us = sim::parse_time(camp.body["data"]["attributes"]["send_time"].get<std::string>());
  REQUIRE(sent_us);
  sim::AccountZone z;
  REQUIRE(z.load("America/New_York"));
  cctz::civil_second sent = z.local(*sent_us);
  auto has = [&](const cctz::civil_second& a0, const cctz::civil_second& b0, const std::string& off) {
    auto r = s.post("/api/campaign-values-reports", campaign_body(m, wall(a0) + off, wall(b0) + off));
    REQUIRE(r.status == 200);
    return campaign_ids(r.body).count(id) > 0;
  };
  CHECK(has(sent, sent + 3600, "+00:00"));  // start == send time (the UTC offset is ignored)
  CHECK(has(sent - 7200, sent, "+09:00"));  // end == send time
  cctz::civil_second hour{cctz::civil_hour(sent)};
  CHECK_FALSE(has(hour - 7200, hour - 1, "Z"));  // ends at HH:59:59 of the previous hour
  CHECK_FALSE(has(sent + 1, sent + 7200, "-05:00"));
}

TEST_CASE("reports: unsupported conversion metrics answer 400; /__sim/truth lists both kinds") {
  Sim& s = ny();
  auto ok = s.truth("report_metrics"), bad = s.truth("unsupported_report_metrics");
  CHECK(!ok.empty());
  CHECK(!bad.empty());
  std::set<std::string> all(ok.begin(), ok.end());
  all.insert(bad.begin(), bad.end());
  CHECK(all.size() == ok.size() + bad.size());
  auto metrics = s.truth("metrics");
  CHECK(all == std::set<std::string>(metrics.begin(), metrics.end()));
  for (auto& id : bad) {
    for (auto* ep : {"campaign", "flow"}) {
      json body = std::string(ep) == "campaign" ? campaign_body(id, "2025-01-01T00:00:00Z", "2025-01-31T23:59:59Z")
                                                : flow_body(id, "2025-01-01T00:00:00Z", "2025-01-31T23:59:59Z");
      auto r = s.post(std::string("/api/") + ep + (std::string(ep) == "campaign" ? "-values-reports" : "-series-reports"), body);
      CHECK(r.status == 400);
      CHECK(r.body["errors"][0]["detail"] == "Passed in conversion metric does not support querying for values data");
      CHECK(r.body["errors"][0]["source"]["pointer"] == "/data/attributes/conversion_metric_id");
    }
  }
  for (auto& id : ok) CHECK(s.post("/api/campaign-values-reports", campaign_body(id, "2025-01-01T00:00:00Z", "2025-01-31T23:59:59Z")).status == 200);
}

TEST_CASE("reports: the request log keeps each POST body") {
  Sim s({"--events", "50", "--profiles", "20", "--no-rate-limits"});
  std::string m = report_metric(s);
  json body = flow_body(m, "2025-02-01T00:00:00+0000", "2025-02-14T23:59:59+0000");
  REQUIRE(s.post("/api/flow-series-reports", body).status == 200);
  CHECK(s.post_raw("/api/campaign-values-reports", "not json{").status == 400);
  REQUIRE(s.get("/api/metrics").status == 200);
  auto log = s.admin_get("/__sim/requests")["requests"];
  REQUIRE(log.size() == 3);
  CHECK(log[0]["method"] == "POST");
  CHECK(log[0]["body"] == body);
  CHECK(log[0]["body"]["data"]["attributes"]["timeframe"]["end"] == "2025-02-14T23:59:59+0000");
  CHECK(log[1]["body"] == "not json{");
  CHECK(log[2]["body"].is_null());
}

TEST_CASE("reports: daily quota per endpoint gives 429 with a Retry-After until the daily window resets") {
  // time-scale 0.001: burst window 1 ms, steady 60 ms, day 86.4 s.
  Sim s({"--events", "50", "--profiles", "20", "--time-scale", "0.001", "--report-daily-quota", "3"});
  std::string m = report_metric(s);
  json cb = campaign_body(m, "2025-01-01T00:00:00Z", "2025-01-31T23:59:59Z");
  // Sends until a 429 whose Retry-After exceeds the steady window; returns the number of 200s.
  auto drain = [&](const json& body, const std::string& path, double& retry_after, Resp& last) {
    int ok = 0;
    for (int i = 0; i < 400; ++i) {
      last = s.post(path, body);
      if (last.status == 200) {
        ok++;
        continue;
      }
      REQUIRE(last.status == 429);
      retry_after = std::stod(last.header("Retry-After"));
      if (retry_after > 1.0) return ok;
      std::this_thread::sleep_for(std::chrono::microseconds(int64_t(retry_after * 1e6) + 500));
    }
    FAIL("no daily 429");
    return ok;
  };
  double ra = 0;
  Resp last;
  CHECK(drain(cb, "/api/campaign-values-reports", ra, last) == 3);
  CHECK(ra > 40.0);  // the rest of the (scaled) day, not a burst/steady wait
  CHECK(ra <= 86.4);
  CHECK(last.header("RateLimit-Limit").empty());
  CHECK(last.body["errors"][0]["code"] == "throttled");
  // The other report endpoint has its own quota.
  json fb = flow_body(m, "2025-01-01T00:00:00Z", "2025-01-31T23:59:59Z");
  CHECK(drain(fb, "/api/flow-series-reports", ra, last) == 3);
  // Runtime quota: raising it admits more requests in the same day.
  auto cfg = s.admin_post("/__sim/config", {{"report_daily_quota", 5}});
  CHECK(cfg["config"]["report_daily_quota"] == 5);
  CHECK(drain(cb, "/api/campaign-values-reports", ra, last) == 2);
  // Re-posting rate_limits resets every window.
  s.admin_post("/__sim/config", {{"rate_limits", true}});
  CHECK(drain(cb, "/api/campaign-values-reports", ra, last) == 5);
  CHECK(s.admin_post("/__sim/config", {{"report_daily_quota", -1}})["ok"] == false);
}

TEST_CASE("reports: at time-scale 1 the daily Retry-After is tens of thousands of seconds") {
  Sim s({"--events", "50", "--profiles", "20", "--report-daily-quota", "1"});
  std::string m = report_metric(s);
  json cb = campaign_body(m, "2025-01-01T00:00:00Z", "2025-01-31T23:59:59Z");
  REQUIRE(s.post("/api/campaign-values-reports", cb).status == 200);
  auto r = s.post("/api/campaign-values-reports", cb);
  REQUIRE(r.status == 429);
  std::string ra = r.header("Retry-After");
  CHECK(ra.find('.') == std::string::npos);  // integer seconds
  CHECK(std::stol(ra) > 86000);
  CHECK(std::stol(ra) <= 86400);
}

TEST_CASE("segment profile_count is XS tier; flow messages filter/sort/page size") {
  Sim s({"--events", "50", "--profiles", "50"});
  auto seg = s.truth("segments").at(0), lst = s.truth("lists").at(0);
  auto r = s.get("/api/segments/" + seg + "?additional-fields[segment]=profile_count");
  REQUIRE(r.status == 200);
  CHECK(r.header("RateLimit-Limit") == "15");
  CHECK(r.body["data"]["attributes"]["profile_count"].is_number_integer());
  int throttled = 0;  // 1/s burst: of 3 quick calls (at most 2 burst windows) at least one is throttled
  for (int i = 0; i < 3; ++i) throttled += s.get("/api/segments/" + seg + "?additional-fields[segment]=profile_count").status == 429;
  CHECK(throttled >= 1);
  CHECK(s.get("/api/segments/" + seg).header("RateLimit-Limit") == "750");
  CHECK(s.get("/api/lists/" + lst + "?additional-fields[list]=profile_count").header("RateLimit-Limit") == "15");
  CHECK(!s.truth("flow_messages").empty());
  auto act = s.truth("flow_actions");
  int with_msgs = 0;
  for (auto& a : act) {
    auto base = "/api/flow-actions/" + a + "/flow-messages";
    auto all = s.get(base + "?page[size]=50&sort=updated");
    if (all.status == 429) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1100));
      all = s.get(base + "?page[size]=50&sort=updated");
    }
    REQUIRE(all.status == 200);
    CHECK(all.header("RateLimit-Limit") == "60");
    if (all.body["data"].empty()) continue;
    with_msgs++;
    auto enc = [](std::string t) {  // '+' in a query means space
      for (size_t p; (p = t.find('+')) != std::string::npos;) t.replace(p, 1, "%2B");
      return t;
    };
    std::string upd = enc(all.body["data"][0]["attributes"]["updated"]), now = enc(sim::fmt_time(sim::now_us() - 60 * sim::kUs));
    std::string q = base + "?filter=and(greater-or-equal(updated," + upd + "),less-than(updated," + now + "))&sort=-updated";
    auto f = s.get(q);
    if (f.status == 429) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1100));
      f = s.get(q);
    }
    REQUIRE(f.status == 200);
    CHECK(f.body["data"].size() == 1);
    auto p51 = s.get(base + "?page[size]=51");
    CHECK((p51.status == 400 || p51.status == 429));
    if (with_msgs >= 2) break;
  }
  CHECK(with_msgs > 0);
}
