// resources/flows.cpp — GET /api/flows (archived excluded unless filtered), /api/flows/{id},
// /api/flows/{id}/flow-actions, /api/flow-actions/{id}/flow-messages.
#include "../render.h"
#include "../util.h"

namespace sim {

namespace {
const std::vector<std::string> kAll{"equals", "greater-than", "greater-or-equal", "less-than", "less-or-equal"},
    kStr4{"contains", "starts-with", "ends-with", "equals"};
const char* kStatus[] = {"draft", "manual", "live"};

void flow_includes(const Ctx& c, uint32_t i, const std::set<std::string>& incs, json& inc, std::set<std::string>& seen) {
  if (incs.count("flow-actions"))
    for (auto a : c.ds.flows[i].actions) include_once(inc, seen, render_action(c, a));
  if (incs.count("tags"))
    for (auto& t : tag_refs(c, 'f', i))
      if (auto ti = c.ds.find_tag(t["id"])) include_once(inc, seen, render_tag(c, *ti));
}

void flows(Ctx& c) {
  static const FieldTable f = {{"id", {FType::Str, {"any"}}},         {"name", {FType::Str, kStr4}},
                               {"status", {FType::Str, {"equals"}}},   {"archived", {FType::Bool, {"equals"}}},
                               {"created", {FType::Time, kAll}},       {"updated", {FType::Time, kAll}},
                               {"trigger_type", {FType::Str, {"equals"}}}};
  ListSpec spec{&f, {"created", "id", "name", "status", "trigger_type", "updated"}, 50, 50, {"flow-actions", "tags"}, "", {}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  bool archived = false;
  for (auto& cd : rq.conds) archived = archived || cd.field == "archived";
  if (!archived) {
    Cond cd;
    cd.op = "equals";
    cd.field = "archived";
    cd.v.kind = Literal::Bool;
    rq.conds.push_back(cd);
  }
  Collection col;
  col.filters = &f;
  col.default_sort = "id";
  for (uint32_t i = 0; i < c.ds.flows.size(); ++i) col.rows.push_back(i);
  col.id = [&](uint32_t i) { return c.ds.flows[i].id; };
  col.get = [&](uint32_t i, const std::string& fld) {
    const Flow& fl = c.ds.flows[i];
    Val v;
    if (fld == "id") v.s = fl.id;
    else if (fld == "name") v.s = flow_name(i);
    else if (fld == "status") v.s = kStatus[fl.status];
    else if (fld == "archived") v.i = fl.archived;
    else if (fld == "created") v.i = fl.created;
    else if (fld == "updated") v.i = fl.updated;
    else if (fld == "trigger_type") v.s = flow_triggers()[fl.trigger];
    return v;
  };
  auto pr = run_page(col, rq);
  auto incs = c.csv("include");
  json data = json::array(), inc = json::array();
  std::set<std::string> seen;
  for (auto r : pr.rows) {
    data.push_back(render_flow(c, r));
    flow_includes(c, r, incs, inc, seen);
  }
  finish_list(c, pr, std::move(data), incs.empty() ? nullptr : &inc);
}

void flow_one(Ctx& c) {
  if (!check_params(c, {"flow-actions", "tags"}, "flow", {"definition"})) return;
  auto i = c.ds.find_flow(c.pp[0]);
  if (!i) return (void)c.not_found("Flow");
  auto incs = c.csv("include");
  json inc = json::array();
  std::set<std::string> seen;
  flow_includes(c, *i, incs, inc, seen);
  json d = render_flow(c, *i);
  if (c.csv("additional-fields[flow]").count("definition")) d["attributes"]["definition"] = nullptr;
  finish_single(c, d, incs.empty() ? nullptr : &inc);
}

void flow_actions(Ctx& c) {
  static const FieldTable f = {{"id", {FType::Str, {"any"}}}, {"action_type", {FType::Str, {"any", "equals"}}},
                               {"status", {FType::Str, {"equals"}}}, {"created", {FType::Time, kAll}},
                               {"updated", {FType::Time, kAll}}};
  ListSpec spec{&f, {"action_type", "created", "id", "status", "updated"}, 50, 50, {}, "", {}};
  auto fi = c.ds.find_flow(c.pp[0]);
  if (!fi) return (void)c.not_found("Flow");
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  Collection col;
  col.filters = &f;
  col.default_sort = "id";
  for (auto a : c.ds.flows[*fi].actions) col.rows.push_back(a);
  col.id = [&](uint32_t i) { return c.ds.action_id(i); };
  col.get = [&](uint32_t i, const std::string& fld) {
    const FlowAction& a = c.ds.actions[i];
    Val v;
    if (fld == "id") v.s = c.ds.action_id(i);
    else if (fld == "action_type") v.s = a.type == 0 ? "SEND_EMAIL" : a.type == 1 ? "TIME_DELAY" : "SEND_SMS";
    else if (fld == "status") v.s = c.ds.flows[a.flow].status == 2 ? "live" : "draft";
    else if (fld == "created") v.i = a.created;
    else if (fld == "updated") v.i = a.updated;
    return v;
  };
  auto pr = run_page(col, rq);
  json data = json::array();
  for (auto r : pr.rows) data.push_back(render_action(c, r));
  finish_list(c, pr, std::move(data), nullptr);
}

void flow_messages(Ctx& c) {
  static const FieldTable f = {{"id", {FType::Str, {"any"}}}, {"name", {FType::Str, kStr4}},
                               {"created", {FType::Time, kAll}}, {"updated", {FType::Time, kAll}}};
  ListSpec spec{&f, {"created", "id", "name", "updated"}, 50, 50, {}, "", {}};
  auto ai = c.ds.find_action(c.pp[0]);
  if (!ai) return (void)c.not_found("Flow action");
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  Collection col;
  col.filters = &f;
  col.default_sort = "id";
  if (c.ds.actions[*ai].message >= 0) col.rows.push_back(uint32_t(c.ds.actions[*ai].message));
  col.id = [&](uint32_t i) { return c.ds.fmessage_id(i); };
  col.get = [&](uint32_t i, const std::string& fld) {
    Val v;
    if (fld == "id") v.s = c.ds.fmessage_id(i);
    else if (fld == "name") v.s = fmessage_name(c.ds, i);
    else if (fld == "created") v.i = c.ds.messages[i].created;
    else if (fld == "updated") v.i = c.ds.messages[i].updated;
    return v;
  };
  auto pr = run_page(col, rq);
  json data = json::array();
  for (auto r : pr.rows) data.push_back(render_fmessage(c, r));
  finish_list(c, pr, std::move(data), nullptr);
}
}  // namespace

void add_flow_routes(std::vector<Route>& r) {
  auto S = [](const Ctx&) { return tiers::S; };
  r.push_back({"GET", "/api/flows", {"flows"}, S, flows});
  r.push_back({"GET", "/api/flows/{id}", {"flows"}, S, flow_one});
  r.push_back({"GET", "/api/flows/{id}/flow-actions", {"flows"}, S, flow_actions});
  r.push_back({"GET", "/api/flow-actions/{id}/flow-messages", {"flows"}, S, flow_messages});
}

}  // namespace sim
