// tests/api_test.cpp — black-box tests of klaviyo-sim over loopback: paging completeness against
// /__sim/truth, page sizes, filters, sorting, include/additional-fields, auth/scope errors,
// rate limits under --time-scale, fault reproducibility, mutations, reports.
#include <catch2/catch.hpp>
#include <algorithm>
#include <set>

#include "sim_harness.h"

using namespace simtest;

static std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

static Sim& shared() {
  static Sim s({"--seed", "3", "--events", "6000", "--profiles", "700", "--no-rate-limits", "--anchor", "2026-06-01"});
  return s;
}

TEST_CASE("paging through links.next returns every id exactly once") {
  Sim& s = shared();
  int pages = 0;
  auto ev = s.all_ids("/api/events?page%5Bsize%5D=1000", &pages);
  CHECK(pages == 6);
  CHECK(ev.size() == 6000);
  CHECK(ev == s.truth("events"));
  auto pr = s.all_ids("/api/profiles?page[size]=100&sort=updated");
  CHECK(pr.size() == 700);
  CHECK(as_set(pr) == as_set(s.truth("profiles")));
  CHECK(as_set(s.all_ids("/api/lists")) == as_set(s.truth("lists")));
  CHECK(as_set(s.all_ids("/api/segments")) == as_set(s.truth("segments")));
  CHECK(as_set(s.all_ids("/api/templates")) == as_set(s.truth("templates")));
  CHECK(as_set(s.all_ids("/api/metrics")) == as_set(s.truth("metrics")));
  CHECK(as_set(s.all_ids("/api/tags")) == as_set(s.truth("tags")));
  for (std::string ch : {"email", "sms", "mobile_push"})
    for (std::string ar : {"true", "false"}) {
      auto got = s.all_ids("/api/campaigns?filter=and(equals(messages.channel,'" + ch + "'),equals(archived," + ar + "))");
      CHECK(as_set(got) == as_set(s.truth("campaigns&channel=" + ch + "&archived=" + ar)));
    }
  auto flows = s.all_ids("/api/flows?filter=equals(archived,false)");
  auto flows_a = s.all_ids("/api/flows?filter=equals(archived,true)");
  flows.insert(flows.end(), flows_a.begin(), flows_a.end());
  CHECK(as_set(flows) == as_set(s.truth("flows")));
  // memberships: every list, relationships endpoint, page size 7 (many pages, joined_group_at ties)
  std::set<std::string> mem;
  for (auto& l : s.truth("lists"))
    for (auto& p : s.all_ids("/api/lists/" + l + "/relationships/profiles?page[size]=7")) REQUIRE(mem.insert(l + ":" + p).second);
  CHECK(mem == as_set(s.truth("list_memberships")));
}

TEST_CASE("events with ties page completely in both directions and prev links work") {
  Sim& s = shared();
  auto asc = s.all_ids("/api/events?sort=datetime&page[size]=37&filter=greater-or-equal(datetime,2025-01-01T00:00:00Z)");
  auto desc = s.all_ids("/api/events?sort=-datetime&page[size]=41&filter=greater-or-equal(datetime,2025-01-01T00:00:00Z)");
  REQUIRE(asc.size() == desc.size());
  CHECK(std::equal(asc.begin(), asc.end(), desc.rbegin()));
  CHECK(as_set(asc).size() == asc.size());
  auto p1 = s.get("/api/events?page[size]=5");
  auto p2 = s.get(p1.body["links"]["next"].get<std::string>());
  REQUIRE(p2.body["links"]["prev"].is_string());
  auto back = s.get(p2.body["links"]["prev"].get<std::string>());
  CHECK(back.body["data"] == p1.body["data"]);
  CHECK(p1.body["links"]["prev"].is_null());
}

