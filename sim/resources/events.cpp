// resources/events.cpp — GET /api/events (presorted keyset paging over the compact event array)
// and GET /api/events/{id}.
#include <cmath>

#include "../render.h"
#include "../util.h"

namespace sim {

namespace {
const std::vector<std::string> kCmp{"greater-than", "greater-or-equal", "less-than", "less-or-equal"};

void add_event_includes(const Ctx& c, uint32_t e, const std::set<std::string>& incs, json& inc, std::set<std::string>& seen) {
  if (incs.count("metric")) include_once(inc, seen, render_metric(c, c.ds.events[e].metric));
  if (incs.count("profile")) include_once(inc, seen, render_profile(c, c.ds.events[e].profile, false, false));
}

void events(Ctx& c) {
  static const FieldTable f = {{"metric_id", {FType::Str, {"equals"}}}, {"profile_id", {FType::Str, {"equals"}}},
                               {"profile", {FType::Str, {"has"}}},      {"metric", {FType::Str, {"has"}}},
                               {"datetime", {FType::Time, kCmp}},       {"timestamp", {FType::Num, kCmp}}};
  ListSpec spec{&f, {"datetime", "timestamp"}, 200, 1000, {"attributions", "metric", "profile"}, "", {}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  if (rq.sort == "timestamp") rq.sort = "datetime";
  // timestamp = floor(datetime); rewrite epoch-second bounds as datetime bounds (uses the index).
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
  auto pr = run_page(col, rq);
  auto incs = c.csv("include");
  json data = json::array(), inc = json::array();
  std::set<std::string> seen;
  for (auto r : pr.rows) {
    data.push_back(render_event(c, r));
    add_event_includes(c, r, incs, inc, seen);
  }
  finish_list(c, pr, std::move(data), incs.empty() ? nullptr : &inc);
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
  r.push_back({"GET", "/api/events", {"events"}, [](const Ctx&) { return tiers::XL; }, events});
  r.push_back({"GET", "/api/events/{id}", {"events"}, [](const Ctx&) { return tiers::M; }, event_one});
}

}  // namespace sim
