// resources/events.cpp — GET /api/events (presorted keyset paging over the compact event array,
// filters compiled per request) and GET /api/events/{id}. Events render in events_render.cpp.
#include <cmath>
#include <functional>

#include "../render.h"
#include "../util.h"

namespace sim {

namespace {
const std::vector<std::string> kCmp{"greater-than", "greater-or-equal", "less-than", "less-or-equal"};

void add_event_includes(const Ctx& c, uint32_t e, const std::set<std::string>& incs, json& inc, std::set<std::string>& seen) {
  if (incs.count("metric")) include_once(inc, seen, render_metric(c, c.ds.events[e].metric));
  if (incs.count("profile")) include_once(inc, seen, render_profile(c, c.ds.events[e].profile, false, false));
}

// matches() for the event filter fields, compiled once per request (no per-row string work).
// Returns an empty function (generic matches()) for anything unexpected.
std::function<bool(uint32_t)> compile_pred(const Dataset& ds, const std::vector<Cond>& conds) {
  struct T {
    int op;  // 0 gt, 1 ge, 2 lt, 3 le
    int64_t t;
  };
  std::vector<T> times;
  std::vector<std::vector<char>> metric_ok;  // per equals(metric_id): metric index -> matches
  std::vector<int64_t> profile_eq;           // per equals(profile_id): profile index, -1 = none
  for (auto& cd : conds) {
    if (cd.field == "datetime" && cd.v.kind == Literal::Time) {
      int op = cd.op == "greater-than" ? 0 : cd.op == "greater-or-equal" ? 1 : cd.op == "less-than" ? 2
             : cd.op == "less-or-equal" ? 3 : -1;
      if (op < 0) return {};
      times.push_back({op, cd.v.t});
    } else if (cd.field == "metric_id" && cd.op == "equals" && cd.v.kind == Literal::Str) {
      std::vector<char> ok(ds.metrics.size());
      for (size_t m = 0; m < ds.metrics.size(); ++m) ok[m] = ds.metrics[m].id == cd.v.s;
      metric_ok.push_back(std::move(ok));
    } else if (cd.field == "profile_id" && cd.op == "equals" && cd.v.kind == Literal::Str) {
      auto p = ds.find_profile(cd.v.s);  // ids are unique: equality <=> this index
      profile_eq.push_back(p ? int64_t(*p) : -1);
    } else if ((cd.field == "profile" || cd.field == "metric") && cd.op == "has") {
      // always present
    } else {
      return {};
    }
  }
  return [&ds, times, metric_ok, profile_eq](uint32_t row) {
    const Event& e = ds.events[row];
    for (auto& t : times) {
      bool ok = t.op == 0 ? e.t > t.t : t.op == 1 ? e.t >= t.t : t.op == 2 ? e.t < t.t : e.t <= t.t;
      if (!ok) return false;
    }
    for (auto& m : metric_ok)
      if (!m[e.metric]) return false;
    for (auto p : profile_eq)
      if (int64_t(e.profile) != p) return false;
    return true;
  };
}

// timestamp = floor(datetime): rewrites epoch-second bounds as datetime bounds (which use the index).
void timestamp_to_datetime(PageRequest& rq) {
  if (rq.sort == "timestamp") rq.sort = "datetime";
  for (auto& cd : rq.conds) {
    if (cd.field != "timestamp") continue;
    double x = cd.v.n;
    int64_t t;
    std::string op;
    if (cd.op == "greater-than") t = (int64_t(std::floor(x)) + 1) * kUs, op = "greater-or-equal";
    else if (cd.op == "greater-or-equal") t = int64_t(std::ceil(x)) * kUs, op = "greater-or-equal";
    else if (cd.op == "less-than") t = int64_t(std::ceil(x)) * kUs, op = "less-than";
    else t = (int64_t(std::floor(x)) + 1) * kUs, op = "less-than";
    cd.field = "datetime";
    cd.op = op;
    cd.v = Literal{};
    cd.v.kind = Literal::Time;
    cd.v.t = t;
  }
}

// The events in (datetime, id) order: the dataset's presorted index, with a compiled filter.
Collection event_collection(const Ctx& c, const FieldTable& f, const PageRequest& rq) {
  Collection col;
  col.filters = &f;
  col.presorted = &c.ds.event_order;
  col.presorted_field = "datetime";
  col.keyfn = [&](uint32_t i) { return c.ds.events[i].t; };
  col.tiefn = [&](uint32_t i) { return c.ds.event_tie(i); };
  col.tie_of_id = [&](const std::string& id) -> std::optional<uint64_t> {
    auto i = c.ds.find_event(id);
    if (!i) return std::nullopt;
    return c.ds.event_tie(*i);
  };
  col.id = [&](uint32_t i) { return c.ds.event_id(i); };
  col.get = [&](uint32_t i, const std::string& fld) {
    Val v;
    const Event& e = c.ds.events[i];
    if (fld == "datetime") v.i = e.t;
    else if (fld == "metric_id") v.s = c.ds.metrics[e.metric].id;
    else if (fld == "profile_id") v.s = c.ds.profile_id(e.profile);
    return v;
  };
  col.pred = compile_pred(c.ds, rq.conds);
  return col;
}

// Writes a resource (JSON text from `write`) to w, through fields[type] when the request has it.
template <class F>
void write_maybe_fielded(const Ctx& c, JW& w, bool fielded, std::string& tmp, F write) {
  if (!fielded) return write(w);
  tmp.clear();
  JW tw(tmp);
  write(tw);
  write_fielded(c, w, tmp);
}

// The included array of an events page: first appearance order, metric before profile (as
// include_once did); each metric is rendered once per request.
class EventIncludes {
 public:
  EventIncludes(const Ctx& ctx, JW& out, bool metrics, bool profiles)
      : c(ctx), w(out), metric(metrics), profile(profiles), pw(ctx, false, false),
        f_profile(ctx.has("fields[profile]")), metric_text(ctx.ds.metrics.size()) {}