TEST_CASE("page size defaults and caps") {
  Sim& s = shared();
  CHECK(s.get("/api/events").body["data"].size() == 200);
  CHECK(s.get("/api/profiles").body["data"].size() == 20);
  CHECK(s.get("/api/lists").body["data"].size() == 10);
  CHECK(s.get("/api/events?page[size]=1000").body["data"].size() == 1000);
  auto over = s.get("/api/events?page[size]=1001");
  CHECK(over.status == 400);
  CHECK(over.body["errors"][0]["source"]["parameter"] == "page[size]");
  CHECK(s.get("/api/profiles?page[size]=101").status == 400);
  CHECK(s.get("/api/lists?page[size]=11").status == 400);
  CHECK(s.get("/api/metrics?page[size]=10").status == 400);
  CHECK(s.get("/api/events?page[size]=0").status == 400);
}

TEST_CASE("filter operators") {
  Sim& s = shared();
  auto metrics = s.get("/api/metrics").body["data"];
  std::string mid = metrics[0]["id"];
  auto r = s.get("/api/events?filter=equals(metric_id,\"" + mid + "\")&page[size]=100");
  REQUIRE(r.status == 200);
  for (auto& e : r.body["data"]) CHECK(e["relationships"]["metric"]["data"]["id"] == mid);
  auto pids = s.truth("profiles");
  r = s.get("/api/profiles?filter=any(id,['" + pids[0] + "','" + pids[1] + "'])");
  CHECK(r.body["data"].size() == 2);
  r = s.get("/api/profiles?filter=greater-than(updated,2026-01-01T00:00:00Z),less-than(updated,2026-03-01T00:00:00Z)&page[size]=100");
  REQUIRE(r.status == 200);
  CHECK(r.body["data"].size() > 0);
  r = s.get("/api/events?filter=and(greater-or-equal(datetime,2026-01-01T00:00:00%2B00:00),less-or-equal(datetime,2026-01-31T00:00:00Z))&page[size]=1000");
  REQUIRE(r.status == 200);
  for (auto& e : r.body["data"]) {
    std::string dt = e["attributes"]["datetime"];
    CHECK(dt.substr(0, 7) == "2026-01");
  }
  r = s.get("/api/events?filter=greater-than(timestamp,1767225600)&page[size]=10");
  REQUIRE(r.status == 200);
  for (auto& e : r.body["data"]) CHECK(e["attributes"]["timestamp"].get<int64_t>() > 1767225600);
  r = s.get("/api/campaigns?filter=and(equals(messages.channel,'email'),contains(name,'Sale'))");
  REQUIRE(r.status == 200);
  for (auto& c : r.body["data"]) CHECK(c["attributes"]["name"].get<std::string>().find("Sale") != std::string::npos);
  r = s.get("/api/flows?filter=starts-with(name,'Welcome')");
  for (auto& f : r.body["data"]) CHECK(f["attributes"]["name"].get<std::string>().rfind("Welcome", 0) == 0);
  r = s.get("/api/tags?filter=ends-with(name,'VIP')");
  REQUIRE(r.body["data"].size() == 1);
  CHECK(s.get("/api/events?filter=has(profile)").status == 200);
  r = s.get("/api/segments?filter=equals(is_active,true)");
  for (auto& g : r.body["data"]) CHECK(g["attributes"]["is_active"] == true);
}

TEST_CASE("invalid filters are 400 with Klaviyo's shape") {
  Sim& s = shared();
  auto check400 = [&](const std::string& q) {
    auto r = s.get(q);
    INFO(q);
    CHECK(r.status == 400);
    CHECK(r.body["errors"][0]["code"] == "invalid");
    CHECK(r.body["errors"][0]["source"]["parameter"] == "filter");
    return r;
  };
  auto r = check400("/api/profiles?filter=greater-or-equal(updated,2024-01-01T00:00:00Z)");
  CHECK(r.body["errors"][0]["detail"] == "Invalid filter provided");
  check400("/api/lists?filter=less-than(updated,2024-01-01T00:00:00Z)");
  check400("/api/events?filter=greater-than(datetime,'2024-01-01T00:00:00Z')");
  check400("/api/events?filter=greater-than(datetime,2024-01-01T00:00:00+00:00)");  // '+' decoded to space
  check400("/api/events?filter=greater-than(datetime,2999-01-01T00:00:00Z)");
  check400("/api/profiles?filter=equals(email,someone@example.com)");
  check400("/api/profiles?filter=equals(nope,'x')");
  check400("/api/profiles?filter=equals(email,'x'");
  auto c = s.get("/api/campaigns");
  CHECK(c.status == 400);
  CHECK(c.body["errors"][0]["detail"].get<std::string>().find("channel") != std::string::npos);
  CHECK(s.get("/api/events?sort=updated").status == 400);
  CHECK(s.get("/api/events?include=nope").status == 400);
  auto p = s.get("/api/events?page[size]=5");
  std::string next = p.body["links"]["next"];
  std::string cur = next.substr(next.find("page%5Bcursor%5D=") + 17);
  CHECK(s.get("/api/events?filter=has(profile)&page[cursor]=" + cur).status == 400);
}

