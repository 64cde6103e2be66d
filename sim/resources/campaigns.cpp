// resources/campaigns.cpp — campaigns and campaign messages: their rendering and GET /api/campaigns
// (channel filter required; archived excluded unless filtered), /api/campaigns/{id},
// /api/campaigns/{id}/campaign-messages, /api/campaign-recipient-estimations/{id}.
#include "../render.h"
#include "../util.h"

namespace sim {

std::string campaign_name(const Dataset& d, uint32_t i) {
  static const char* themes[] = {"Spring Sale", "Weekly Newsletter", "New Arrivals", "Flash Sale", "Holiday Gift Guide",
                                 "Back in Stock", "VIP Early Access", "Black Friday"};
  return std::string(themes[hash(d.seed, 0xCA0, i, 3) % 8]) + " " + std::to_string(i + 1);
}

json render_campaign(const Ctx& c, uint32_t i) {
  const Campaign& k = c.ds.campaigns[i];
  std::string id = c.ds.campaign_id(i);
  uint64_t h = hash(c.ds.seed, 0xCA0, i);
  json inc = json::array();
  for (auto l : k.audiences) inc.push_back(c.ds.lists[l].id);
  json send_options, tracking;
  if (k.channel == 0) {
    send_options = {{"use_smart_sending", hash(h, 1) % 3 != 0}};
    tracking = {{"add_tracking_params", hash(h, 2) % 2 == 0}, {"custom_tracking_params", nullptr},
                {"is_tracking_clicks", true}, {"is_tracking_opens", true}};
  } else if (k.channel == 1) {
    send_options = {{"use_smart_sending", true}};
    tracking = {{"add_tracking_params", false}, {"custom_tracking_params", nullptr}};
  } else {
    send_options = {{"use_smart_sending", false}};
    tracking = nullptr;
  }
  json strategy;
  if (k.scheduled)
    strategy = {{"method", "static"}, {"datetime", tstr(k.send_time ? k.send_time : k.scheduled)}, {"options", {{"is_local", false}}}};
  else
    strategy = {{"method", "immediate"}};
  json attrs = {{"name", campaign_name(c.ds, i)},
                {"status", campaign_statuses()[k.status]},
                {"archived", k.archived},
                {"audiences", {{"included", inc}, {"excluded", json::array()}}},
                {"send_options", send_options},
                {"tracking_options", tracking},
                {"send_strategy", strategy},
                {"created_at", tstr(k.created)},
                {"scheduled_at", opt_time(k.scheduled)},
                {"updated_at", tstr(k.updated)},
                {"send_time", opt_time(k.send_time)}};
  return {{"type", "campaign"},
          {"id", id},
          {"attributes", attrs},
          {"relationships",
           {{"campaign-messages", rel_many(c, json::array({ref("campaign-message", c.ds.cmessage_id(i))}), "campaigns", id, "campaign-messages")},
            {"tags", rel_many(c, tag_refs(c, 'c', i), "campaigns", id, "tags")}}},
          {"links", {{"self", c.res_url("campaigns", id)}}}};
}

json render_cmessage(const Ctx& c, uint32_t i) {
  const Campaign& k = c.ds.campaigns[i];
  std::string id = c.ds.cmessage_id(i);
  json def;
  if (k.channel == 0)
    def = {{"channel", "email"},
           {"label", "Email " + std::to_string(i + 1)},
           {"content", {{"subject", "Don't miss out"}, {"preview_text", "Ends tonight"}, {"from_email", "hello@shop.example.com"},
                        {"from_label", "Example Shop"}, {"reply_to_email", nullptr}, {"cc_email", nullptr}, {"bcc_email", nullptr}}}};
  else if (k.channel == 1)
    def = {{"channel", "sms"}, {"label", "SMS " + std::to_string(i + 1)},
           {"content", {{"body", "Example Shop: 20% off today only! Reply STOP to opt out"}, {"media_url", nullptr}}},
           {"render_options", {{"shorten_links", true}, {"add_org_prefix", true}, {"add_info_link", true}, {"add_opt_out_language", false}}}};
  else
    def = {{"channel", "mobile_push"}, {"label", "Push " + std::to_string(i + 1)}, {"notification_type", "standard"},
           {"content", {{"title", "Sale"}, {"body", "20% off today"}, {"dynamic_image", nullptr}}},
           {"kv_pairs", nullptr}, {"options", {{"on_open", nullptr}, {"badge", nullptr}, {"play_sound", true}}}};
  json send_times = json::array();
  if (k.send_time) send_times.push_back({{"datetime", tstr(k.send_time)}, {"is_local", false}});
  std::string cid = c.ds.campaign_id(i);
  json rels = {{"campaign", rel_one(c, "campaign", cid, "campaign-messages", id, "campaign")}};
  if (k.channel == 0 && !c.ds.templates.empty())
    rels["template"] = rel_one(c, "template", c.ds.template_id(k.tmpl), "campaign-messages", id, "template");
  return {{"type", "campaign-message"},
          {"id", id},
          {"attributes", {{"definition", def}, {"send_times", send_times}, {"created_at", tstr(k.created)}, {"updated_at", tstr(k.updated)}}},
          {"relationships", rels},
          {"links", {{"self", c.res_url("campaign-messages", id)}}}};
}

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
  r.insert(r.end(), {
      // method, pattern, scopes, tier, handler
      {"GET", "/api/campaigns", {"campaigns"}, tiers::M, campaigns},
      {"GET", "/api/campaigns/{id}", {"campaigns"}, tiers::M, campaign_one},
      {"GET", "/api/campaigns/{id}/campaign-messages", {"campaigns"}, tiers::M, campaign_messages},
      {"GET", "/api/campaign-recipient-estimations/{id}", {"campaigns"}, tiers::M, estimation},
  });
}

}  // namespace sim
