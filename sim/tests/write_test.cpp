// tests/write_test.cpp — black-box tests of the write endpoints over loopback: event bulk create
// (202 + storage, unique_id dedup across requests, in-request duplicates, per-entry validation with
// exact pointers, 413, scopes), profile import (201/200, null clears, 409), profile bulk import jobs
// (lifecycle, import-errors paging), and reading written records back through the read API and
// /__sim/written. Expected values are written by hand from Klaviyo's API reference.
#include <catch2/catch.hpp>
#include <set>

#include "sim_harness.h"

using namespace simtest;

namespace {
const std::vector<std::string> kEmpty = {"--events", "0", "--profiles", "0", "--metrics", "0", "--no-rate-limits"};
const std::string kBulk = "/api/event-bulk-create-jobs";
const std::string kEntries = "/data/attributes/events-bulk-create/data/";

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

json event(const std::string& metric, json props = json::object()) {
  return {{"type", "event"},
          {"attributes", {{"metric", {{"data", {{"type", "metric"}, {"attributes", {{"name", metric}}}}}}},
                          {"properties", props}}}};
}
json event_uid(const std::string& metric, const std::string& uid, const std::string& time = "") {
  json e = event(metric, {{"n", uid}});
  e["attributes"]["unique_id"] = uid;
  if (!time.empty()) e["attributes"]["time"] = time;
  return e;
}
json entry(json profile, std::vector<json> events) {
  return {{"type", "event-bulk-create"},
          {"attributes", {{"profile", {{"data", {{"type", "profile"}, {"attributes", profile}}}}},
                          {"events", {{"data", events}}}}}};
}
json bulk(std::vector<json> entries) {
  return {{"data", {{"type", "event-bulk-create-job"}, {"attributes", {{"events-bulk-create", {{"data", entries}}}}}}}};
}
json profile_doc(json attrs) { return {{"data", {{"type", "profile"}, {"attributes", attrs}}}}; }
json bulk_import(const std::vector<json>& attrs) {
  json data = json::array();
  for (auto& a : attrs) data.push_back({{"type", "profile"}, {"attributes", a}});
  return {{"data", {{"type", "profile-bulk-import-job"}, {"attributes", {{"profiles", {{"data", data}}}}}}}};
}
json written(Sim& s, const std::string& r) { return s.admin_get("/__sim/written?resource=" + r); }
std::set<std::string> pointers(const Resp& r) {
  std::set<std::string> out;
  for (auto& e : r.body["errors"]) out.insert(e["source"]["pointer"].get<std::string>());
  return out;
}
}  // namespace

TEST_CASE("event bulk create: 202, stored, dedup on unique_id across requests and on the second without one") {
  Sim s(kEmpty);
  auto r = s.post(kBulk, bulk({entry({{"email", "a@example.com"}}, {event_uid("Placed Order", "o-1", "2026-01-02T03:04:05.678Z"),
                                                                       event_uid("Placed Order", "o-2")}),
                               entry({{"phone_number", "+15005550006"}}, {event_uid("Viewed Product", "v-1")})}));
  REQUIRE(r.status == 202);
  CHECK(r.header("RateLimit-Limit").empty());  // --no-rate-limits
  json w = written(s, "events");
  REQUIRE(w["count"] == 3);
  CHECK(w["items"][0]["metric"] == "Placed Order");
  CHECK(w["items"][0]["profile"] == json{{"email", "a@example.com"}});
  CHECK(w["items"][0]["time"] == "2026-01-02T03:04:05+00:00");  // truncated to the second
  CHECK(w["items"][0]["properties"] == json{{"n", "o-1"}});
  CHECK(w["items"][2]["profile"] == json{{"phone_number", "+15005550006"}});
  // the same unique_ids again (a retry), plus one new: only the new one is stored
  r = s.post(kBulk, bulk({entry({{"email", "a@example.com"}}, {event_uid("Placed Order", "o-1"), event_uid("Placed Order", "o-3")}),
                          entry({{"phone_number", "+15005550006"}}, {event_uid("Viewed Product", "v-1")})}));
  REQUIRE(r.status == 202);
  w = written(s, "events");
  CHECK(w["count"] == 4);
  CHECK(w["ignored_duplicates"] == 2);
  // same unique_id, other metric or other profile: different events
  s.post(kBulk, bulk({entry({{"email", "b@example.com"}}, {event_uid("Placed Order", "o-1")}),
                      entry({{"email", "a@example.com"}}, {event_uid("Viewed Product", "o-1")})}));
  CHECK(written(s, "events")["count"] == 6);
  // no unique_id: one event per profile, metric and second
  json e1 = event("Active on Site"), e2 = event("Active on Site", {{"x", 2}});
  e1["attributes"]["time"] = "2026-03-01T10:00:00.100Z";
  e2["attributes"]["time"] = "2026-03-01T10:00:00.900Z";
  REQUIRE(s.post(kBulk, bulk({entry({{"email", "c@example.com"}}, {e1})})).status == 202);
  REQUIRE(s.post(kBulk, bulk({entry({{"email", "c@example.com"}}, {e2})})).status == 202);
  w = written(s, "events");
  CHECK(w["count"] == 7);
  CHECK(w["ignored_duplicates"] == 3);
  CHECK(written(s, "profiles")["count"] == 4);
  CHECK(written(s, "metrics")["count"] == 3);
}