TEST_CASE("sorting ascending and descending") {
  Sim& s = shared();
  auto r = s.get("/api/profiles?sort=-updated&page[size]=100");
  std::string prev = "9999";
  auto key = [](const std::string& t) {  // normalise space separator for comparison
    std::string k = t;
    if (k.size() > 10) k[10] = 'T';
    return k.substr(0, 19);
  };
  for (auto& p : r.body["data"]) {
    std::string u = key(p["attributes"]["updated"]);
    CHECK(u <= prev);
    prev = u;
  }
  r = s.get("/api/events?sort=-datetime&page[size]=50");
  int64_t last = INT64_MAX;
  for (auto& e : r.body["data"]) {
    int64_t ts = e["attributes"]["timestamp"];
    CHECK(ts <= last);
    last = ts;
  }
  r = s.get("/api/lists?sort=name");
  std::string pn;
  for (auto& l : r.body["data"]) {
    CHECK(l["attributes"]["name"].get<std::string>() >= pn);
    pn = l["attributes"]["name"];
  }
}

TEST_CASE("include, additional-fields and sparse fields") {
  Sim& s = shared();
  auto r = s.get("/api/events?include=metric,profile&page[size]=20");
  REQUIRE(r.body.contains("included"));
  std::set<std::string> types;
  for (auto& i : r.body["included"]) types.insert(i["type"]);
  CHECK(types == std::set<std::string>{"metric", "profile"});
  CHECK_FALSE(s.get("/api/events?page[size]=2").body.contains("included"));
  r = s.get("/api/profiles?additional-fields[profile]=subscriptions&page[size]=100");
  for (auto& p : r.body["data"]) CHECK(p["attributes"].contains("subscriptions"));
  CHECK_FALSE(s.get("/api/profiles").body["data"][0]["attributes"].contains("subscriptions"));
  r = s.get("/api/profiles?filter=greater-than(subscriptions.email.marketing.suppression.timestamp,2020-01-01T00:00:00Z)"
            "&additional-fields[profile]=subscriptions&page[size]=100");
  REQUIRE(r.status == 200);
  CHECK(r.body["data"].size() > 0);
  for (auto& p : r.body["data"]) CHECK(p["attributes"]["subscriptions"]["email"]["marketing"]["suppression"].size() == 1);
  auto lid = s.truth("lists")[0];
  r = s.get("/api/lists/" + lid + "?additional-fields[list]=profile_count");
  CHECK(r.body["data"]["attributes"]["profile_count"].is_number());
  r = s.get("/api/lists/" + lid + "/profiles?fields[profile]=joined_group_at,email");
  REQUIRE(r.status == 200);
  for (auto& p : r.body["data"]) CHECK(p["attributes"].size() <= 2);
  r = s.get("/api/campaigns?filter=equals(messages.channel,'email')&include=campaign-messages");
  CHECK(r.body["included"].size() == r.body["data"].size());
  CHECK(s.get("/api/events/" + s.truth("events")[0]).status == 200);
  CHECK(s.get("/api/events/01HZZZZZZZZZZZZZZZZZZZZZZZ").status == 404);
  CHECK(s.get("/api/lists/nope00/profiles").status == 404);
  CHECK(s.get("/api/events/").status == 200);  // trailing slash
}

