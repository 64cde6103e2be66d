// resources/flows.cpp — flows, flow actions and flow messages: their rendering and GET /api/flows
// (archived excluded unless filtered), /api/flows/{id}, /api/flows/{id}/flow-actions,
// /api/flow-actions/{id}/flow-messages.
#include "../render.h"
#include "../util.h"

namespace sim {

namespace {
const char* kStatus[] = {"draft", "manual", "live"};  // Flow::status
}  // namespace

std::string flow_name(uint32_t i) {
  static const char* names[] = {"Welcome Series", "Abandoned Cart", "Browse Abandonment", "Post-Purchase", "Winback",
                                "Birthday", "Price Drop Alert", "Back in Stock", "Sunset Unengaged", "VIP Thank You"};
  std::string name = names[i % 10];
  if (i >= 10) {
    name += ' ';
    name += std::to_string(i / 10 + 1);
  }
  return name;
}

std::string fmessage_name(const Dataset& d, uint32_t i) {
  return std::string(d.actions[d.messages[i].action].type == 0 ? "Email #" : "SMS #") + std::to_string(i + 1);
}

json render_flow(const Ctx& c, uint32_t i) {
  const Flow& f = c.ds.flows[i];
  json acts = json::array();
  for (auto a : f.actions) acts.push_back(ref("flow-action", c.ds.action_id(a)));
  std::string name = flow_name(i);
  return {{"type", "flow"},
          {"id", f.id},
          {"attributes",
           {{"name", name}, {"status", kStatus[f.status]}, {"archived", f.archived}, {"created", tstr(f.created)},
            {"updated", tstr(f.updated)}, {"trigger_type", flow_triggers()[f.trigger]}}},
          {"relationships",
           {{"flow-actions", rel_many(c, acts, "flows", f.id, "flow-actions")},
            {"tags", rel_many(c, tag_refs(c, 'f', i), "flows", f.id, "tags")}}},
          {"links", {{"self", c.res_url("flows", f.id)}}}};
}

json render_action(const Ctx& c, uint32_t i) {
  const FlowAction& a = c.ds.actions[i];
  std::string id = c.ds.action_id(i);
  const Flow& f = c.ds.flows[a.flow];
  std::string next;
  for (size_t k = 0; k + 1 < f.actions.size(); ++k)
    if (f.actions[k] == i) next = c.ds.action_id(f.actions[k + 1]);
  json links = {{"next", next.empty() ? json(nullptr) : json(next)}};
  json def;
  if (a.type == 1) {
    def = {{"id", id}, {"type", "time-delay"}, {"links", links},
           {"data", {{"unit", "days"}, {"value", 1 + int(hash(c.ds.seed, 0xAC, i) % 5)}, {"secondary_value", nullptr},
                     {"timezone", "profile"}, {"delay_until_time", nullptr}, {"delay_until_weekdays", nullptr}}}};
  } else {
    json msg = a.message >= 0 ? json(c.ds.fmessage_id(uint32_t(a.message))) : json(nullptr);
    def = {{"id", id}, {"type", a.type == 0 ? "send-email" : "send-sms"}, {"links", links},
           {"data", {{"message", a.type == 0 ? json{{"id", msg}, {"name", "Email #1"}, {"subject_line", "We saved your cart"}}
                                         : json{{"id", msg}, {"name", "SMS #1"}, {"body", "Example Shop: your cart is waiting"}}},
                     {"status", f.status == 2 ? "live" : "draft"}}}};
  }
  json msgs = json::array();
  if (a.message >= 0) msgs.push_back(ref("flow-message", c.ds.fmessage_id(uint32_t(a.message))));
  return {{"type", "flow-action"},
          {"id", id},
          {"attributes", {{"created", tstr(a.created)}, {"updated", tstr(a.updated)}, {"definition", def}}},
          {"relationships",
           {{"flow", rel_one(c, "flow", f.id, "flow-actions", id, "flow")},
            {"flow-messages", rel_many(c, msgs, "flow-actions", id, "flow-messages")}}},
          {"links", {{"self", c.res_url("flow-actions", id)}}}};
}

json render_fmessage(const Ctx& c, uint32_t i) {
  const FlowMessage& m = c.ds.messages[i];
  const FlowAction& a = c.ds.actions[m.action];
  std::string id = c.ds.fmessage_id(i);
  bool email = a.type == 0;
  json def;
  if (email)
    def = {{"id", id}, {"name", fmessage_name(c.ds, i)}, {"from_email", "hello@shop.example.com"}, {"from_label", "Example Shop"},
           {"reply_to_email", nullptr}, {"cc_email", nullptr}, {"bcc_email", nullptr}, {"subject_line", "We saved your cart"},
           {"preview_text", "Complete your order"}, {"template_id", c.ds.templates.empty() ? json(nullptr) : json(c.ds.template_id(m.tmpl))},
           {"smart_sending_enabled", true}, {"transactional", false}, {"add_tracking_params", false},
           {"custom_tracking_params", nullptr}, {"additional_filters", nullptr}};
  else
    def = {{"id", id}, {"name", fmessage_name(c.ds, i)}, {"body", "Example Shop: your cart is waiting"},
           {"image_id", nullptr}, {"dynamic_image", nullptr}, {"shorten_links", true}, {"include_contact_card", false},
           {"add_org_prefix", true}, {"add_info_link", true}, {"add_opt_out_language", false},
           {"smart_sending_enabled", true}, {"sms_quiet_hours_enabled", true}, {"transactional", false},
           {"add_tracking_params", false}, {"custom_tracking_params", nullptr}, {"additional_filters", nullptr}};
  json rels = {{"flow-action", rel_one(c, "flow-action", c.ds.action_id(m.action), "flow-messages", id, "flow-action")}};
  if (email && !c.ds.templates.empty()) rels["template"] = rel_one(c, "template", c.ds.template_id(m.tmpl), "flow-messages", id, "template");
  return {{"type", "flow-message"},
          {"id", id},
          {"attributes", {{"channel", email ? "email" : "sms"}, {"created", tstr(m.created)}, {"updated", tstr(m.updated)}, {"definition", def}}},
          {"relationships", rels},
          {"links", {{"self", c.res_url("flow-messages", id)}}}};
}

namespace {
const std::vector<std::string> kAll{"equals", "greater-than", "greater-or-equal", "less-than", "less-or-equal"},
    kStr4{"contains", "starts-with", "ends-with", "equals"};

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
  r.insert(r.end(), {
      // method, pattern, scopes, tier, handler
      {"GET", "/api/flows", {"flows"}, tiers::S, flows},
      {"GET", "/api/flows/{id}", {"flows"}, tiers::S, flow_one},
      {"GET", "/api/flows/{id}/flow-actions", {"flows"}, tiers::S, flow_actions},
      {"GET", "/api/flow-actions/{id}/flow-messages", {"flows"}, tiers::S, flow_messages},
  });
}

}  // namespace sim