TEST_CASE("event bulk create: a unique_id repeated in one request fails it whole") {
  Sim s(kEmpty);
  auto r = s.post(kBulk, bulk({entry({{"email", "a@example.com"}}, {event_uid("Placed Order", "u-1")}),
                               entry({{"email", "b@example.com"}}, {event_uid("Placed Order", "u-1")}),
                               entry({{"email", "a@example.com"}, {"first_name", "A"}},
                                     {event_uid("Viewed Product", "u-1"), event_uid("Placed Order", "u-1")})}));
  REQUIRE(r.status == 400);
  REQUIRE(r.body["errors"].size() == 1);
  CHECK(r.body["errors"][0]["code"] == "duplicate_unique_id");
  CHECK(r.body["errors"][0]["source"]["pointer"] == kEntries + "2/attributes/events/data/1/attributes/unique_id");
  CHECK(written(s, "events")["count"] == 0);
  CHECK(written(s, "profiles")["count"] == 0);
}

TEST_CASE("event bulk create: every bad entry is reported with its pointer, nothing is stored") {
  Sim s(kEmpty);
  std::vector<json> entries;
  for (int i = 0; i < 10; ++i)
    entries.push_back(entry({{"email", "ok" + std::to_string(i) + "@example.com"}}, {event("Placed Order", {{"i", i}})}));
  entries[1]["attributes"]["profile"]["data"]["attributes"]["email"] = "not an email";
  entries[2]["attributes"]["events"]["data"][0]["attributes"]["time"] = "1989-12-31T23:59:59Z";
  entries[3]["attributes"]["profile"]["data"]["attributes"] = {{"phone_number", "5005550006"}};
  entries[4]["attributes"]["events"]["data"][0]["attributes"]["time"] = "2999-01-01T00:00:00Z";
  entries[5]["attributes"]["events"]["data"][0]["attributes"]["metric"]["data"]["attributes"]["name"] = std::string(128, 'm');
  entries[6]["attributes"]["profile"]["data"]["attributes"] = {{"first_name", "Nobody"}};
  entries[7]["attributes"]["events"]["data"][0]["attributes"].erase("properties");
  entries[8]["attributes"]["events"]["data"][0]["attributes"]["value"] = "12.5";
  entries[9]["attributes"]["events"]["data"][0]["attributes"]["time"] = "yesterday";
  entries[0]["attributes"]["events"]["data"][0]["attributes"]["metric"]["data"]["attributes"]["name"] = std::string(127, 'm');
  auto r = s.post(kBulk, bulk(entries));
  REQUIRE(r.status == 400);
  const std::string ev = "/attributes/events/data/0/attributes/";
  CHECK(pointers(r) == std::set<std::string>{
                           kEntries + "1/attributes/profile/data/attributes/email",
                           kEntries + "2" + ev + "time",
                           kEntries + "3/attributes/profile/data/attributes/phone_number",
                           kEntries + "4" + ev + "time",
                           kEntries + "5" + ev + "metric/data/attributes/name",
                           kEntries + "6/attributes/profile/data/attributes",
                           kEntries + "7" + ev + "properties",
                           kEntries + "8" + ev + "value",
                           kEntries + "9" + ev + "time",
                       });
  for (auto& e : r.body["errors"]) {
    CHECK(e["status"] == 400);
    CHECK(e["code"] == "invalid");
    CHECK(e["title"] == "Invalid input.");
    CHECK_FALSE(e["id"].get<std::string>().empty());
  }
  CHECK(written(s, "events")["count"] == 0);
  // shape errors
  CHECK(s.post(kBulk, bulk({})).status == 400);
  CHECK(s.post_raw(kBulk, "{\"data\":").status == 400);
  r = s.post(kBulk, json{{"data", {{"type", "event"}, {"attributes", json::object()}}}});
  CHECK(r.status == 400);
  CHECK(pointers(r) == std::set<std::string>{"/data/type"});
  std::vector<json> many(1001, entries[0]);
  CHECK(pointers(s.post(kBulk, bulk(many))) == std::set<std::string>{"/data/attributes/events-bulk-create/data"});
  // E.164: 8 to 15 digits, the first not 0
  for (std::string ok : {"+12345678", "+123456789012345"})
    CHECK(s.post(kBulk, bulk({entry({{"phone_number", ok}}, {event("P")})})).status == 202);
  for (std::string bad : {"+1234567", "+1234567890123456", "+0123456789", "+1 5005550006", "+1500555000a"})
    CHECK(s.post(kBulk, bulk({entry({{"phone_number", bad}}, {event("P")})})).status == 400);
}