TEST_CASE("auth, scopes and revision") {
  Sim s({"--key", "pk_events_only:events", "--key", "pk_full:all", "--no-rate-limits", "--events", "500"});
  auto r = s.get("/api/events", "pk_unknown");
  CHECK(r.status == 401);
  CHECK(r.body["errors"][0]["code"] == "not_authenticated");
  CHECK(r.body["errors"][0]["title"] == "Authentication credentials were not provided.");
  CHECK(s.get("/api/events", "").status == 401);
  CHECK(s.get("/api/events", "pk_events_only").status == 200);
  r = s.get("/api/profiles", "pk_events_only");
  CHECK(r.status == 403);
  CHECK(r.body["errors"][0]["code"] == "permission_denied");
  CHECK(r.body["errors"][0]["detail"].get<std::string>().find("profiles") == std::string::npos);
  CHECK(s.get("/api/events", "pk_full", "").status == 400);
  CHECK(s.get("/api/events", "pk_full", "2023-01-01").status == 400);
  CHECK(s.get("/api/events", "pk_full", "2024-10-15").status == 200);
  CHECK(s.get("/api/events", "pk_full", "2026-07-15.pre").status == 200);
  auto log = s.admin_get("/__sim/requests")["requests"];
  REQUIRE(log.size() == 8);
  CHECK(log[0]["auth_key_ok"] == false);
  CHECK(log[0]["status"] == 401);
  CHECK(log[2]["path"] == "/api/events");
}

TEST_CASE("rate limits with --time-scale") {
  Sim s({"--time-scale", "0.01", "--events", "200"});
  auto a = s.get("/api/accounts");
  CHECK(a.status == 200);
  CHECK(a.header("RateLimit-Limit") == "15");
  CHECK(a.header("RateLimit-Remaining") == "14");
  CHECK_FALSE(a.header("RateLimit-Reset").empty());
  auto b = s.get("/api/accounts");  // XS burst is 1/s -> 10 ms at scale 0.01
  if (b.status == 200) b = s.get("/api/accounts");
  REQUIRE(b.status == 429);
  CHECK(b.body["errors"][0]["code"] == "throttled");
  double ra = std::stod(b.header("Retry-After"));
  CHECK(ra > 0);
  CHECK(ra <= 0.6);
  CHECK(b.header("RateLimit-Limit").empty());
  // steady window (15 per 0.6 s): exhaust it, then recover after Retry-After
  int ok = 0, throttled = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1500)) {
    auto r = s.get("/api/accounts");
    (r.status == 200 ? ok : throttled)++;
    if (r.status == 429) std::this_thread::sleep_for(std::chrono::milliseconds(int(std::stod(r.header("Retry-After")) * 1000)));
  }
  CHECK(ok >= 15);
  CHECK(ok <= 60);
  CHECK(throttled > 0);
  CHECK(s.admin_get("/__sim/stats")["throttled"].get<int>() > 0);
  s.admin_post("/__sim/config", {{"rate_limits", false}});
  for (int i = 0; i < 30; ++i) REQUIRE(s.get("/api/accounts").status == 200);
}

TEST_CASE("faults are reproducible from the seed") {
  auto run = [](const std::string& seed) {
    Sim s({"--seed", seed, "--events", "300", "--no-rate-limits", "--faults", "500=0.1,503=0.1,malformed=0.1,truncate=0.1,reset=0.1"});
    std::vector<int> out;
    for (int i = 0; i < 60; ++i) {
      auto r = s.get("/api/metrics");
      out.push_back(r.status == 200 && r.body.is_null() ? 1 : r.status);  // 1 = malformed, 0 = transport error
    }
    CHECK(s.admin_get("/__sim/health")["ok"] == true);  // admin never faulted
    return out;
  };
  auto a = run("11"), b = run("11"), c = run("12");
  CHECK(a == b);
  CHECK(a != c);
  CHECK(std::count(a.begin(), a.end(), 200) < 50);
  CHECK(std::count(a.begin(), a.end(), 200) > 5);
  CHECK(std::count(a.begin(), a.end(), 0) > 0);  // reset/truncate
}

