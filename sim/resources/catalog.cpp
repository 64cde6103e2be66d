// resources/catalog.cpp — GET /api/accounts, /api/metrics[/{id}], /api/lists[/{id}],
// /api/segments[/{id}], /api/tags, /api/templates. The resources render in catalog_render.cpp;
// metrics created by event writes (written.h) are listed with the generated ones.
#include "../render.h"
#include "../util.h"

namespace sim {

namespace {
const std::vector<std::string> kEq{"equals"}, kAnyEq{"any", "equals"}, kGt{"greater-than"},
    kAll{"equals", "greater-than", "greater-or-equal", "less-than", "less-or-equal"},
    kStr4{"contains", "starts-with", "ends-with", "equals"};

void accounts(Ctx& c) {
  if (!check_params(c, {})) return;
  std::string id = "Xs8kPq";
  json a = {{"type", "account"},
            {"id", id},
            {"attributes",
             {{"test_account", false},
              {"contact_information",
               {{"default_sender_name", "Example Shop"}, {"default_sender_email", "hello@shop.example.com"},
                {"website_url", "https://shop.example.com"}, {"organization_name", "Example Shop Inc."},
                {"street_address", {{"address1", "125 Summer St"}, {"address2", nullptr}, {"city", "Boston"}, {"region", "MA"},
                                    {"country", "US"}, {"zip", "02110"}}}}},
              {"industry", "Apparel & Accessories"},
              {"timezone", c.st.cfg.timezone},
              {"preferred_currency", "USD"},
              {"public_api_key", id},
              {"locale", "en-US"}}},
            {"links", {{"self", c.res_url("accounts", id)}}}};
  PageResult pr;
  finish_list(c, pr, json::array({a}), nullptr);
  c.is_page = true;
}

void metrics(Ctx& c) {
  static const FieldTable f = {{"integration.name", {FType::Str, kEq}}, {"integration.category", {FType::Str, kEq}}};
  ListSpec spec{&f, {}, 200, 0, {"flow-triggers"}, "", {}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  Collection col;
  col.filters = &f;
  for (uint32_t i = 0; i < c.ds.metrics.size(); ++i) col.rows.push_back(i);
  col.id = [&](uint32_t i) { return c.ds.metrics[i].id; };
  col.get = [&](uint32_t i, const std::string& fld) {
    Val v;
    const Integration& in = integrations()[c.ds.metrics[i].integ];
    v.s = fld == "integration.name" ? in.name : in.category;
    return v;
  };
  const WrittenStore& W = *c.st.written;
  std::shared_lock<std::shared_mutex> written_lock(W.mu, std::defer_lock);
  if (W.n_metrics.load(std::memory_order_relaxed) > 0) {  // metrics created by event writes
    written_lock.lock();
    for (uint32_t j = 0; j < W.metrics.size(); ++j) col.rows.push_back(kWrittenBit | j);
    col.id = [&](uint32_t i) { return is_written(i) ? W.metrics[widx(i)].id : c.ds.metrics[i].id; };
    col.get = [&](uint32_t i, const std::string& fld) {
      Val v;
      const Integration& in = integrations()[is_written(i) ? 2 : c.ds.metrics[i].integ];
      v.s = fld == "integration.name" ? in.name : in.category;
      return v;
    };
  }
  auto pr = run_page(col, rq);
  json data = json::array(), inc = json::array();
  std::set<std::string> seen;
  bool want = c.csv("include").count("flow-triggers");
  for (auto r : pr.rows) {
    data.push_back(is_written(r) ? render_written_metric(c, W, widx(r)) : render_metric(c, r));
    if (want)
      for (auto& fr : data.back()["relationships"]["flow-triggers"]["data"])
        if (auto fi = c.ds.find_flow(fr["id"])) include_once(inc, seen, render_flow(c, *fi));
  }
  finish_list(c, pr, std::move(data), want ? &inc : nullptr);
}

void metric_one(Ctx& c) {
  if (!check_params(c, {"flow-triggers"})) return;
  const WrittenStore& W = *c.st.written;
  std::shared_lock<std::shared_mutex> written_lock(W.mu);
  auto i = c.ds.find_metric(c.pp[0]);
  auto w = i ? std::nullopt : W.find_metric(c.pp[0]);
  if (!i && !w) return (void)c.not_found("Metric");
  json d = i ? render_metric(c, *i) : render_written_metric(c, W, *w);
  json inc = json::array();
  std::set<std::string> seen;
  bool want = c.csv("include").count("flow-triggers");
  if (want)
    for (auto& fr : d["relationships"]["flow-triggers"]["data"])
      if (auto fi = c.ds.find_flow(fr["id"])) include_once(inc, seen, render_flow(c, *fi));
  finish_single(c, d, want ? &inc : nullptr);
}

// Lists and segments share everything but a few fields.
void groups(Ctx& c, bool seg) {
  static const FieldTable fl = {{"name", {FType::Str, kAnyEq}}, {"id", {FType::Str, kAnyEq}},
                                {"created", {FType::Time, kGt}}, {"updated", {FType::Time, kGt}}};
  static const FieldTable fs = {{"name", {FType::Str, kAnyEq}}, {"id", {FType::Str, kAnyEq}},
                                {"created", {FType::Time, kGt}}, {"updated", {FType::Time, kGt}},
                                {"is_active", {FType::Bool, kAnyEq}}, {"is_starred", {FType::Bool, kEq}}};
  const FieldTable& f = seg ? fs : fl;
  ListSpec spec{&f, {"created", "id", "name", "updated"}, 10, 10, {"flow-triggers", "tags"}, "", {}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  const auto& G = seg ? c.ds.segments : c.ds.lists;
  Collection col;
  col.filters = &f;
  for (uint32_t i = 0; i < G.size(); ++i) col.rows.push_back(i);
  col.id = [&](uint32_t i) { return G[i].id; };
  col.get = [&](uint32_t i, const std::string& fld) {
    Val v;
    const Group& g = G[i];
    if (fld == "name") v.s = g.name;
    else if (fld == "id") v.s = g.id;
    else if (fld == "created") v.i = g.created;
    else if (fld == "updated") v.i = g.updated;
    else if (fld == "is_active") v.i = g.flag & 1;
    else if (fld == "is_starred") v.i = (g.flag & 4) ? 1 : 0;
    return v;
  };
  auto pr = run_page(col, rq);
  json data = json::array(), inc = json::array();
  std::set<std::string> seen;
  auto incs = c.csv("include");
  for (auto r : pr.rows) {
    data.push_back(seg ? render_segment(c, r) : render_list(c, r));
    if (incs.count("tags"))
      for (auto& t : data.back()["relationships"]["tags"]["data"])
        if (auto ti = c.ds.find_tag(t["id"])) include_once(inc, seen, render_tag(c, *ti));
    if (incs.count("flow-triggers"))
      for (auto& fr : data.back()["relationships"]["flow-triggers"]["data"])
        if (auto fi = c.ds.find_flow(fr["id"])) include_once(inc, seen, render_flow(c, *fi));
  }
  finish_list(c, pr, std::move(data), incs.empty() ? nullptr : &inc);
}

void group_one(Ctx& c, bool seg) {
  if (!check_params(c, {"flow-triggers", "tags"}, seg ? "segment" : "list", {"profile_count"})) return;
  auto i = seg ? c.ds.find_segment(c.pp[0]) : c.ds.find_list(c.pp[0]);
  if (!i) return (void)c.not_found(seg ? "Segment" : "List");
  json d = seg ? render_segment(c, *i) : render_list(c, *i);
  if (c.csv(seg ? "additional-fields[segment]" : "additional-fields[list]").count("profile_count"))
    d["attributes"]["profile_count"] = (seg ? c.ds.segments : c.ds.lists)[*i].members.size();
  auto incs = c.csv("include");
  json inc = json::array();
  std::set<std::string> seen;
  if (incs.count("tags"))
    for (auto& t : d["relationships"]["tags"]["data"])
      if (auto ti = c.ds.find_tag(t["id"])) include_once(inc, seen, render_tag(c, *ti));
  if (incs.count("flow-triggers"))
    for (auto& fr : d["relationships"]["flow-triggers"]["data"])
      if (auto fi = c.ds.find_flow(fr["id"])) include_once(inc, seen, render_flow(c, *fi));
  finish_single(c, d, incs.empty() ? nullptr : &inc);
}

void tags(Ctx& c) {
  static const FieldTable f = {{"name", {FType::Str, kStr4}}};
  ListSpec spec{&f, {"id", "name"}, 50, 50, {"tag-group"}, "", {}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  Collection col;
  col.filters = &f;
  for (uint32_t i = 0; i < c.ds.tags.size(); ++i) col.rows.push_back(i);
  col.id = [&](uint32_t i) { return c.ds.tags[i].id; };
  col.get = [&](uint32_t i, const std::string&) { Val v; v.s = c.ds.tags[i].name; return v; };
  auto pr = run_page(col, rq);
  json data = json::array(), inc = json::array();
  std::set<std::string> seen;
  bool want = c.csv("include").count("tag-group");
  for (auto r : pr.rows) {
    data.push_back(render_tag(c, r));
    if (want) include_once(inc, seen, render_tag_group(c, c.ds.tags[r].group));
  }
  finish_list(c, pr, std::move(data), want ? &inc : nullptr);
}

void templates(Ctx& c) {
  static const FieldTable f = {{"id", {FType::Str, kAnyEq}}, {"name", {FType::Str, {"any", "contains", "equals"}}},
                               {"created", {FType::Time, kAll}}, {"updated", {FType::Time, kAll}}};
  ListSpec spec{&f, {"created", "id", "name", "updated"}, 10, 10, {}, "template", {"definition"}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  Collection col;
  col.filters = &f;
  for (uint32_t i = 0; i < c.ds.templates.size(); ++i) col.rows.push_back(i);
  col.id = [&](uint32_t i) { return c.ds.template_id(i); };
  col.get = [&](uint32_t i, const std::string& fld) {
    Val v;
    if (fld == "id") v.s = c.ds.template_id(i);
    else if (fld == "name") v.s = "Template " + std::to_string(i + 1);
    else if (fld == "created") v.i = c.ds.templates[i].created;
    else v.i = c.ds.templates[i].updated;
    return v;
  };
  auto pr = run_page(col, rq);
  bool def = c.csv("additional-fields[template]").count("definition");
  json data = json::array();
  for (auto r : pr.rows) data.push_back(render_template(c, r, def));
  finish_list(c, pr, std::move(data), nullptr);
}
// additional-fields profile_count counts the members: the XS tier.
Tier list_tier(const Ctx& c) { return c.csv("additional-fields[list]").count("profile_count") ? tiers::XS : tiers::L; }
Tier segment_tier(const Ctx& c) {
  return c.csv("additional-fields[segment]").count("profile_count") ? tiers::XS : tiers::L;
}
}  // namespace

void add_catalog_routes(std::vector<Route>& r) {
  r.insert(r.end(), {
      // method, pattern, scopes, tier, handler[, tier rule]
      {"GET", "/api/accounts", {"accounts"}, tiers::XS, accounts},
      {"GET", "/api/metrics", {"metrics"}, tiers::M, metrics},
      {"GET", "/api/metrics/{id}", {"metrics"}, tiers::M, metric_one},
      {"GET", "/api/lists", {"lists"}, tiers::L, [](Ctx& c) { groups(c, false); }},
      {"GET", "/api/segments", {"segments"}, tiers::L, [](Ctx& c) { groups(c, true); }},
      {"GET", "/api/lists/{id}", {"lists"}, tiers::L, [](Ctx& c) { group_one(c, false); }, list_tier},
      {"GET", "/api/segments/{id}", {"segments"}, tiers::L, [](Ctx& c) { group_one(c, true); }, segment_tier},
      {"GET", "/api/tags", {"tags"}, tiers::S, tags},
      {"GET", "/api/templates", {"templates"}, tiers::L, templates},
  });
}

}  // namespace sim