TEST_CASE("event bulk create: over 5 MB is 413; long bodies are logged as null") {
  Sim s(kEmpty);
  std::string big = bulk({entry({{"email", "a@example.com"}}, {event("P", {{"pad", std::string(5 * 1024 * 1024, 'x')}})})}).dump();
  auto r = s.post_raw(kBulk, big);
  REQUIRE(r.status == 413);
  CHECK(r.body["errors"][0]["status"] == 413);
  CHECK(written(s, "events")["count"] == 0);
  auto log = s.admin_get("/__sim/requests")["requests"];
  REQUIRE(log.size() == 1);
  CHECK(log[0]["body"].is_null());
  CHECK(log[0]["body_truncated"] == true);
  CHECK(log[0]["body_bytes"] == big.size());
}

TEST_CASE("write scopes: 403 before the body is looked at, 400 once the key has the scope") {
  Sim s({"--events", "0", "--profiles", "0", "--metrics", "0", "--no-rate-limits", "--key", "pk_read:events,profiles,lists",
         "--key", "pk_events:events:write", "--key", "pk_profiles:profiles:write", "--key",
         "pk_bulk:profiles:write,lists:write"});
  json invalid = {{"data", json::object()}};
  CHECK(s.post(kBulk, invalid, "pk_read").status == 403);
  CHECK(s.post(kBulk, invalid, "pk_profiles").status == 403);
  CHECK(s.post(kBulk, invalid, "pk_events").status == 400);
  CHECK(s.post("/api/profile-import", invalid, "pk_events").status == 403);
  CHECK(s.post("/api/profile-import", invalid, "pk_profiles").status == 400);
  CHECK(s.post("/api/profile-bulk-import-jobs", invalid, "pk_profiles").status == 403);
  CHECK(s.post("/api/profile-bulk-import-jobs", invalid, "pk_bulk").status == 400);
  auto job = s.post("/api/profile-bulk-import-jobs", bulk_import({{{"email", "a@example.com"}}}), "pk_bulk");
  REQUIRE(job.status == 202);
  std::string id = job.body["data"]["id"];
  CHECK(s.get("/api/profile-bulk-import-jobs/" + id, "pk_bulk").status == 403);  // needs the read scopes
  CHECK(s.get("/api/profile-bulk-import-jobs/" + id, "pk_read").status == 200);
  CHECK(s.get("/api/profile-bulk-import-jobs/" + id + "/import-errors", "pk_read").status == 200);
}

