// admin.cpp — /__sim/* endpoints (no auth, never rate-limited or faulted): health, request log,
// ground truth ids, what the write endpoints stored, deterministic mutations, runtime config, stats.
#include <httplib.h>

#include "render.h"
#include "server.h"
#include "util.h"

namespace sim {

namespace {
const char* kJson = "application/json";

void reply(httplib::Response& res, int status, const json& j) {
  res.status = status;
  res.set_content(j.dump(), kJson);
}

// Truth: every id the API would serve for a resource, with its cursor time (0 = none).
json truth(const Dataset& d, const std::string& r, const httplib::Request& req, std::string& err) {
  std::optional<int64_t> since;
  if (req.has_param("since")) {
    since = parse_time(req.get_param_value("since"));
    if (!since) {
      err = "bad since";
      return nullptr;
    }
  }
  json ids = json::array();
  auto add = [&](const std::string& id, int64_t t) {
    if (!since || t >= *since) ids.push_back(id);
  };
  if (r == "profiles") {
    for (uint32_t i = 0; i < d.profiles.size(); ++i) add(d.profile_id(i), d.profiles[i].updated);
  } else if (r == "events") {
    for (auto i : d.event_order) add(d.event_id(i), d.events[i].t);
  } else if (r == "metrics") {
    for (auto& m : d.metrics) add(m.id, m.updated);
  } else if (r == "report_metrics" || r == "unsupported_report_metrics") {
    for (auto& m : d.metrics)
      if (supports_reporting(m) == (r == "report_metrics")) add(m.id, m.updated);
  } else if (r == "report_campaigns") {
    int64_t now = now_us();
    for (uint32_t i = 0; i < d.campaigns.size(); ++i)
      if (campaign_reported(d.campaigns[i], now)) add(d.campaign_id(i), d.campaigns[i].send_time);
  } else if (r == "lists" || r == "segments") {
    for (auto& g : r == "lists" ? d.lists : d.segments) add(g.id, g.updated);
  } else if (r == "list_memberships" || r == "segment_memberships") {
    for (auto& g : r == "list_memberships" ? d.lists : d.segments)
      for (auto m : g.members) add(g.id + ":" + d.profile_id(d.members[m].profile), d.members[m].joined);
  } else if (r == "campaigns" || r == "campaign_messages") {
    std::string ch = req.has_param("channel") ? req.get_param_value("channel") : "";
    std::string ar = req.has_param("archived") ? req.get_param_value("archived") : "";
    for (uint32_t i = 0; i < d.campaigns.size(); ++i) {
      const Campaign& k = d.campaigns[i];
      if (!ch.empty() && ch != channel_name(k.channel)) continue;
      if (!ar.empty() && (ar == "true") != k.archived) continue;
      add(r == "campaigns" ? d.campaign_id(i) : d.cmessage_id(i), k.updated);
    }
  } else if (r == "flows") {
    std::string ar = req.has_param("archived") ? req.get_param_value("archived") : "";
    for (auto& f : d.flows)
      if (ar.empty() || (ar == "true") == f.archived) add(f.id, f.updated);
  } else if (r == "flow_actions") {
    for (uint32_t i = 0; i < d.actions.size(); ++i) add(d.action_id(i), d.actions[i].updated);
  } else if (r == "flow_messages") {
    for (uint32_t i = 0; i < d.messages.size(); ++i) add(d.fmessage_id(i), d.messages[i].updated);
  } else if (r == "templates") {
    for (uint32_t i = 0; i < d.templates.size(); ++i) add(d.template_id(i), d.templates[i].updated);
  } else if (r == "tags") {
    for (auto& t : d.tags) add(t.id, 0);
  } else {
    err = "unknown resource: " + r;
    return nullptr;
  }
  return ids;
}

// GET /__sim/requests: the log in arrival order.
void get_requests(State& st, httplib::Response& res) {
  std::vector<LogEntry> log;
  {
    std::lock_guard<std::mutex> g(st.log_mu);
    log = st.log;
  }
  std::sort(log.begin(), log.end(), [](auto& a, auto& b) { return a.seq < b.seq; });
  json arr = json::array();
  for (auto& e : log) {
    json params = json::object();
    for (auto& [k, v] : e.params) params[k] = v;
    json body = nullptr;  // no body: null; JSON: the parsed value; anything else: the raw text
    if (!e.body.empty()) {
      body = json::parse(e.body, nullptr, false);
      if (body.is_discarded()) body = e.body;
    }
    arr.push_back({{"seq", e.seq}, {"method", e.method}, {"path", e.path}, {"query", e.query}, {"params", params},
                   {"status", e.status}, {"auth_key_ok", e.auth_ok}, {"body", body}});
    if (e.body.empty() && e.body_bytes > 0) {  // longer than --log-bodies-max: logged as null
      arr.back()["body_truncated"] = true;
      arr.back()["body_bytes"] = e.body_bytes;
    }
  }
  reply(res, 200, {{"requests", arr}});
}

// GET /__sim/written?resource=events|profiles|metrics|import_jobs[&offset=N][&limit=N]: what the
// write endpoints stored, in stored order.
void get_written(State& st, const httplib::Request& req, httplib::Response& res) {
  auto num = [&](const char* k, size_t dflt) -> std::optional<size_t> {
    if (!req.has_param(k)) return dflt;
    std::string v = req.get_param_value(k);
    char* end = nullptr;
    unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end) return std::nullopt;
    return size_t(n);
  };
  auto offset = num("offset", 0), limit = num("limit", SIZE_MAX);
  if (!offset || !limit) return reply(res, 400, {{"error", "offset and limit must be integers >= 0"}});
  std::shared_lock<std::shared_mutex> dl(st.ds->mu);
  std::shared_lock<std::shared_mutex> wl(st.written->mu);
  std::string err;
  json doc = st.written->written_doc(*st.ds, req.get_param_value("resource"), *offset, *limit, err);
  if (!err.empty()) return reply(res, 400, {{"error", err}});
  reply(res, 200, doc);
}

// POST /__sim/mutate: new/late events, updated/new profiles, updated campaigns/flows.
void post_mutate(State& st, const httplib::Request& req, httplib::Response& res) {
  Dataset::MutateSpec m;
  try {
    json b = req.body.empty() ? json::object() : json::parse(req.body);
    m.new_events = b.value("new_events", 0u);
    m.late_events = b.value("late_events", 0u);
    m.update_profiles = b.value("update_profiles", 0u);
    m.new_profiles = b.value("new_profiles", 0u);
    m.update_campaigns = b.value("update_campaigns", 0u);
    m.update_flows = b.value("update_flows", 0u);
  } catch (const std::exception& e) {
    return reply(res, 400, {{"ok", false}, {"error", e.what()}});
  }
  std::unique_lock<std::shared_mutex> lk(st.ds->mu);
  auto ids = st.ds->mutate(m, now_us());
  json j = json::object();
  for (auto& [k, v] : ids) j[k] = v;
  reply(res, 200, {{"ok", true}, {"ids", j}});
}

// POST /__sim/config: changes the runtime-tunable settings named in the body.
void post_config(State& st, const httplib::Request& req, httplib::Response& res) {
  json b;
  try {
    b = json::parse(req.body);
  } catch (const std::exception& e) {
    return reply(res, 400, {{"ok", false}, {"error", e.what()}});
  }
  std::lock_guard<std::mutex> g(st.cfg_mu);
  Runtime& rt = st.cfg.rt;
  if (b.contains("faults")) {
    auto plan = parse_faults(b["faults"].get<std::string>());
    if (!plan.error.empty()) return reply(res, 400, {{"ok", false}, {"error", plan.error}});
    rt.faults = b["faults"];
    st.plan = plan;
  }
  if (b.contains("fault_paths")) rt.fault_paths = b["fault_paths"];
  if (b.contains("rate_limits")) {
    rt.rate_limits = b["rate_limits"];
    st.rl->reset();
  }
  if (b.contains("latency_ms")) rt.latency_ms = b["latency_ms"];
  if (b.contains("latency_jitter_ms")) rt.latency_jitter_ms = b["latency_jitter_ms"];
  if (b.contains("stall_ms")) rt.stall_ms = b["stall_ms"];
  if (b.contains("report_daily_quota")) {
    if (!b["report_daily_quota"].is_number_integer() || b["report_daily_quota"].get<int64_t>() < 0)
      return reply(res, 400, {{"ok", false}, {"error", "report_daily_quota must be an integer >= 0"}});
    rt.report_daily_quota = b["report_daily_quota"];  // applies to the current windows' counts
  }
  reply(res, 200, {{"ok", true},
                   {"config", {{"faults", rt.faults}, {"fault_paths", rt.fault_paths}, {"rate_limits", rt.rate_limits},
                               {"latency_ms", rt.latency_ms}, {"latency_jitter_ms", rt.latency_jitter_ms},
                               {"stall_ms", rt.stall_ms}, {"report_daily_quota", rt.report_daily_quota}}}});
}
}  // namespace

