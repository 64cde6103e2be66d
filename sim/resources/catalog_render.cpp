// resources/catalog_render.cpp — renders the catalog resources: metrics (with their integration and
// the flows they trigger), lists, segments, templates, tags and tag groups.
#include "../render.h"

namespace sim {

namespace {
// Flows triggered by joining list list_idx.
json flow_trigger_refs(const Ctx& c, uint32_t list_idx) {
  json flows = json::array();
  for (auto& f : c.ds.flows)
    if (f.trigger == 1 && f.trigger_ref == list_idx) flows.push_back(ref("flow", f.id));
  return flows;
}
}  // namespace

json tag_refs(const Ctx& c, char kind, uint32_t idx) {
  json out = json::array();
  for (uint32_t t = 0; t < c.ds.tags.size(); ++t)
    if (has_tag(c.ds.seed, kind, idx, t)) out.push_back(ref("tag", c.ds.tags[t].id));
  return out;
}

json render_metric(const Ctx& c, uint32_t i) {
  const Metric& m = c.ds.metrics[i];
  const Integration& in = integrations()[m.integ];
  json integ = {{"object", "integration"}, {"id", in.id}, {"key", in.key}, {"name", in.name}, {"category", in.category}};
  json flows = json::array();
  for (uint32_t f = 0; f < c.ds.flows.size(); ++f)
    if (c.ds.flows[f].trigger == 0 && c.ds.flows[f].trigger_ref == i) flows.push_back(ref("flow", c.ds.flows[f].id));
  return {{"type", "metric"},
          {"id", m.id},
          {"attributes", {{"name", m.name}, {"created", tstr(m.created)}, {"updated", tstr(m.updated)}, {"integration", integ}}},
          {"relationships", {{"flow-triggers", rel_many(c, flows, "metrics", m.id, "flow-triggers")}}},
          {"links", {{"self", c.res_url("metrics", m.id)}}}};
}

json render_list(const Ctx& c, uint32_t i) {
  const Group& g = c.ds.lists[i];
  return {{"type", "list"},
          {"id", g.id},
          {"attributes",
           {{"name", g.name}, {"created", tstr(g.created)}, {"updated", tstr(g.updated)},
            {"opt_in_process", g.flag ? "double_opt_in" : "single_opt_in"}}},
          {"relationships",
           {{"profiles", rel_many(c, json::array(), "lists", g.id, "profiles")},
            {"tags", rel_many(c, tag_refs(c, 'l', i), "lists", g.id, "tags")},
            {"flow-triggers", rel_many(c, flow_trigger_refs(c, i), "lists", g.id, "flow-triggers")}}},
          {"links", {{"self", c.res_url("lists", g.id)}}}};
}

json render_segment(const Ctx& c, uint32_t i) {
  const Group& g = c.ds.segments[i];
  json def = {{"condition_groups",
               json::array({{{"conditions",
                               json::array({{{"type", "profile-marketing-consent"},
                                             {"consent", {{"channel", "email"}, {"can_receive_marketing", true},
                                                          {"consent_status", {{"subscription", "any"}, {"filters", nullptr}}}}}}})}}})}};
  return {{"type", "segment"},
          {"id", g.id},
          {"attributes",
           {{"name", g.name}, {"definition", def}, {"created", tstr(g.created)}, {"updated", tstr(g.updated)},
            {"is_active", (g.flag & 1) != 0}, {"is_processing", (g.flag & 2) != 0}, {"is_starred", (g.flag & 4) != 0}}},
          {"relationships",
           {{"profiles", rel_many(c, json::array(), "segments", g.id, "profiles")},
            {"tags", rel_many(c, tag_refs(c, 's', i), "segments", g.id, "tags")},
            {"flow-triggers", rel_many(c, json::array(), "segments", g.id, "flow-triggers")}}},
          {"links", {{"self", c.res_url("segments", g.id)}}}};
}

json render_template(const Ctx& c, uint32_t i, bool definition) {
  const Template& t = c.ds.templates[i];
  static const char* editors[] = {"SYSTEM_DRAGGABLE", "CODE", "USER_DRAGGABLE", "SIMPLE"};
  std::string id = c.ds.template_id(i);
  std::string name = "Template " + std::to_string(i + 1);
  json attrs = {{"name", name},
                {"editor_type", editors[t.editor]},
                {"html", "<html><body><h1>" + name + "</h1><p>Hello {{ first_name|default:'there' }}</p></body></html>"},
                {"text", t.editor == 1 ? json(nullptr) : json("Hello {{ first_name|default:'there' }}")},
                {"amp", nullptr},
                {"created", tstr(t.created)},
                {"updated", tstr(t.updated)}};
  if (definition) attrs["definition"] = nullptr;
  return {{"type", "template"}, {"id", id}, {"attributes", attrs}, {"links", {{"self", c.res_url("templates", id)}}}};
}

std::string tag_group_id(const Ctx& c, uint32_t g) { return std::to_string(100000 + hash(c.ds.seed, 0x7a6, g) % 900000); }

json render_tag(const Ctx& c, uint32_t i) {
  const Tag& t = c.ds.tags[i];
  json lists = json::array(), segs = json::array(), camps = json::array(), flows = json::array();
  for (uint32_t k = 0; k < c.ds.lists.size(); ++k)
    if (has_tag(c.ds.seed, 'l', k, i)) lists.push_back(ref("list", c.ds.lists[k].id));
  for (uint32_t k = 0; k < c.ds.segments.size(); ++k)
    if (has_tag(c.ds.seed, 's', k, i)) segs.push_back(ref("segment", c.ds.segments[k].id));
  for (uint32_t k = 0; k < c.ds.campaigns.size(); ++k)
    if (has_tag(c.ds.seed, 'c', k, i)) camps.push_back(ref("campaign", c.ds.campaign_id(k)));
  for (uint32_t k = 0; k < c.ds.flows.size(); ++k)
    if (has_tag(c.ds.seed, 'f', k, i)) flows.push_back(ref("flow", c.ds.flows[k].id));
  return {{"type", "tag"},
          {"id", t.id},
          {"attributes", {{"name", t.name}}},
          {"relationships",
           {{"tag-group", rel_one(c, "tag-group", tag_group_id(c, t.group), "tags", t.id, "tag-group")},
            {"lists", rel_many(c, lists, "tags", t.id, "lists")},
            {"segments", rel_many(c, segs, "tags", t.id, "segments")},
            {"campaigns", rel_many(c, camps, "tags", t.id, "campaigns")},
            {"flows", rel_many(c, flows, "tags", t.id, "flows")}}},
          {"links", {{"self", c.res_url("tags", t.id)}}}};
}

json render_tag_group(const Ctx& c, uint32_t g) {
  std::string id = tag_group_id(c, g);
  return {{"type", "tag-group"},
          {"id", id},
          {"attributes", {{"name", g == 0 ? "Default Tag Group" : "Campaign Type"}, {"exclusive", g != 0}, {"default", g == 0}}},
          {"links", {{"self", c.res_url("tag-groups", id)}}}};
}

}  // namespace sim
