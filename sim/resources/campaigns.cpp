// resources/campaigns.cpp — GET /api/campaigns (channel filter required; archived excluded unless
// filtered), /api/campaigns/{id}, /api/campaigns/{id}/campaign-messages,
// /api/campaign-recipient-estimations/{id}.
#include "../render.h"
#include "../util.h"

namespace sim {

namespace {
const std::vector<std::string> kCmp{"greater-than", "greater-or-equal", "less-than", "less-or-equal"};

void campaign_includes(const Ctx& c, uint32_t i, const std::set<std::string>& incs, json& inc, std::set<std::string>& seen) {
  if (incs.count("campaign-messages")) include_once(inc, seen, render_cmessage(c, i));
  if (incs.count("tags"))
    for (auto& t : tag_refs(c, 'c', i))
      if (auto ti = c.ds.find_tag(t["id"])) include_once(inc, seen, render_tag(c, *ti));
}

void campaigns(Ctx& c) {
  static const FieldTable f = {{"messages.channel", {FType::Str, {"equals"}}}, {"id", {FType::Str, {"any"}}},
                               {"name", {FType::Str, {"contains"}}},           {"status", {FType::Str, {"any", "equals"}}},
                               {"archived", {FType::Bool, {"equals"}}},        {"created_at", {FType::Time, kCmp}},
                               {"scheduled_at", {FType::Time, kCmp}},          {"updated_at", {FType::Time, kCmp}}};
  ListSpec spec{&f, {"created_at", "id", "name", "scheduled_at", "updated_at"}, 100, 100, {"campaign-messages", "tags"}, "", {}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  bool channel = false, archived = false;
  for (auto& cd : rq.conds) {
    if (cd.field == "messages.channel") {
      if (cd.v.s != "email" && cd.v.s != "sms" && cd.v.s != "mobile_push")
        return (void)c.bad("Invalid filter provided: messages.channel must be one of 'email', 'sms', 'mobile_push'", "filter");
      channel = true;
    }
    if (cd.field == "archived") archived = true;
  }
  if (!channel)
    return (void)c.bad("A channel filter is required. Use filter=equals(messages.channel,'email'), 'sms' or 'mobile_push'.", "filter");
  if (!archived) {
    Cond cd;
    cd.op = "equals";
    cd.field = "archived";
    cd.v.kind = Literal::Bool;
    cd.v.b = false;
    rq.conds.push_back(cd);
  }
  Collection col;
  col.filters = &f;
  col.default_sort = "id";
  for (uint32_t i = 0; i < c.ds.campaigns.size(); ++i) col.rows.push_back(i);
  col.id = [&](uint32_t i) { return c.ds.campaign_id(i); };
  col.get = [&](uint32_t i, const std::string& fld) {
    const Campaign& k = c.ds.campaigns[i];
    Val v;
    if (fld == "messages.channel") v.s = channel_name(k.channel);
    else if (fld == "id") v.s = c.ds.campaign_id(i);
    else if (fld == "name") v.s = campaign_name(c.ds, i);
    else if (fld == "status") v.s = campaign_statuses()[k.status];
    else if (fld == "archived") v.i = k.archived;
    else if (fld == "created_at") v.i = k.created;
    else if (fld == "updated_at") v.i = k.updated;
    else if (fld == "scheduled_at") v.present = k.scheduled != 0, v.i = k.scheduled;
    return v;
  };
  auto pr = run_page(col, rq);
  auto incs = c.csv("include");
  json data = json::array(), inc = json::array();
  std::set<std::string> seen;
  for (auto r : pr.rows) {
    data.push_back(render_campaign(c, r));
    campaign_includes(c, r, incs, inc, seen);
  }
  finish_list(c, pr, std::move(data), incs.empty() ? nullptr : &inc);
}

void campaign_one(Ctx& c) {
  if (!check_params(c, {"campaign-messages", "tags"})) return;
  auto i = c.ds.find_campaign(c.pp[0]);
  if (!i) return (void)c.not_found("Campaign");
  auto incs = c.csv("include");
  json inc = json::array();
  std::set<std::string> seen;
  campaign_includes(c, *i, incs, inc, seen);
  finish_single(c, render_campaign(c, *i), incs.empty() ? nullptr : &inc);
}

void campaign_messages(Ctx& c) {
  if (!check_params(c, {"campaign", "image", "template"})) return;
  for (const char* p : {"filter", "sort", "page[size]", "page[cursor]"})
    if (c.has(p)) return (void)c.bad(std::string("'") + p + "' is not a valid parameter for this endpoint.", p);
  auto i = c.ds.find_campaign(c.pp[0]);
  if (!i) return (void)c.not_found("Campaign");
  auto incs = c.csv("include");
  json inc = json::array();
  std::set<std::string> seen;
  json m = render_cmessage(c, *i);
  if (incs.count("campaign")) include_once(inc, seen, render_campaign(c, *i));
  if (incs.count("template") && m["relationships"].contains("template"))
    include_once(inc, seen, render_template(c, c.ds.campaigns[*i].tmpl, false));
  PageResult pr;
  finish_list(c, pr, json::array({m}), incs.empty() ? nullptr : &inc);
}

void estimation(Ctx& c) {
  if (!check_params(c, {})) return;
  auto i = c.ds.find_campaign(c.pp[0]);
  if (!i) return (void)c.not_found("Campaign");
  size_t n = 0;
  for (auto l : c.ds.campaigns[*i].audiences) n += c.ds.lists[l].members.size();
  std::string id = c.pp[0];
  finish_single(c,
                {{"type", "campaign-recipient-estimation"},
                 {"id", id},
                 {"attributes", {{"estimated_recipient_count", n}}},
                 {"links", {{"self", c.res_url("campaign-recipient-estimations", id)}}}},
                nullptr);
}
}  // namespace

void add_campaign_routes(std::vector<Route>& r) {
  auto M = [](const Ctx&) { return tiers::M; };
  r.push_back({"GET", "/api/campaigns", {"campaigns"}, M, campaigns});
  r.push_back({"GET", "/api/campaigns/{id}", {"campaigns"}, M, campaign_one});
  r.push_back({"GET", "/api/campaigns/{id}/campaign-messages", {"campaigns"}, M, campaign_messages});
  r.push_back({"GET", "/api/campaign-recipient-estimations/{id}", {"campaigns"}, M, estimation});
}

}  // namespace sim