void install_admin(httplib::Server& svr, State& st) {
  using Req = httplib::Request;
  using Res = httplib::Response;
  svr.Get("/__sim/health", [](const Req&, Res& res) { reply(res, 200, {{"ok", true}}); });
  svr.Get("/__sim/requests", [&st](const Req&, Res& res) { get_requests(st, res); });
  svr.Delete("/__sim/requests", [&st](const Req&, Res& res) {
    std::lock_guard<std::mutex> g(st.log_mu);
    st.log.clear();
    reply(res, 200, {{"ok", true}});
  });
  svr.Get("/__sim/truth", [&st](const Req& req, Res& res) {
    std::string r = req.get_param_value("resource");
    std::string err;
    std::shared_lock<std::shared_mutex> lk(st.ds->mu);
    json ids = truth(*st.ds, r, req, err);
    if (!err.empty()) return reply(res, 400, {{"error", err}});
    reply(res, 200, {{"resource", r}, {"count", ids.size()}, {"ids", ids}});
  });
  svr.Get("/__sim/written", [&st](const Req& req, Res& res) { get_written(st, req, res); });
  svr.Post("/__sim/mutate", [&st](const Req& req, Res& res) { post_mutate(st, req, res); });
  svr.Post("/__sim/config", [&st](const Req& req, Res& res) { post_config(st, req, res); });
  svr.Get("/__sim/stats", [&st](const Req&, Res& res) {
    json by = json::object();
    {
      std::lock_guard<std::mutex> g(st.log_mu);
      for (auto& [k, v] : st.by_path) by[k] = v;
    }
    reply(res, 200, {{"requests", st.requests.load()}, {"pages", st.pages.load()}, {"by_path", by},
                     {"throttled", st.throttled.load()}});
  });
}

}  // namespace sim