TEST_CASE("mutate then a filtered query sees the new records") {
  Sim s({"--events", "1000", "--profiles", "200", "--no-rate-limits"});
  auto before = s.truth("events").size();
  std::string since = "2020-01-01T00:00:00Z";
  // a cursor a little in the past (seconds precision, UTC)
  time_t now = time(nullptr) - 300;
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  since = buf;
  auto base = s.all_ids(std::string("/api/events?filter=greater-or-equal(datetime,") + since + ")&page[size]=1000");
  auto m = s.admin_post("/__sim/mutate", {{"new_events", 5}, {"late_events", 3}, {"update_profiles", 4}, {"new_profiles", 2},
                                          {"update_campaigns", 2}, {"update_flows", 1}});
  REQUIRE(m["ok"] == true);
  CHECK(s.truth("events").size() == before + 8);
  auto after = s.all_ids(std::string("/api/events?filter=greater-or-equal(datetime,") + since + ")&page[size]=1000");
  auto as = as_set(after);
  for (auto& id : m["ids"]["new_events"]) CHECK(as.count(id));
  for (auto& id : m["ids"]["late_events"]) CHECK_FALSE(as.count(id));
  CHECK(after.size() == base.size() + 5);
  auto prof = as_set(s.all_ids(std::string("/api/profiles?filter=greater-than(updated,") + since + ")&page[size]=100"));
  CHECK(prof.size() == 6);
  for (auto& id : m["ids"]["profiles"]) CHECK(prof.count(id));
  CHECK(s.truth(std::string("profiles&since=") + since).size() == 6);
  CHECK(m["ids"]["campaigns"].size() == 2);
  CHECK(m["ids"]["flows"].size() == 1);
}

TEST_CASE("reports") {
  Sim& s = shared();
  std::string internal, shop;
  auto mres = s.get("/api/metrics");
  for (auto& m : mres.body["data"]) {
    std::string cat = m["attributes"]["integration"]["category"];
    (cat == "Internal" ? internal : shop) = m["id"].get<std::string>();
  }
  REQUIRE_FALSE(shop.empty());
  json body = json::parse(R"({"data":{"type":"campaign-values-report","attributes":{"statistics":["opens","open_rate"],
      "timeframe":{"key":"last_365_days"},"conversion_metric_id":"X"}}})");
  body["data"]["attributes"]["conversion_metric_id"] = shop;
  auto r = s.post("/api/campaign-values-reports", body);
  INFO(r.body.dump());
  REQUIRE(r.status == 200);
  CHECK(r.body["data"]["attributes"]["results"].is_array());
  body["data"]["attributes"]["conversion_metric_id"] = internal;
  r = s.post("/api/campaign-values-reports", body);
  CHECK(r.status == 400);
  CHECK(r.body["errors"][0]["detail"] == "Passed in conversion metric does not support querying for values data");
  body["data"]["attributes"]["conversion_metric_id"] = shop;
  body["data"]["attributes"]["timeframe"] = {{"start", "2024-01-01T00:00:00Z"}, {"end", "2025-06-01T00:00:00Z"}};
  CHECK(s.post("/api/campaign-values-reports", body).status == 400);
  json fs = json::parse(R"({"data":{"type":"flow-series-report","attributes":{"statistics":["opens","click_rate"],
      "timeframe":{"key":"last_30_days"},"conversion_metric_id":"X"}}})");
  fs["data"]["attributes"]["conversion_metric_id"] = shop;
  CHECK(s.post("/api/flow-series-reports", fs).status == 400);  // interval required
  fs["data"]["attributes"]["interval"] = "daily";
  r = s.post("/api/flow-series-reports", fs);
  REQUIRE(r.status == 200);
  auto n = r.body["data"]["attributes"]["date_times"].size();
  CHECK(n >= 30);
  for (auto& res : r.body["data"]["attributes"]["results"]) CHECK(res["statistics"]["opens"].size() == n);
}
