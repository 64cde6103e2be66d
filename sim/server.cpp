// server.cpp — the /api request pipeline: auth (401), revision (400), routing (404/405) through the
// route table the resources register, scopes (403), rate limits (429 + RateLimit-* headers), handler
// under a shared dataset lock, fault injection, latency, and the request log used by /__sim/requests.
// dispatch() reads as that list of steps; each step is a function below.
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

// The route table: every resource's rows, in registration order (the first match wins), with the
// pattern split into segments once.
struct TableRow {
  Route route;
  std::vector<std::string> segs;
};
const std::vector<TableRow>& route_table() {
  static const std::vector<TableRow> table = [] {
    std::vector<Route> v;
    add_catalog_routes(v);
    add_profile_routes(v);
    add_event_routes(v);
    add_campaign_routes(v);
    add_flow_routes(v);
    add_report_routes(v);
    add_write_routes(v);
    std::vector<TableRow> t;
    for (auto& r : v) t.push_back({r, split_path(r.pattern)});
    return t;
  }();
  return table;
}

// What a request has produced so far; a failing step sets the error and stops the pipeline.
struct Outcome {
  int status = 200;
  std::string body;
  bool auth_ok = false, is_page = false;
  std::vector<std::pair<std::string, std::string>> headers;

  bool fail(int s, std::string b) {
    status = s;
    body = std::move(b);
    return false;
  }
};

// The query string decoded ourselves: like Klaviyo (Django), '+' means space. `list` keeps every
// pair in order for the request log; `map` keeps the last value of each name.
struct Query {
  std::map<std::string, std::string> map;
  std::vector<std::pair<std::string, std::string>> list;
};
Query parse_query(const std::string& target) {
  Query q;
  auto qp = target.find('?');
  std::string raw = qp == std::string::npos ? "" : target.substr(qp + 1);
  size_t i = 0;
  while (i <= raw.size() && !raw.empty()) {
    size_t j = raw.find('&', i);
    if (j == std::string::npos) j = raw.size();
    std::string part = raw.substr(i, j - i);
    if (!part.empty()) {
      auto eq = part.find('=');
      std::string k = url_decode(part.substr(0, eq), true);
      std::string v = eq == std::string::npos ? "" : url_decode(part.substr(eq + 1), true);
      q.map[k] = v;
      q.list.emplace_back(k, v);
    }
    i = j + 1;
  }
  return q;
}

// 1. The key's scopes, or nullptr after a 401.
const std::set<std::string>* authenticate(const State& st, const httplib::Request& req, std::string& key,
                                          Outcome& out) {
  std::string auth = req.get_header_value("Authorization");
  const std::string prefix = "Klaviyo-API-Key ";
  if (auth.rfind(prefix, 0) == 0) key = auth.substr(prefix.size());
  auto kit = st.cfg.keys.find(key);
  if (key.empty() || kit == st.cfg.keys.end()) {
    out.fail(401, error_body(401, "not_authenticated", "Authentication credentials were not provided.",
                             "Missing or invalid private key.", "pointer", "/data/"));
    return nullptr;
  }
  out.auth_ok = true;
  return &kit->second;
}

// 2. The revision header.
bool check_revision(const httplib::Request& req, Outcome& out) {
  std::string rev = req.get_header_value("revision");
  if (rev.empty())
    return out.fail(400, error_body(400, "invalid", "Invalid input.", "The 'revision' header is required.", "header",
                                    "revision"));
  if (!valid_revision(rev))
    return out.fail(400, error_body(400, "invalid", "Invalid input.",
                                    "Invalid revision: '" + rev + "'. Use a supported revision such as 2026-07-15.",
                                    "header", "revision"));
  return true;
}

// 3. The route for method + path, its path parameters in pp; else 405 when only the method differs,
// else 404.
const Route* find_route(const std::string& method, const std::string& path, std::vector<std::string>& pp,
                        Outcome& out) {
  auto segs = split_path(path);
  bool method_mismatch = false;
  for (auto& row : route_table()) {
    if (row.segs.size() != segs.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      if (row.segs[i] == "{id}") params.push_back(segs[i]);
      else ok = row.segs[i] == segs[i];
    }
    if (!ok) continue;
    if (row.route.method != method) {
      method_mismatch = true;
      continue;
    }
    pp = std::move(params);
    return &row.route;
  }
  if (method_mismatch)
    out.fail(405,
             error_body(405, "method_not_allowed", "Method not allowed.", "Method \"" + method + "\" not allowed."));
  else
    out.fail(404, error_body(404, "not_found", "Not found.", "The requested resource was not found."));
  return nullptr;
}

// 4. Every scope the route needs, unless the key has "all".
bool check_scopes(const std::set<std::string>& scopes, const Route& route, Outcome& out) {
  if (scopes.count("all")) return true;
  for (auto& s : route.scopes)
    if (!scopes.count(s))
      return out.fail(403, error_body(403, "permission_denied", "You do not have permission to perform this action.",
                                      "You do not have permission to perform this action."));
  return true;
}