TEST_CASE("profile import: 201 then 200, omitted fields kept, null clears, properties merged, 409") {
  Sim s(kEmpty);
  auto r = s.post("/api/profile-import", profile_doc({{"email", "sarah@example.com"}, {"first_name", "Sarah"},
                                                      {"last_name", "Mason"}, {"location", {{"city", "Boston"}}},
                                                      {"properties", {{"a", 1}, {"b", 2}}}}));
  REQUIRE(r.status == 201);
  std::string id = r.body["data"]["id"];
  CHECK(r.body["data"]["type"] == "profile");
  CHECK(r.body["data"]["attributes"]["first_name"] == "Sarah");
  r = s.post("/api/profile-import", profile_doc({{"email", "sarah@example.com"}, {"phone_number", "+15005550006"},
                                                 {"last_name", nullptr}, {"properties", {{"b", 3}, {"c", 4}}}}));
  REQUIRE(r.status == 200);
  CHECK(r.body["data"]["id"] == id);
  json a = r.body["data"]["attributes"];
  CHECK(a["first_name"] == "Sarah");
  CHECK(a["last_name"].is_null());
  CHECK(a["phone_number"] == "+15005550006");
  CHECK(a["location"] == json{{"city", "Boston"}});
  CHECK(a["properties"] == json{{"a", 1}, {"b", 3}, {"c", 4}});
  CHECK(s.get("/api/profiles/" + id).body["data"]["attributes"] == a);
  // identified by the phone now
  r = s.post("/api/profile-import", profile_doc({{"phone_number", "+15005550006"}, {"title", "CEO"}}));
  CHECK(r.status == 200);
  CHECK(r.body["data"]["id"] == id);
  // email and external_id of two different profiles
  r = s.post("/api/profile-import", profile_doc({{"external_id", "ext-1"}}));
  REQUIRE(r.status == 201);
  std::string other = r.body["data"]["id"];
  r = s.post("/api/profile-import", profile_doc({{"email", "sarah@example.com"}, {"external_id", "ext-1"}}));
  REQUIRE(r.status == 409);
  CHECK(r.body["errors"][0]["code"] == "duplicate_profile");
  CHECK(r.body["errors"][0]["meta"]["duplicate_profile_id"] == other);
  auto p = s.post("/api/profile-import", profile_doc({{"email", "bad@"}, {"phone_number", "+1"}}));
  CHECK(p.status == 400);
  CHECK(pointers(p) == std::set<std::string>{"/data/attributes/email", "/data/attributes/phone_number"});
  json ws = written(s, "profiles");
  REQUIRE(ws["count"] == 2);
  CHECK(ws["items"][0] == json{{"id", id}, {"email", "sarah@example.com"}, {"phone_number", "+15005550006"},
                               {"first_name", "Sarah"}, {"title", "CEO"}, {"location", {{"city", "Boston"}}},
                               {"properties", {{"a", 1}, {"b", 3}, {"c", 4}}}});
}

TEST_CASE("profile bulk import: job lifecycle, duplicate_profile import errors, paging") {
  Sim s(kEmpty);
  REQUIRE(s.post("/api/profile-import", profile_doc({{"email", "a@example.com"}})).status == 201);
  REQUIRE(s.post("/api/profile-import", profile_doc({{"phone_number", "+15005550006"}})).status == 201);
  std::vector<json> ps;
  for (int i = 0; i < 30; ++i) {
    if (i % 6 == 5) ps.push_back({{"email", "a@example.com"}, {"phone_number", "+15005550006"}});  // two people
    else ps.push_back({{"email", "p" + std::to_string(i % 20) + "@example.com"}, {"first_name", "F" + std::to_string(i)}});
  }
  auto bad = ps;
  bad[3] = {{"email", "nope"}};
  bad[7] = {{"first_name", "x"}};
  auto r = s.post("/api/profile-bulk-import-jobs", bulk_import(bad));
  REQUIRE(r.status == 400);
  CHECK(pointers(r) == std::set<std::string>{"/data/attributes/profiles/data/3/attributes/email",
                                             "/data/attributes/profiles/data/7/attributes"});
  r = s.post("/api/profile-bulk-import-jobs", bulk_import(ps));
  REQUIRE(r.status == 202);
  json job = r.body["data"];
  CHECK(job["type"] == "profile-bulk-import-job");
  CHECK(job["attributes"]["status"] == "queued");
  CHECK(job["attributes"]["total_count"] == 30);
  CHECK(job["attributes"]["completed_at"].is_null());
  std::string id = job["id"];
  CHECK(written(s, "profiles")["count"] == 2);  // nothing applied yet
  CHECK(s.get("/api/profile-bulk-import-jobs/" + id).body["data"]["attributes"]["status"] == "processing");
  CHECK(written(s, "profiles")["count"] == 2);
  auto done = s.get("/api/profile-bulk-import-jobs/" + id).body["data"]["attributes"];
  CHECK(done["status"] == "complete");
  CHECK(done["completed_count"] == 25);
  CHECK(done["failed_count"] == 5);
  CHECK(done["completed_at"].is_string());
  json people = written(s, "profiles");
  CHECK(people["count"] == 20);  // 2 + 18 distinct emails
  for (auto& p : people["items"])  // later wins for the same person: p1 was F1 then F21
    if (p["email"] == "p1@example.com") CHECK(p["first_name"] == "F21");
  int pages = 0;
  auto ids = s.all_ids("/api/profile-bulk-import-jobs/" + id + "/import-errors?page[size]=2", &pages);
  CHECK(ids.size() == 5);
  CHECK(pages == 3);
  auto first = s.get("/api/profile-bulk-import-jobs/" + id + "/import-errors");
  REQUIRE(first.body["data"].size() == 5);
  for (size_t k = 0; k < 5; ++k) {
    json e = first.body["data"][k];
    CHECK(e["type"] == "import-error");
    CHECK(e["attributes"]["code"] == "duplicate_profile");
    CHECK(e["attributes"]["source"]["pointer"] == "/data/attributes/profiles/data/" + std::to_string(6 * k + 5));
    CHECK(e["attributes"]["original_payload"] == ps[6 * k + 5]);
  }
  CHECK(s.get("/api/profile-bulk-import-jobs/" + id + "/import-errors?page[size]=101").status == 400);
  CHECK(s.get("/api/profile-bulk-import-jobs/NOPE").status == 404);
  CHECK(s.get("/api/profile-bulk-import-jobs/NOPE/import-errors").status == 404);
  CHECK(written(s, "import_jobs")["items"][0]["status"] == "complete");
}

