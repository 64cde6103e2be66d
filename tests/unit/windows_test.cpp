// Windows: a long range split into contiguous half-open windows read in parallel, the first window
// started by the oldest record, the cursor and checkpoints moving only over completed windows, and
// split() itself; then windowed reads of the rows whose cursor filter is strict (profiles:
// greater-than / less-than only) and of memberships inside one list, against a scripted server that
// filters like Klaviyo: every record is read exactly once, on window boundaries and with ties; and
// progress figures.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "fake_api.h"
#include "fake_read.h"
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
using sk::test::kNow;
using sk::test::page;
using sk::test::reply;
using sk::test::resource;
using sk::test::run_read;
using sk::test::test_config;

namespace {

// The value of op(field,VALUE) in the URL's filter, or "".
std::string clause(const std::string& url, const std::string& op, const std::string& field) {
  std::string u = decode(url);
  auto at = u.find(op + "(" + field + ",");
  if (at == std::string::npos) return "";
  at += op.size() + field.size() + 2;
  return u.substr(at, u.find(')', at) - at);
}

// "greater-or-equal(datetime,X)" -> X
std::string bound(const std::string& url, const std::string& op) { return clause(url, op, "datetime"); }

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

TEST_CASE("engine: a long range is split into contiguous half-open windows read in parallel", "[engine][windows]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    std::string lo = bound(r.url, "greater-or-equal");
    return reply(200, page({resource("event", "E" + lo, "datetime", lo)}));
  };
  auto cfg = test_config();
  cfg.start_date = *sk::parse_datetime("2024-01-01");
  auto run = run_read(server, cfg, {{"events", protocol::SyncMode::Incremental}});
  auto urls = server.urls();
  REQUIRE(urls.size() == 8);  // 152 days in 7-day windows would be 22; capped at 4 per worker
  std::vector<std::pair<std::string, std::string>> ranges;
  for (const auto& u : urls) ranges.emplace_back(bound(u, "greater-or-equal"), bound(u, "less-than"));
  std::sort(ranges.begin(), ranges.end());
  CHECK(ranges.front().first == "2024-01-01T00:00:00Z");
  CHECK(ranges.back().second == "2024-06-01T12:00:00Z");
  for (std::size_t i = 1; i < ranges.size(); ++i) CHECK(ranges[i - 1].second == ranges[i].first);  // no gap, no overlap
  CHECK(run.of_type("RECORD").size() == 8);
  CHECK(run.of_type("STATE").back()["state"]["stream"]["stream_state"] == json{{"datetime", "2024-06-01T12:00:00+00:00"}});
}

TEST_CASE("engine: without a lower bound the oldest record starts the first window", "[engine][windows]") {
  FakeServer server;
  server.handler = [](const http::Request& r) {
    if (decode(r.url).find("page[size]=1000") == std::string::npos)  // the one-record probe
      return reply(200, page({resource("event", "oldest", "datetime", "2024-05-20T08:30:00.5+00:00")}));
    return reply(200, page({}));
  };
  auto run = run_read(server, test_config(), {{"events", protocol::SyncMode::FullRefresh}});
  auto urls = server.urls();
  REQUIRE(urls.size() >= 2);
  CHECK(bound(urls[0], "greater-or-equal").empty());  // the probe: sorted, one record, before now
  CHECK_THAT(decode(urls[0]), Catch::Contains("sort=datetime"));
  std::vector<std::string> starts;
  for (std::size_t i = 1; i < urls.size(); ++i) starts.push_back(bound(urls[i], "greater-or-equal"));
  std::sort(starts.begin(), starts.end());
  CHECK(starts.front() == "2024-05-20T08:30:00Z");
}

