// main.cpp — klaviyo-sim entry point: command-line flags, dataset generation, server start-up
// (port file + "listening" line), and the --self-bench paging benchmark.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "server.h"
#include "util.h"

using namespace sim;

static long peak_rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

// The bench client only measures: it counts bytes and records and finds links.next with a string
// scan (the top-level "links" object is the document's last member; ids/URLs need no unescaping),
// so the figure reflects the server rather than a JSON parser.
static std::string next_link(const std::string& body) {
  static const std::string_view kNext = "\"links\":{\"next\":";
  auto p = body.rfind(kNext);
  if (p == std::string::npos) return "";
  p += kNext.size();
  if (body.compare(p, 1, "\"") != 0) return "";  // null
  auto e = body.find('"', p + 1);
  return e == std::string::npos ? "" : body.substr(p + 1, e - p - 1);
}

static size_t count_records(const std::string& body, const std::string& type) {
  // Every resource object ends with its "type" member (keys are sorted); relationship refs end with
  // "type" too but are followed by "}}" / "},{" + ref / "}]" inside relationships, never by a next
  // data member. Count `"type":"<type>"}` followed by `,{"attributes"`, `,{"id":` (refs-only pages)
  // or `]` (end of data).
  const std::string pat = "\"type\":\"" + type + "\"}";
  size_t n = 0;
  const char* b = body.data();
  const char* end = b + body.size();
  for (const char* p = b; (p = static_cast<const char*>(memmem(p, size_t(end - p), pat.data(), pat.size())));) {
    p += pat.size();
    std::string_view rest(p, size_t(end - p));
    if (rest.starts_with("]") || rest.starts_with(",{\"attributes\"") || rest.starts_with(",{\"id\":")) ++n;
  }
  return n;
}

static int self_bench(State& st, int port, std::string url) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_read_timeout(60, 0);
  cli.set_tcp_nodelay(true);
  httplib::Headers h = {{"Authorization", "Klaviyo-API-Key " + st.cfg.keys.begin()->first}, {"revision", "2026-07-15"}};
  // resource type from the path: /api/events -> event, /api/profiles, /api/lists/X/profiles -> profile
  std::string path = url.substr(0, url.find('?'));
  std::string type = path.substr(path.rfind('/') + 1);
  if (!type.empty() && type.back() == 's') type.pop_back();
  size_t pages = 0, records = 0, bytes = 0;
  std::string body;  // reused: no per-page allocation (and page faults) on the client side
  body.reserve(4 << 20);
  auto t0 = std::chrono::steady_clock::now();
  while (!url.empty()) {
    body.clear();
    auto r = cli.Get(url, h, [&](const char* data, size_t n) {
      body.append(data, n);
      return true;
    });
    if (!r || r->status != 200) {
      std::fprintf(stderr, "bench: request failed (%d)\n", r ? r->status : -1);
      return 1;
    }
    pages++;
    records += count_records(body, type);
    bytes += body.size();
    std::string next = next_link(body);
    url = next.empty() ? "" : next.substr(next.find("/api/"));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("self-bench: %s=%zu pages=%zu time=%.2fs pages/s=%.1f records/s=%.0f MB/s=%.1f peak_rss=%ld MB\n",
              path.substr(path.rfind('/') + 1).c_str(), records, pages, secs, pages / secs, records / secs,
              bytes / secs / 1e6, peak_rss_kb() / 1024);
  return 0;
}

