// server.cpp — the /api request pipeline: auth (401), revision (400), routing (404), scopes (403),
// rate limits (429 + RateLimit-* headers), handler under a shared dataset lock, fault injection,
// latency, and the request log used by /__sim/requests.
#include "server.h"

#include <httplib.h>

#include <regex>
#include <thread>

#include "util.h"

namespace sim {

bool valid_revision(const std::string& r) {
  static const char* kRevs[] = {"2024-10-15", "2025-01-15", "2025-04-15", "2025-07-15",
                                "2025-10-15", "2026-01-15", "2026-04-15", "2026-07-15"};
  for (auto* v : kRevs)
    if (r == v || r == std::string(v) + ".pre") return true;
  return false;
}

namespace {

const char* kJsonApi = "application/vnd.api+json";

std::vector<Route>& routes() {
  static std::vector<Route> r = [] {
    std::vector<Route> v;
    add_catalog_routes(v);
    add_profile_routes(v);
    add_event_routes(v);
    add_campaign_routes(v);
    add_flow_routes(v);
    add_report_routes(v);
    return v;
  }();
  return r;
}

std::vector<std::string> split_path(const std::string& p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    if (j > i) out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Returns the route and fills path params; `method_mismatch` set when only the method differs.
const Route* match(const std::string& method, const std::string& path, std::vector<std::string>& pp, bool& method_mismatch) {
  auto segs = split_path(path);
  for (auto& r : routes()) {
    auto ps = split_path(r.pattern);
    if (ps.size() != segs.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (size_t i = 0; i < ps.size() && ok; ++i) {
      if (ps[i] == "{id}") params.push_back(segs[i]);
      else ok = ps[i] == segs[i];
    }
    if (!ok) continue;
    if (r.method != method) {
      method_mismatch = true;
      continue;
    }
    pp = params;
    return &r;
  }
  return nullptr;
}

void sleep_ms_interruptible(State& st, int64_t ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!st.stopping && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(20, ms)));
}

void dispatch(State& st, const httplib::Request& req, httplib::Response& res) {
  uint64_t seq = ++st.seq;
  st.requests++;
  Runtime rt;
  FaultPlan plan;
  {
    std::lock_guard<std::mutex> g(st.cfg_mu);
    rt = st.cfg.rt;
    plan = st.plan;
  }
  // Decode the query ourselves: like Klaviyo (Django), '+' means space.
  std::map<std::string, std::string> q;
  std::vector<std::pair<std::string, std::string>> qlist;
  {
    auto qp = req.target.find('?');
    std::string raw = qp == std::string::npos ? "" : req.target.substr(qp + 1);
    size_t i = 0;
    while (i <= raw.size() && !raw.empty()) {
      size_t j = raw.find('&', i);
      if (j == std::string::npos) j = raw.size();
      std::string part = raw.substr(i, j - i);
      if (!part.empty()) {
        auto eq = part.find('=');
        std::string k = url_decode(part.substr(0, eq), true);
        std::string v = eq == std::string::npos ? "" : url_decode(part.substr(eq + 1), true);
        q[k] = v;
        qlist.emplace_back(k, v);
      }
      i = j + 1;
    }
  }
  std::string path = req.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::string host = req.get_header_value("Host");
  if (host.empty()) host = st.cfg.host + ":" + std::to_string(st.cfg.port);

  int status = 200;
  std::string body;
  bool auth_ok = false, is_page = false;
  std::vector<std::pair<std::string, std::string>> extra_headers;

  // 1. auth
  std::string auth = req.get_header_value("Authorization");
  std::string key;
  const std::string prefix = "Klaviyo-API-Key ";
  if (auth.rfind(prefix, 0) == 0) key = auth.substr(prefix.size());
  auto kit = st.cfg.keys.find(key);
  if (key.empty() || kit == st.cfg.keys.end()) {
    status = 401;
    body = error_body(401, "not_authenticated", "Authentication credentials were not provided.",
                      "Missing or invalid private key.", "pointer", "/data/");
  } else {
    auth_ok = true;
  }
  // 2. revision
  if (status == 200) {
    std::string rev = req.get_header_value("revision");
    if (rev.empty()) {
      status = 400;
      body = error_body(400, "invalid", "Invalid input.", "The 'revision' header is required.", "header", "revision");
    } else if (!valid_revision(rev)) {
      status = 400;
      body = error_body(400, "invalid", "Invalid input.", "Invalid revision: '" + rev + "'. Use a supported revision such as 2026-07-15.",
                        "header", "revision");
    }
  }
  // 3. route
  std::vector<std::string> pp;
  bool mm = false;
  const Route* route = status == 200 ? match(req.method, path, pp, mm) : nullptr;
  if (status == 200 && !route) {
    status = mm ? 405 : 404;
    body = mm ? error_body(405, "method_not_allowed", "Method not allowed.", "Method \"" + req.method + "\" not allowed.")
              : error_body(404, "not_found", "Not found.", "The requested resource was not found.");
  }
  {
    std::shared_lock<std::shared_mutex> lk(st.ds->mu);
    Ctx c{req, st, *st.ds, q, pp, "http://" + host, path, 200, {}, false};
    // 4. scopes
    if (status == 200) {
      const auto& scopes = kit->second;
      if (!scopes.count("all"))
        for (auto& s : route->scopes)
          if (!scopes.count(s)) {
            status = 403;
            body = error_body(403, "permission_denied", "You do not have permission to perform this action.",
                              "You do not have permission to perform this action.");
            break;
          }
    }
    // 5. rate limits
    if (status == 200 && rt.rate_limits) {
      Tier t = route->tier(c);
      if (t.daily > 0) t.daily = rt.report_daily_quota;  // only the reporting tier has a daily quota
      Decision d = st.rl->check(key + "|" + route->method + " " + route->pattern + "|" + t.name, t);
      if (!d.allowed) {
        status = 429;
        st.throttled++;
        std::string ra = fmt_seconds(d.retry_after, st.cfg.time_scale);
        body = error_body(429, "throttled", "Request was throttled.", "Request was throttled. Expected available in " + ra + " seconds.");
        extra_headers.push_back({"Retry-After", ra});
      } else {
        extra_headers.push_back({"RateLimit-Limit", std::to_string(d.limit)});
        extra_headers.push_back({"RateLimit-Remaining", std::to_string(d.remaining)});
        extra_headers.push_back({"RateLimit-Reset", fmt_seconds(d.reset, st.cfg.time_scale)});
      }
    }
    // 6. handler
    if (status == 200) {
      try {
        route->fn(c);
        status = c.status;
        body = std::move(c.body);
        is_page = c.is_page && status == 200;
      } catch (const std::exception& e) {
        status = 500;
        body = error_body(500, "error", "A server error occurred.", e.what());
      }
    }
  }
  // 7. faults
  Fault fault = Fault::None;
  bool fault_path_ok = true;
  if (!rt.fault_paths.empty()) {
    try {
      fault_path_ok = std::regex_search(path, std::regex(rt.fault_paths));
    } catch (...) {
      fault_path_ok = false;
    }
  }
  if (fault_path_ok) fault = pick_fault(plan, st.cfg.seed, seq);
  if (fault == Fault::Stall) sleep_ms_interruptible(st, rt.stall_ms);
  if (rt.latency_ms > 0 || rt.latency_jitter_ms > 0) {
    int64_t ms = rt.latency_ms + (rt.latency_jitter_ms > 0 ? int64_t(hash(st.cfg.seed, 0x1a7, seq) % uint64_t(rt.latency_jitter_ms + 1)) : 0);
    sleep_ms_interruptible(st, ms);
  }
  for (auto& [k, v] : extra_headers) res.set_header(k.c_str(), v);
  switch (fault) {
    case Fault::E500:
    case Fault::E502:
    case Fault::E503: {
      status = fault == Fault::E500 ? 500 : fault == Fault::E502 ? 502 : 503;
      res.status = status;
      res.set_content(error_body(status, "error", "A server error occurred.", "Simulated server error."), kJsonApi);
      break;
    }
    case Fault::Malformed:
      res.status = status = 200;
      res.set_content(body.substr(0, body.size() / 2) + "<!-- upstream error -->", kJsonApi);
      break;
    case Fault::Truncate:
    case Fault::Reset: {
      auto shared = std::make_shared<std::string>(std::move(body));
      size_t send = fault == Fault::Truncate ? shared->size() * 6 / 10 : 0;
      res.status = status;
      res.set_content_provider(shared->size() + (fault == Fault::Truncate ? 64 : 0), kJsonApi,
                               [shared, send](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (offset < send) sink.write(shared->data() + offset, send - offset);
                                 return false;  // abort: the connection closes short of Content-Length
                               });
      break;
    }
    default:
      res.status = status;
      res.body = std::move(body);  // = set_content(body, kJsonApi) without copying the page
      res.set_header("Content-Type", kJsonApi);
  }
  if (is_page && fault == Fault::None) st.pages++;
  LogEntry e{seq, req.method, req.path, "", {}, status, auth_ok, req.body};
  auto qpos = req.target.find('?');
  if (qpos != std::string::npos) e.query = req.target.substr(qpos + 1);
  e.params = std::move(qlist);
  std::lock_guard<std::mutex> g(st.log_mu);
  st.by_path[path]++;
  st.log.push_back(std::move(e));
}

}  // namespace

void install_api(httplib::Server& svr, State& st) {
  svr.Get(R"(/api(/.*)?)", [&st](const httplib::Request& req, httplib::Response& res) { dispatch(st, req, res); });
  svr.Post(R"(/api(/.*)?)", [&st](const httplib::Request& req, httplib::Response& res) { dispatch(st, req, res); });
  svr.Put(R"(/api(/.*)?)", [&st](const httplib::Request& req, httplib::Response& res) { dispatch(st, req, res); });
  svr.Patch(R"(/api(/.*)?)", [&st](const httplib::Request& req, httplib::Response& res) { dispatch(st, req, res); });
  svr.Delete(R"(/api(/.*)?)", [&st](const httplib::Request& req, httplib::Response& res) { dispatch(st, req, res); });
}

}  // namespace sim