TEST_CASE("engine: the cursor moves only over the completed prefix of windows", "[engine][windows]") {
  using streams::Window;
  auto t = [](const char* s) { return *sk::parse_datetime(s); };
  const auto& spec = *streams::find_stream("events");
  auto parts = streams::partitions_for(spec, test_config());
  streams::StreamRun run(&spec, protocol::SyncMode::Incremental, json::object());
  run.partitions = parts;
  run.windows.resize(parts.size());
  run.state.load(json::object(), {parts[0].key});
  run.windows[0] = streams::split(t("2024-01-01"), t("2024-01-04"), std::chrono::hours(24), 10);
  REQUIRE(run.windows[0].size() == 3);
  const SysTime now = t("2024-06-01");
  auto cursor = [&] {
    auto c = run.state.get(parts[0].key);
    return c ? sk::format_iso(*c) : std::string("none");
  };
  run.windows[0][1].done = true;  // a later window finished first: nothing is promised yet
  run.advance_cursor(0, now);
  CHECK(cursor() == "none");
  run.windows[0][0].max_seen = t("2024-01-01T12:00:00Z");  // progress inside the first window (sorted pages)
  run.advance_cursor(0, now);
  CHECK(cursor() == "2024-01-01T12:00:00+00:00");
  run.windows[0][0].done = true;  // now windows 0 and 1 are complete: up to the end of window 1
  run.advance_cursor(0, now);
  CHECK(cursor() == "2024-01-03T00:00:00+00:00");
}

TEST_CASE("engine: a window's checkpoint goes out only when the state covers new records", "[engine][windows]") {
  // Window 0 is empty and finishes while window 1 has written records: the cursor moves to the end
  // of window 0, but a STATE then would count window 1's records, which resuming from it reads
  // again (CAT's sequential-slices check reads from such a state and gets the first read back).
  auto t = [](const char* s) { return *sk::parse_datetime(s); };
  const auto& spec = *streams::find_stream("profiles");  // unsorted pages
  auto parts = streams::partitions_for(spec, test_config());
  streams::StreamRun run(&spec, protocol::SyncMode::Incremental, json::object());
  run.partitions = parts;
  run.windows.resize(parts.size());
  run.state.load(json::object(), {parts[0].key});
  run.last_checkpoint = run.state.to_json();
  run.windows[0] = streams::split(t("2024-01-01"), t("2024-01-04"), std::chrono::hours(24), 10);
  const SysTime now = t("2024-06-01");
  protocol::StringSink sink;
  FakeClock clock;
  protocol::Emitter out(sink, clock);
  auto states = [&] { return std::count(sink.out.begin(), sink.out.end(), '\n'); };

  run.windows[0][1].emitted = 5;  // window 1 is being read
  run.windows[0][0].done = true;  // window 0: empty, finished
  run.advance_cursor(0, now);
  run.checkpoint_covered(out);
  CHECK(states() == 0);
  run.windows[0][1].done = true;  // now the state covers window 1's records
  run.advance_cursor(0, now);
  run.checkpoint_covered(out);
  REQUIRE(states() == 1);
  const json state = json::parse(sink.out);
  CHECK(state["state"]["stream"]["stream_state"]["updated"] == "2024-01-03T00:00:00+00:00");
  run.windows[0][2].done = true;  // an empty last window: nothing new covered
  run.advance_cursor(0, now);
  run.checkpoint_covered(out);
  CHECK(states() == 1);
}

TEST_CASE("engine: split() covers the range exactly, in whole seconds", "[engine][windows]") {
  auto t = [](const char* s) { return *sk::parse_datetime(s); };
  auto w = streams::split(t("2024-01-01T00:00:00.5Z"), t("2024-01-10T00:00:00Z"), std::chrono::hours(24 * 7), 100);
  REQUIRE(w.size() == 2);
  CHECK(sk::format_iso(*w[0].start) == "2024-01-01T00:00:00.500000+00:00");
  CHECK(*w[0].end == *w[1].start);
  CHECK(sk::format_iso(*w[1].end) == "2024-01-10T00:00:00+00:00");
  CHECK(streams::split(t("2024-01-01"), t("2024-01-02"), std::chrono::hours(24 * 7), 100).size() == 1);
  CHECK(streams::split(t("2021-01-01"), t("2024-01-01"), std::chrono::hours(24 * 7), 40).size() == 40);
}

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