  void add(const Event& e) {
    if (metric && seen.insert("metric/" + c.ds.metrics[e.metric].id).second) {
      std::string& t = metric_text[e.metric];
      if (t.empty()) {
        json m = render_metric(c, e.metric);
        apply_fields(c, m);
        t = m.dump();
      }
      w.raw(t);
    }
    if (!profile) return;
    if (profile_seen.empty()) profile_seen.resize(c.ds.profiles.size());
    if (profile_seen[e.profile]) return;
    profile_seen[e.profile] = true;
    write_maybe_fielded(c, w, f_profile, tmp, [&](JW& to) { pw.write(to, e.profile); });
  }

 private:
  const Ctx& c;
  JW& w;
  const bool metric, profile;
  const ProfileWriter pw;
  const bool f_profile;
  std::string tmp;
  std::set<std::string> seen;
  std::vector<std::string> metric_text;  // by metric index
  std::vector<bool> profile_seen;        // by profile index, sized on first use
};

void events(Ctx& c) {
  static const FieldTable f = {{"metric_id", {FType::Str, {"equals"}}}, {"profile_id", {FType::Str, {"equals"}}},
                               {"profile", {FType::Str, {"has"}}},      {"metric", {FType::Str, {"has"}}},
                               {"datetime", {FType::Time, kCmp}},       {"timestamp", {FType::Num, kCmp}}};
  ListSpec spec{&f, {"datetime", "timestamp"}, 200, 1000, {"attributions", "metric", "profile"}, "", {}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  timestamp_to_datetime(rq);
  auto pr = run_page(event_collection(c, f, rq), rq);
  auto incs = c.csv("include");
  const bool f_event = c.has("fields[event]");
  EventWriter ew(c);
  std::string doc, inc, tmp;
  doc.reserve(pr.rows.size() * 1400 + 512);
  doc += "{\"data\":";
  JW w(doc), wi(inc);
  w.arr();
  wi.arr();
  EventIncludes included{c, wi, incs.count("metric") > 0, incs.count("profile") > 0};
  for (auto r : pr.rows) {
    write_maybe_fielded(c, w, f_event, tmp, [&](JW& to) { ew.write(to, r); });
    included.add(c.ds.events[r]);
  }
  w.end_arr();
  wi.end_arr();
  if (!incs.empty()) {
    doc += ",\"included\":";
    doc += inc;
  }
  finish_list_raw(c, pr, std::move(doc));
}

void event_one(Ctx& c) {
  if (!check_params(c, {"attributions", "metric", "profile"})) return;
  auto i = c.ds.find_event(c.pp[0]);
  if (!i) return (void)c.not_found("Event");
  auto incs = c.csv("include");
  json inc = json::array();
  std::set<std::string> seen;
  add_event_includes(c, *i, incs, inc, seen);
  finish_single(c, render_event(c, *i), incs.empty() ? nullptr : &inc);
}
}  // namespace

void add_event_routes(std::vector<Route>& r) {
  r.insert(r.end(), {
      // method, pattern, scopes, tier, handler
      {"GET", "/api/events", {"events"}, tiers::XL, events},
      {"GET", "/api/events/{id}", {"events"}, tiers::M, event_one},
  });
}

}  // namespace sim
