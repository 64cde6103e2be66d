// Windowed reads of the rows whose cursor filter is strict (profiles: greater-than / less-than
// only) and of memberships inside one list, against a scripted server that filters like Klaviyo:
// every record is read exactly once, on window boundaries and with ties; and progress figures.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "fake_api.h"
#include "source/streams/engine.h"
#include "source/streams/planner.h"
#include "source/streams/progress.h"
#include "source/streams/run.h"
#include "core/util/datetime.h"

using nlohmann::json;
using namespace sk;
using sk::test::decode;
using sk::test::FakeServer;
using sk::test::FakeTransport;
using sk::test::reply;

namespace {

const SysTime kNow = *sk::parse_datetime("2024-06-01T12:00:00Z");

// The value of op(field,VALUE) in the URL's filter, or "".
std::string clause(const std::string& url, const std::string& op, const std::string& field) {
  std::string u = decode(url);
  auto at = u.find(op + "(" + field + ",");
  if (at == std::string::npos) return "";
  at += op.size() + field.size() + 2;
  return u.substr(at, u.find(')', at) - at);
}

// A server holding `records` (id, cursor) of one endpoint, answering filters on `field` with
// greater-than / greater-or-equal / less-than as Klaviyo does, sorted by the cursor, `per_page` per
// page (two unless told).
void serve(FakeServer& server, std::vector<std::pair<std::string, std::string>> records, const std::string& field,
           const std::string& type, std::size_t per_page = 2) {
  std::stable_sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return *sk::parse_datetime(a.second) < *sk::parse_datetime(b.second);
  });
  server.handler = [records, field, type, per_page](const http::Request& r) {
    const std::string gt = clause(r.url, "greater-than", field), ge = clause(r.url, "greater-or-equal", field),
                      lt = clause(r.url, "less-than", field);
    std::vector<json> hits;
    for (const auto& [id, v] : records) {
      const SysTime t = *sk::parse_datetime(v);
      if (!gt.empty() && !(t > *sk::parse_datetime(gt))) continue;
      if (!ge.empty() && !(t >= *sk::parse_datetime(ge))) continue;
      if (!lt.empty() && !(t < *sk::parse_datetime(lt))) continue;
      hits.push_back({{"type", type}, {"id", id}, {"attributes", {{field, v}}}, {"links", {{"self", "x"}}}});
    }
    const bool one = decode(r.url).find("page[size]=1&") != std::string::npos ||
                     decode(r.url).ends_with("page[size]=1");
    std::size_t from = 0;
    if (auto at = r.url.find("&offset="); at != std::string::npos) from = std::stoul(r.url.substr(at + 8));
    const std::size_t n = one ? 1 : per_page;
    std::vector<json> data(hits.begin() + static_cast<long>(std::min(from, hits.size())),
                           hits.begin() + static_cast<long>(std::min(from + n, hits.size())));
    json next = nullptr;
    if (!one && from + n < hits.size()) {
      std::string base = r.url.substr(0, r.url.find("&offset="));
      next = base + "&offset=" + std::to_string(from + n);
    }
    json doc = {{"data", data}, {"links", {{"self", "s"}, {"next", next}}}};
    return reply(200, doc.dump());
  };
}

std::vector<json> read_records(FakeServer& server, config::Config cfg, const char* stream) {
  protocol::StringSink sink;
  FakeClock clock(kNow);
  {
    protocol::Emitter out(sink, clock);
    streams::Engine engine(cfg, out, clock, [&] { return std::make_unique<FakeTransport>(server); });
    engine.read({{streams::find_stream(stream), protocol::SyncMode::Incremental}}, {});
  }
  std::vector<json> records;
  std::stringstream ss(sink.out);
  for (std::string l; std::getline(ss, l);) {
    json m = json::parse(l);
    if (m["type"] == "RECORD") records.push_back(m["record"]["data"]);
  }
  return records;
}

config::Config one_worker() {
  config::Config c;
  c.api_key = "pk_unit_test_key";
  c.base_url = "http://fake";
  c.num_workers = 1;  // four windows at most
  c.start_date = *sk::parse_datetime("2024-05-04T12:00:00Z");  // 28 days before kNow: boundaries every 7 days
  c.disable_fetching_predictive_analytics = true;
  return c;
}

}  // namespace

TEST_CASE("windows: profiles on and just before window boundaries, and ties, are read exactly once", "[windows]") {
  const std::vector<std::pair<std::string, std::string>> profiles = {
      {"p_start", "2024-05-04T12:00:00+00:00"},          // the lower bound itself
      {"p_before1", "2024-05-11T11:59:59.500000+00:00"},  // in the second before boundary 1 (05-11T12)
      {"p_on1", "2024-05-11T12:00:00+00:00"},             // on boundary 1
      {"p_tie_a", "2024-05-18T11:59:59+00:00"},           // three records sharing one cursor second,
      {"p_tie_b", "2024-05-18T11:59:59+00:00"},           // just before boundary 2
      {"p_tie_c", "2024-05-18T11:59:59.250000+00:00"},
      {"p_on2_a", "2024-05-18T12:00:00+00:00"},  // two on boundary 2
      {"p_on2_b", "2024-05-18T12:00:00+00:00"},
      {"p_before3", "2024-05-25T11:59:59.999000+00:00"},
      {"p_last", "2024-06-01T11:59:59.900000+00:00"},
  };
  FakeServer server;
  serve(server, profiles, "updated", "profile");
  auto records = read_records(server, one_worker(), "profiles");
  std::map<std::string, int> seen;
  for (const auto& r : records) ++seen[r["id"].get<std::string>()];
  for (const auto& [id, t] : profiles) CHECK(seen[id] == 1);
  CHECK(records.size() == profiles.size());
  // Four windows, each asking greater-than(start - 1 s) and less-than(end).
  std::vector<std::string> firsts;
  for (const auto& u : server.urls())
    if (u.find("&offset=") == std::string::npos) firsts.push_back(clause(u, "greater-than", "updated"));
  std::sort(firsts.begin(), firsts.end());
  CHECK(firsts == std::vector<std::string>{"2024-05-04T11:59:59Z", "2024-05-11T11:59:59Z", "2024-05-18T11:59:59Z",
                                           "2024-05-25T11:59:59Z"});
}