namespace {
// Command-line values that are not Config fields.
struct Flags {
  Sizes sizes;
  std::vector<std::string> keys;
  bool no_rate_limits = false, bench = false, no_store_written = false;
  std::string bench_url = "/api/events?page%5Bsize%5D=1000";
};

void add_flags(CLI::App& app, Config& cfg, Flags& f) {
  app.add_option("--host", cfg.host);
  app.add_option("--port", cfg.port);
  app.add_option("--port-file", cfg.port_file);
  app.add_option("--seed", cfg.seed);
  app.add_option("--profiles", f.sizes.profiles);
  app.add_option("--events", f.sizes.events);
  app.add_option("--metrics", f.sizes.metrics);
  app.add_option("--lists", f.sizes.lists);
  app.add_option("--segments", f.sizes.segments);
  app.add_option("--campaigns", f.sizes.campaigns);
  app.add_option("--flows", f.sizes.flows);
  app.add_option("--templates", f.sizes.templates);
  app.add_option("--tags", f.sizes.tags);
  app.add_option("--anchor", cfg.anchor, "YYYY-MM-DD (default: today UTC)");
  app.add_option("--timezone", cfg.timezone, "account timezone, an IANA name (default America/New_York)");
  app.add_option("--report-daily-quota", cfg.rt.report_daily_quota,
                 "report requests per key and endpoint per (scaled) day (default 225; 0 = unlimited)");
  app.add_option("--key", f.keys, "KEY:SCOPES (all or comma list)");
  app.add_option("--time-scale", cfg.time_scale);
  app.add_flag("--no-rate-limits", f.no_rate_limits);
  app.add_option("--latency-ms", cfg.rt.latency_ms);
  app.add_option("--latency-jitter-ms", cfg.rt.latency_jitter_ms);
  app.add_option("--faults", cfg.rt.faults);
  app.add_option("--fault-paths", cfg.rt.fault_paths);
  app.add_option("--stall-ms", cfg.rt.stall_ms);
  app.add_option("--threads", cfg.threads);
  app.add_option("--log-bodies-max", cfg.log_bodies_max,
                 "request bodies longer than this many bytes are logged as null (default 65536)");
  app.add_flag("--no-store-written", f.no_store_written,
               "event-bulk-create-jobs validates and answers 202 but keeps no event (benchmarks)");
  app.add_flag("--self-bench", f.bench, "serve and page through --bench-url (all pages), print figures, exit");
  app.add_option("--bench-url", f.bench_url,
                 "path+query paged by --self-bench (default /api/events?page%5Bsize%5D=1000)");
}

// --key KEY:SCOPES values (scopes may carry a ":read" suffix) into cfg.keys; false after an error.
bool parse_keys(std::vector<std::string> keys, Config& cfg) {
  if (keys.empty()) keys.push_back("pk_sim_full_access_key_0001:all");
  for (auto& k : keys) {
    auto colon = k.find(':');
    if (colon == std::string::npos) {
      std::cerr << "--key must be KEY:SCOPES\n";
      return false;
    }
    std::set<std::string> scopes;
    std::stringstream ss(k.substr(colon + 1));
    std::string s;
    while (std::getline(ss, s, ',')) {
      if (s.size() > 5 && s.substr(s.size() - 5) == ":read") s = s.substr(0, s.size() - 5);
      scopes.insert(s);
    }
    cfg.keys[k.substr(0, colon)] = scopes;
  }
  return true;
}

// Checks the flags CLI11 cannot, loads the zone and the fault plan, and builds the dataset and the
// rate limiter; false after printing the error.
bool set_up(State& st, const Flags& f) {
  Config& cfg = st.cfg;
  cfg.rt.rate_limits = !f.no_rate_limits && !f.bench;
  if (!parse_keys(f.keys, cfg)) return false;
  int64_t anchor;
  if (cfg.anchor.empty()) {
    int64_t now = now_us();
    anchor = now - now % kDayUs;
  } else {
    auto a = parse_date(cfg.anchor);
    if (!a) {
      std::cerr << "--anchor must be YYYY-MM-DD\n";
      return false;
    }
    anchor = *a;
  }
  if (!st.zone.load(cfg.timezone)) {
    std::cerr << "--timezone: unknown time zone '" << cfg.timezone << "' (an IANA name such as America/New_York)\n";
    return false;
  }
  if (cfg.rt.report_daily_quota < 0) {
    std::cerr << "--report-daily-quota must be >= 0\n";
    return false;
  }
  st.plan = parse_faults(cfg.rt.faults);
  if (!st.plan.error.empty()) {
    std::cerr << "--faults: " << st.plan.error << "\n";
    return false;
  }
  if (cfg.time_scale <= 0) cfg.time_scale = 1.0;
  cfg.store_written = !f.no_store_written;
  st.ds = std::make_unique<Dataset>(cfg.seed, f.sizes, anchor);
  st.written = std::make_unique<WrittenStore>(cfg.seed);
  st.rl = std::make_unique<RateLimiter>(cfg.time_scale);
  return true;
}

// Written to a temporary name, then renamed: a reader never sees a partial port.
void write_port_file(const std::string& path, int port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    f << port << "\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

// Binds, then serves until killed (or, with --self-bench, runs the benchmark and stops).
int serve(State& st, const Flags& f) {
  Config& cfg = st.cfg;
  httplib::Server svr;
  int threads = std::max(1, cfg.threads);
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
  svr.set_keep_alive_max_count(100000);
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_timeout(30);
  install_admin(svr, st);
  install_api(svr, st);
  int port = cfg.port == 0 ? svr.bind_to_any_port(cfg.host) : (svr.bind_to_port(cfg.host, cfg.port) ? cfg.port : -1);
  if (port <= 0) {
    std::cerr << "klaviyo-sim: cannot bind " << cfg.host << ":" << cfg.port << "\n";
    return 1;
  }
  cfg.port = port;
  if (f.bench) {
    std::thread th([&] { svr.listen_after_bind(); });
    while (!svr.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    int rc = self_bench(st, port, f.bench_url);
    st.stopping = true;
    svr.stop();
    th.join();
    return rc;
  }
  if (!cfg.port_file.empty()) write_port_file(cfg.port_file, port);
  std::printf("klaviyo-sim listening on http://%s:%d\n", cfg.host.c_str(), port);
  std::fflush(stdout);
  svr.listen_after_bind();
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"klaviyo-sim: a deterministic Klaviyo REST API simulator (revision 2026-07-15)"};
  auto st = std::make_unique<State>();
  Flags flags;
  add_flags(app, st->cfg, flags);
  CLI11_PARSE(app, argc, argv);
  if (!set_up(*st, flags)) return 2;
  return serve(*st, flags);
}