// 5. The windows of (key, route, tier); RateLimit-* headers when allowed, 429 + Retry-After when not.
bool check_rate(State& st, const Runtime& rt, const std::string& key, const Route& route, const Ctx& c, Outcome& out) {
  Tier t = route.tier_rule ? route.tier_rule(c) : route.tier;
  if (t.daily > 0) t.daily = rt.report_daily_quota;  // only the reporting tier has a daily quota
  Decision d = st.rl->check(key + "|" + route.method + " " + route.pattern + "|" + t.name, t);
  if (!d.allowed) {
    st.throttled++;
    std::string ra = fmt_seconds(d.retry_after, st.cfg.time_scale);
    out.headers.push_back({"Retry-After", ra});
    return out.fail(429, error_body(429, "throttled", "Request was throttled.",
                                    "Request was throttled. Expected available in " + ra + " seconds."));
  }
  out.headers.push_back({"RateLimit-Limit", std::to_string(d.limit)});
  out.headers.push_back({"RateLimit-Remaining", std::to_string(d.remaining)});
  out.headers.push_back({"RateLimit-Reset", fmt_seconds(d.reset, st.cfg.time_scale)});
  return true;
}

// 6. The handler; an exception is a 500.
void run_handler(const Route& route, Ctx& c, Outcome& out) {
  try {
    route.fn(c);
    out.status = c.status;
    out.body = std::move(c.body);
    out.is_page = c.is_page && out.status == 200;
  } catch (const std::exception& e) {
    out.fail(500, error_body(500, "error", "A server error occurred.", e.what()));
  }
}

void sleep_ms_interruptible(State& st, int64_t ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!st.stopping && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(20, ms)));
}

// 7. The fault drawn for this request (None when --fault-paths does not match the path); a stall
// and the configured latency are slept here.
Fault pick_and_delay(State& st, const Runtime& rt, const FaultPlan& plan, uint64_t seq, const std::string& path) {
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
    uint64_t jitter = rt.latency_jitter_ms > 0 ? hash(st.cfg.seed, 0x1a7, seq) % uint64_t(rt.latency_jitter_ms + 1) : 0;
    sleep_ms_interruptible(st, rt.latency_ms + int64_t(jitter));
  }
  return fault;
}

// 8. Writes the response, altered by the fault; returns the status sent.
int respond(httplib::Response& res, Fault fault, Outcome& out) {
  for (auto& [k, v] : out.headers) res.set_header(k.c_str(), v);
  int status = out.status;
  switch (fault) {
    case Fault::E500:
    case Fault::E502:
    case Fault::E503:
      status = fault == Fault::E500 ? 500 : fault == Fault::E502 ? 502 : 503;
      res.status = status;
      res.set_content(error_body(status, "error", "A server error occurred.", "Simulated server error."), kJsonApi);
      break;
    case Fault::Malformed:
      res.status = status = 200;
      res.set_content(out.body.substr(0, out.body.size() / 2) + "<!-- upstream error -->", kJsonApi);
      break;
    case Fault::Truncate:
    case Fault::Reset: {
      auto shared = std::make_shared<std::string>(std::move(out.body));
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
      res.body = std::move(out.body);  // = set_content(body, kJsonApi) without copying the page
      res.set_header("Content-Type", kJsonApi);
  }
  return status;
}

// 9. The request log (/__sim/requests) and per-path counts (/__sim/stats).
void log_request(State& st, uint64_t seq, const httplib::Request& req, const std::string& path, int status,
                 bool auth_ok, Query&& q) {
  const bool keep = req.body.size() <= st.cfg.log_bodies_max;  // 5 MB bulk bodies are not kept
  LogEntry e{seq, req.method, req.path, "", std::move(q.list), status, auth_ok, keep ? req.body : std::string(),
             req.body.size()};
  auto qpos = req.target.find('?');
  if (qpos != std::string::npos) e.query = req.target.substr(qpos + 1);
  std::lock_guard<std::mutex> g(st.log_mu);
  st.by_path[path]++;
  st.log.push_back(std::move(e));
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
  Query q = parse_query(req.target);
  std::string path = req.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  Outcome out;
  std::string key;
  std::vector<std::string> pp;
  const std::set<std::string>* scopes = authenticate(st, req, key, out);
  const Route* route = scopes && check_revision(req, out) ? find_route(req.method, path, pp, out) : nullptr;
  if (route && check_scopes(*scopes, *route, out)) {
    std::string host = req.get_header_value("Host");
    if (host.empty()) host = st.cfg.host + ":" + std::to_string(st.cfg.port);
    std::shared_lock<std::shared_mutex> lk(st.ds->mu);
    Ctx c{req, st, *st.ds, q.map, pp, "http://" + host, path, 200, {}, false};
    if (!rt.rate_limits || check_rate(st, rt, key, *route, c, out)) run_handler(*route, c, out);
  }
  Fault fault = pick_and_delay(st, rt, plan, seq, path);
  int status = respond(res, fault, out);
  if (out.is_page && fault == Fault::None) st.pages++;
  log_request(st, seq, req, path, status, out.auth_ok, std::move(q));
}

}  // namespace

void install_api(httplib::Server& svr, State& st) {
  auto handler = [&st](const httplib::Request& req, httplib::Response& res) { dispatch(st, req, res); };
  svr.Get(R"(/api(/.*)?)", handler);
  svr.Post(R"(/api(/.*)?)", handler);
  svr.Put(R"(/api(/.*)?)", handler);
  svr.Patch(R"(/api(/.*)?)", handler);
  svr.Delete(R"(/api(/.*)?)", handler);
}

}  // namespace sim