TEST_CASE("written events read back through GET /api/events, metrics and profiles") {
  Sim s(kEmpty);
  std::vector<json> entries;
  for (int i = 0; i < 40; ++i) {
    char t[32];
    std::snprintf(t, sizeof t, "2026-02-01T00:%02d:%02dZ", (39 - i) / 2, (i % 2) * 30);
    json e = event_uid(i % 2 ? "Placed Order" : "Viewed Product", "u-" + std::to_string(i), t);
    if (i % 4 == 0) e["attributes"]["value"] = 10.5;
    if (i % 8 == 0) e["attributes"]["value_currency"] = "EUR";
    entries.push_back(entry({{"email", "user" + std::to_string(i % 5) + "@example.com"}}, {e}));
  }
  REQUIRE(s.post(kBulk, bulk(entries)).status == 202);
  json w = written(s, "events");
  REQUIRE(w["count"] == 40);
  std::vector<std::string> by_time;
  std::vector<json> items = w["items"];
  std::stable_sort(items.begin(), items.end(), [](const json& a, const json& b) { return a["time"] < b["time"]; });
  for (auto& it : items) by_time.push_back(it["id"]);
  auto q = "/api/events?filter=greater-or-equal(datetime,2026-02-01T00:00:00Z),less-than(datetime,2026-02-01T01:00:00Z)"
           "&sort=datetime&page[size]=7";
  auto ids = s.all_ids(q);
  REQUIRE(ids.size() == 40);
  // ties (same second) are ordered by id like generated events; the times must be non-decreasing
  std::vector<std::string> times;
  for (auto& id : ids) {
    auto e = s.get("/api/events/" + id + "?include=metric,profile");
    REQUIRE(e.status == 200);
    json it;
    for (auto& x : w["items"])
      if (x["id"] == id) it = x;
    REQUIRE(it.is_object());
    json a = e.body["data"]["attributes"];
    times.push_back(a["datetime"]);
    json props = it["properties"];
    props["$event_id"] = it["unique_id"];
    if (it.contains("value")) props["$value"] = it["value"];
    if (it.contains("value_currency")) props["$value_currency"] = it["value_currency"];
    CHECK(a["event_properties"] == props);
    CHECK(a["datetime"] == it["time"]);
    CHECK(e.body["data"]["relationships"]["profile"]["data"]["id"] == it["profile_id"]);
    CHECK(e.body["included"].size() == 2);
  }
  CHECK(std::is_sorted(times.begin(), times.end()));
  CHECK(std::set<std::string>(ids.begin(), ids.end()) == std::set<std::string>(by_time.begin(), by_time.end()));
  auto desc = s.all_ids("/api/events?sort=-datetime&page[size]=9");
  CHECK(std::equal(ids.begin(), ids.end(), desc.rbegin()));
  auto metrics = s.get("/api/metrics").body["data"];
  REQUIRE(metrics.size() == 2);
  std::string placed = metrics[0]["attributes"]["name"] == "Placed Order" ? metrics[0]["id"] : metrics[1]["id"];
  CHECK(s.all_ids("/api/events?filter=equals(metric_id,\"" + placed + "\")").size() == 20);
  CHECK(s.get("/api/metrics/" + placed).body["data"]["attributes"]["name"] == "Placed Order");
  auto profiles = s.all_ids("/api/profiles?page[size]=2");
  CHECK(profiles.size() == 5);
  auto one = s.get("/api/profiles?filter=equals(email,'user3@example.com')").body["data"];
  REQUIRE(one.size() == 1);
  CHECK(s.all_ids("/api/events?filter=equals(profile_id,\"" + one[0]["id"].get<std::string>() + "\")").size() == 8);
}

