// resources/events.cpp — GET /api/events (presorted keyset paging over the compact event array,
// filters compiled per request) and GET /api/events/{id}. Events render in events_render.cpp. Once
// the write endpoints stored events, the listing walks the generated and written events merged in
// one (datetime, id) order (rows with kWrittenBit are written events; see written.h).
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

const FieldTable& event_fields() {
  static const FieldTable f = {{"metric_id", {FType::Str, {"equals"}}}, {"profile_id", {FType::Str, {"equals"}}},
                               {"profile", {FType::Str, {"has"}}},      {"metric", {FType::Str, {"has"}}},
                               {"datetime", {FType::Time, kCmp}},       {"timestamp", {FType::Num, kCmp}}};
  return f;
}
ListSpec event_spec() {
  return ListSpec{&event_fields(), {"datetime", "timestamp"}, 200, 1000, {"attributions", "metric", "profile"}, "", {}};
}

void events_with_written(Ctx& c);

void events(Ctx& c) {
  if (c.st.written->n_events.load(std::memory_order_relaxed) > 0) return events_with_written(c);
  const FieldTable& f = event_fields();
  ListSpec spec = event_spec();
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

void event_one_written(Ctx& c);

void event_one(Ctx& c) {
  if (!check_params(c, {"attributions", "metric", "profile"})) return;
  auto i = c.ds.find_event(c.pp[0]);
  if (!i) return event_one_written(c);
  auto incs = c.csv("include");
  json inc = json::array();
  std::set<std::string> seen;
  add_event_includes(c, *i, incs, inc, seen);
  finish_single(c, render_event(c, *i), incs.empty() ? nullptr : &inc);
}

// ---- with written events ------------------------------------------------------------------------

// compile_pred over generated and written rows: metric and profile ids resolve to references
// (generated index, or kWrittenBit | written index; kNone when unknown).
std::function<bool(uint32_t)> union_pred(const Dataset& ds, const WrittenStore& W, const std::vector<Cond>& conds) {
  constexpr int64_t kNone = -1;
  struct T {
    int op;  // 0 gt, 1 ge, 2 lt, 3 le
    int64_t t;
  };
  std::vector<T> times;
  std::vector<int64_t> metric_eq, profile_eq;
  for (auto& cd : conds) {
    if (cd.field == "datetime" && cd.v.kind == Literal::Time) {
      int op = cd.op == "greater-than" ? 0 : cd.op == "greater-or-equal" ? 1 : cd.op == "less-than" ? 2
             : cd.op == "less-or-equal" ? 3 : -1;
      if (op < 0) return {};
      times.push_back({op, cd.v.t});
    } else if ((cd.field == "metric_id" || cd.field == "profile_id") && cd.op == "equals" && cd.v.kind == Literal::Str) {
      const bool metric = cd.field == "metric_id";
      auto g = metric ? ds.find_metric(cd.v.s) : ds.find_profile(cd.v.s);
      auto w = metric ? W.find_metric(cd.v.s) : W.find_profile(cd.v.s);
      (metric ? metric_eq : profile_eq).push_back(g ? int64_t(*g) : w ? int64_t(kWrittenBit | *w) : kNone);
    } else if ((cd.field == "profile" || cd.field == "metric") && cd.op == "has") {
      // always present
    } else {
      return {};
    }
  }
  return [&ds, &W, times, metric_eq, profile_eq](uint32_t row) {
    const bool wr = is_written(row);
    const int64_t t = wr ? W.events[widx(row)].t : ds.events[row].t;
    for (auto& b : times) {
      bool ok = b.op == 0 ? t > b.t : b.op == 1 ? t >= b.t : b.op == 2 ? t < b.t : t <= b.t;
      if (!ok) return false;
    }
    const int64_t m = wr ? W.events[widx(row)].metric : ds.events[row].metric;
    const int64_t p = wr ? int64_t(kWrittenBit | W.events[widx(row)].profile) : int64_t(ds.events[row].profile);
    for (auto x : metric_eq)
      if (m != x) return false;
    for (auto x : profile_eq)
      if (p != x) return false;
    return true;
  };
}

Collection union_collection(const Ctx& c, const WrittenStore& W, const std::vector<uint32_t>& order,
                            const PageRequest& rq) {
  const Dataset& ds = c.ds;
  Collection col;
  col.filters = &event_fields();
  col.presorted = &order;
  col.presorted_field = "datetime";
  col.keyfn = [&ds, &W](uint32_t r) { return is_written(r) ? W.events[widx(r)].t : ds.events[r].t; };
  col.tiefn = [&ds, &W](uint32_t r) { return is_written(r) ? W.event_tie(widx(r)) : ds.event_tie(r); };
  col.tie_of_id = [&ds, &W](const std::string& id) -> std::optional<uint64_t> {
    if (auto i = ds.find_event(id)) return ds.event_tie(*i);
    if (auto j = W.find_event(id)) return W.event_tie(*j);
    return std::nullopt;
  };
  col.id = [&ds, &W](uint32_t r) { return is_written(r) ? W.event_id(widx(r)) : ds.event_id(r); };
  col.get = [&ds, &W](uint32_t r, const std::string& fld) {
    Val v;
    const bool wr = is_written(r);
    if (fld == "datetime") v.i = wr ? W.events[widx(r)].t : ds.events[r].t;
    else if (fld == "metric_id") v.s = W.metric_ref_id(ds, wr ? W.events[widx(r)].metric : ds.events[r].metric);
    else if (fld == "profile_id") v.s = wr ? W.profile_id(W.events[widx(r)].profile) : ds.profile_id(ds.events[r].profile);
    return v;
  };
  col.pred = union_pred(ds, W, rq.conds);
  return col;
}

// The metric and profile of event row r in `included` (first appearance; rendered once).
void add_union_includes(const Ctx& c, const WrittenStore& W, uint32_t r, const std::set<std::string>& incs, json& inc,
                        std::set<std::string>& seen) {
  const bool wr = is_written(r);
  const uint32_t metric = wr ? W.events[widx(r)].metric : c.ds.events[r].metric;
  const uint32_t prof = wr ? kWrittenBit | W.events[widx(r)].profile : c.ds.events[r].profile;
  if (incs.count("metric") && seen.insert("metric/" + W.metric_ref_id(c.ds, metric)).second) {
    inc.push_back(is_written(metric) ? render_written_metric(c, W, widx(metric)) : render_metric(c, metric));
    apply_fields(c, inc.back());
  }
  if (!incs.count("profile")) return;
  std::string pid = is_written(prof) ? W.profile_id(widx(prof)) : c.ds.profile_id(prof);
  if (!seen.insert("profile/" + pid).second) return;
  inc.push_back(is_written(prof) ? render_written_profile(c, W, widx(prof), false, false)
                                 : render_profile(c, prof, false, false));
  apply_fields(c, inc.back());
}

void events_with_written(Ctx& c) {
  PageRequest rq;
  if (!prepare_list(c, event_spec(), rq)) return;
  timestamp_to_datetime(rq);
  const WrittenStore& W = *c.st.written;
  std::shared_lock<std::shared_mutex> lk(W.mu);
  auto order = W.event_order(c.ds);
  auto pr = run_page(union_collection(c, W, *order, rq), rq);
  auto incs = c.csv("include");
  const bool f_event = c.has("fields[event]");
  EventWriter ew(c);
  std::string doc = "{\"data\":", tmp;
  JW w(doc);
  w.arr();
  json inc = json::array();
  std::set<std::string> seen;
  for (auto r : pr.rows) {
    write_maybe_fielded(c, w, f_event, tmp, [&](JW& to) {
      if (is_written(r)) write_written_event(c, W, to, widx(r));
      else ew.write(to, r);
    });
    add_union_includes(c, W, r, incs, inc, seen);
  }
  w.end_arr();
  if (!incs.empty()) {
    doc += ",\"included\":";
    doc += inc.dump();
  }
  finish_list_raw(c, pr, std::move(doc));
}

void event_one_written(Ctx& c) {
  const WrittenStore& W = *c.st.written;
  std::shared_lock<std::shared_mutex> lk(W.mu);
  auto j = W.find_event(c.pp[0]);
  if (!j) return (void)c.not_found("Event");
  auto incs = c.csv("include");
  json inc = json::array();
  std::set<std::string> seen;
  add_union_includes(c, W, kWrittenBit | *j, incs, inc, seen);
  finish_single(c, render_written_event(c, W, *j), incs.empty() ? nullptr : &inc);
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