TEST_CASE("windows: a dense window is split again while it is read; every record once", "[windows]") {
  // 3000 profiles in the last planned window [05-25T12, 06-01T12), three sharing each 10-minute
  // mark: its first full page (100) covers ~5 hours of 7 days, so the rest is split off into new
  // windows that other workers read; the window itself stops at the cut.
  std::vector<std::pair<std::string, std::string>> profiles;
  const SysTime base = *sk::parse_datetime("2024-05-25T12:00:00Z");
  for (int i = 0; i < 1000; ++i)
    for (int j = 0; j < 3; ++j)
      profiles.emplace_back("p" + std::to_string(i) + "_" + std::to_string(j),
                            sk::format_iso(base + std::chrono::minutes(10 * i)));
  FakeServer server;
  serve(server, profiles, "updated", "profile", 100);
  auto records = read_records(server, one_worker(), "profiles");
  std::map<std::string, int> seen;
  for (const auto& r : records) ++seen[r["id"].get<std::string>()];
  std::size_t once = 0;
  for (const auto& [id, t] : profiles) once += seen[id] == 1;
  CHECK(once == profiles.size());
  CHECK(records.size() == profiles.size());
  // The four planned windows plus the ones split off (each asks greater-than(its start - 1 s)).
  std::set<std::string> firsts;
  for (const auto& u : server.urls())
    if (u.find("&offset=") == std::string::npos) firsts.insert(clause(u, "greater-than", "updated"));
  CHECK(firsts.size() > 4);
  CHECK(firsts.count("2024-05-25T11:59:59Z") == 1);
  // Nothing was read twice: the pages fetched hold each record once, except the page of the window
  // that was cut, whose records past the cut are read again by the window after it.
  std::size_t fetched = 0;
  for (const auto& resp : server.urls()) (void)resp, ++fetched;
  CHECK(fetched < 3000 / 100 + 4 + 2 * firsts.size());
}

TEST_CASE("windows: a big list's memberships are split into windows; bulk joins at one instant are read once", "[windows]") {
  std::vector<std::pair<std::string, std::string>> members;
  for (int i = 0; i < 7; ++i) members.emplace_back("bulk" + std::to_string(i), "2024-05-18T12:00:00+00:00");
  members.emplace_back("m1", "2024-05-11T11:59:59.5+00:00");
  members.emplace_back("m2", "2024-05-04T12:00:00+00:00");
  members.emplace_back("m3", "2024-05-31T00:00:00+00:00");
  FakeServer server;
  auto profiles_of_list = [members](const http::Request& r) { return r.url.find("/api/lists/L1/profiles") != std::string::npos; };
  FakeServer inner;
  serve(inner, members, "joined_group_at", "profile");
  server.handler = [&](const http::Request& r) {
    if (profiles_of_list(r)) return inner.handle(r);
    json lists = {{"data", json::array({{{"type", "list"}, {"id", "L1"}, {"attributes", {{"updated", "2024-01-01T00:00:00+00:00"}}}}})},
                  {"links", {{"self", "s"}, {"next", nullptr}}}};
    return reply(200, lists.dump());
  };
  auto records = read_records(server, one_worker(), "list_memberships");
  std::map<std::string, int> seen;
  for (const auto& r : records) {
    CHECK(r["list_id"] == "L1");
    ++seen[r["profile_id"].get<std::string>()];
  }
  for (const auto& [id, t] : members) CHECK(seen[id] == 1);
  CHECK(records.size() == members.size());
  std::size_t windows = 0;
  for (const auto& u : inner.urls())
    if (u.find("&offset=") == std::string::npos) ++windows;
  CHECK(windows == 4);  // one list gets all of the stream's windows
}

TEST_CASE("progress: percent done counts finished windows and the read part of running ones", "[progress]") {
  auto t = [](const char* s) { return *sk::parse_datetime(s); };
  const auto& spec = *streams::find_stream("events");
  streams::StreamRun run(&spec, protocol::SyncMode::Incremental, json::object());
  CHECK(streams::percent_done(run) == 0);
  run.planned = true;
  run.remaining = 4;  // its windows, not finished
  run.windows.resize(1);
  run.windows[0] = streams::split(t("2024-01-01"), t("2024-01-05"), std::chrono::hours(24), 10);
  REQUIRE(run.windows[0].size() == 4);
  run.windows[0][0].done = true;
  run.windows[0][2].max_seen = t("2024-01-03T12:00:00Z");
  CHECK(streams::percent_done(run) == Approx(37.5));
  for (auto& w : run.windows[0]) w.done = true;
  CHECK(streams::percent_done(run) == 100);
}