TEST_CASE("written events merge with generated ones; generated responses are unchanged") {
  Sim s({"--seed", "5", "--events", "800", "--profiles", "100", "--no-rate-limits", "--anchor", "2026-06-01"});
  auto before = s.all_ids("/api/events?page[size]=1000");
  auto gen_metrics = s.get("/api/metrics").body["data"];
  std::string sample = s.get("/api/events/" + before[0] + "?include=metric,profile").body.dump();
  REQUIRE(s.post(kBulk, bulk({entry({{"email", "new@example.com"}},
                                    {event_uid("Placed Order", "m-1", "2025-06-01T12:00:00Z"),
                                     event_uid("Brand New Metric", "m-2", "2024-01-01T00:00:00Z")})})).status == 202);
  auto after = s.all_ids("/api/events?page[size]=97");
  CHECK(after.size() == before.size() + 2);
  auto desc = s.all_ids("/api/events?sort=-datetime&page[size]=101");
  CHECK(std::equal(after.begin(), after.end(), desc.rbegin()));
  std::set<std::string> gen(before.begin(), before.end());
  std::vector<std::string> only_gen;
  for (auto& id : after)
    if (gen.count(id)) only_gen.push_back(id);
  CHECK(only_gen == before);
  CHECK(s.truth("events").size() == 800);
  CHECK(s.get("/api/events/" + before[0] + "?include=metric,profile").body.dump() == sample);
  // "Placed Order" is the generated metric; the new name is a new metric
  json w = written(s, "events")["items"];
  auto e = s.get("/api/events/" + w[0]["id"].get<std::string>()).body["data"];
  std::string placed;
  for (auto& m : gen_metrics)
    if (m["attributes"]["name"] == "Placed Order") placed = m["id"];
  CHECK(e["relationships"]["metric"]["data"]["id"] == placed);
  CHECK(s.get("/api/metrics").body["data"].size() == gen_metrics.size() + 1);
  CHECK(s.all_ids("/api/profiles?page[size]=100").size() == 101);
}

TEST_CASE("--no-store-written validates but keeps no event") {
  Sim s(with(kEmpty, {"--no-store-written"}));
  CHECK(s.post(kBulk, bulk({entry({{"email", "a@example.com"}}, {event_uid("P", "1"), event_uid("P", "2")})})).status == 202);
  CHECK(s.post(kBulk, bulk({entry({{"email", "bad"}}, {event_uid("P", "1")})})).status == 400);
  json w = written(s, "events");
  CHECK(w["count"] == 0);
  CHECK(w["discarded"] == 2);
  CHECK(s.get("/api/events").body["data"].empty());
}

TEST_CASE("a fault after the handler: the events are stored although the reply is a 500") {
  Sim s(with(kEmpty, {"--faults", "500=1", "--fault-paths", "^/api/event-bulk-create-jobs"}));
  json b = bulk({entry({{"email", "a@example.com"}}, {event_uid("Placed Order", "x-1")})});
  CHECK(s.post(kBulk, b).status == 500);
  CHECK(s.post(kBulk, b).status == 500);  // the retry is deduplicated
  json w = written(s, "events");
  CHECK(w["count"] == 1);
  CHECK(w["ignored_duplicates"] == 1);
  CHECK(s.get("/api/events").status == 200);  // other paths are not faulted
}

TEST_CASE("write endpoints have Klaviyo's tiers") {
  Sim s({"--events", "0", "--profiles", "0", "--metrics", "0", "--time-scale", "100"});
  auto r = s.post(kBulk, bulk({entry({{"email", "a@example.com"}}, {event("P")})}));
  CHECK(r.status == 202);
  CHECK(r.header("RateLimit-Limit") == "150");
  r = s.post("/api/profile-import", profile_doc({{"email", "a@example.com"}}));
  CHECK(r.header("RateLimit-Limit") == "750");
  int throttled = 0;
  for (int i = 0; i < 12; ++i) throttled += s.post(kBulk, bulk({entry({{"email", "a@example.com"}}, {event("P")})})).status == 429;
  CHECK(throttled > 0);  // 10 per second
}
