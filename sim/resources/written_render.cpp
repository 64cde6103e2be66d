// resources/written_render.cpp — renders the records the write endpoints created (written.h) as the
// read API serves them: events (streamed like EventWriter: event_properties = the properties as
// sent plus $event_id = unique_id, $value = value, $value_currency = value_currency when given),
// profiles and metrics (DOM; keys sorted by nlohmann as everywhere else).
#include "../render.h"

namespace sim {

namespace {
// subscriptions / predictive_analytics of a written profile: nothing known yet.
const json& never_subscribed() {
  static const json s = json::parse(R"({
    "email":{"marketing":{"can_receive_email_marketing":false,"consent":"NEVER_SUBSCRIBED","consent_timestamp":null,
      "custom_method_detail":null,"double_optin":null,"last_updated":null,"list_suppressions":[],"method":null,
      "method_detail":null,"suppression":[]}},
    "mobile_push":{"marketing":{"can_receive_push_marketing":false,"consent":"NEVER_SUBSCRIBED","consent_timestamp":null}},
    "sms":{"marketing":{"can_receive_sms_marketing":false,"consent":"NEVER_SUBSCRIBED","consent_timestamp":null,
      "last_updated":null,"method":null,"method_detail":null},
      "transactional":{"can_receive_sms_transactional":false,"consent":"NEVER_SUBSCRIBED","consent_timestamp":null,
      "last_updated":null,"method":null,"method_detail":null}}})");
  return s;
}
const json& no_predictions() {
  static const json p = json::parse(R"({"average_days_between_orders":null,"average_order_value":0.0,
    "churn_probability":null,"expected_date_of_next_order":null,"historic_clv":0.0,"historic_number_of_orders":0.0,
    "predicted_clv":null,"predicted_number_of_orders":null,"ranked_channel_affinity":[],"total_clv":0.0})");
  return p;
}
}  // namespace

json render_written_profile(const Ctx& c, const WrittenStore& W, uint32_t j, bool subscriptions, bool predictive) {
  const WProfile& p = W.profiles[j];
  const std::string id = W.profile_id(j);
  json rest = p.rest.empty() ? json::object() : json::parse(p.rest);
  json a = json::object();
  for (int k = 0; k < 3; ++k) a[WrittenStore::kIdNames[k]] = p.ids[k].empty() ? json(nullptr) : json(p.ids[k]);
  for (const char* f : {"first_name", "last_name", "organization", "title", "image", "locale", "location"})
    a[f] = rest.contains(f) ? rest[f] : json(nullptr);
  a["properties"] = rest.contains("properties") ? rest["properties"] : json::object();
  a["created"] = tstr(p.created);
  a["updated"] = tstr(p.updated);
  a["last_event_date"] = opt_time(p.last_event);
  if (subscriptions) a["subscriptions"] = never_subscribed();
  if (predictive) a["predictive_analytics"] = no_predictions();
  json rel = json::object();
  for (const char* r : {"conversations", "lists", "push-tokens", "segments"})
    rel[r] = rel_many(c, json::array(), "profiles", id, r);
  return {{"type", "profile"}, {"id", id}, {"attributes", a}, {"relationships", rel},
          {"links", {{"self", c.res_url("profiles", id)}}}};
}

json render_written_metric(const Ctx& c, const WrittenStore& W, uint32_t j) {
  const WMetric& m = W.metrics[j];
  const Integration& in = integrations()[2];  // API
  json integ = {{"object", "integration"}, {"id", in.id}, {"key", in.key}, {"name", in.name}, {"category", in.category}};
  return {{"type", "metric"},
          {"id", m.id},
          {"attributes", {{"name", m.name}, {"created", tstr(m.created)}, {"updated", tstr(m.created)}, {"integration", integ}}},
          {"relationships", {{"flow-triggers", rel_many(c, json::array(), "metrics", m.id, "flow-triggers")}}},
          {"links", {{"self", c.res_url("metrics", m.id)}}}};
}

void write_written_event(const Ctx& c, const WrittenStore& W, JW& w, uint32_t j) {
  const WEvent& e = W.events[j];
  const std::string id = W.event_id(j), pid = W.profile_id(e.profile);
  const std::string base = c.base + "/api/events/";
  char uu[36];
  const uint64_t tie = W.event_tie(j);
  uuid_to(uu, hash(tie, 0x0d), hash(tie, 0x0e));
  w.obj();
  w.key("attributes").obj();
  w.key("datetime").s(TimeStr(e.t, 0).sv());
  w.key("event_properties");
  if (!(e.flags & (WEvent::kHasUid | WEvent::kHasValue)) && !e.currency) {
    w.raw(e.props());
  } else {
    json props = json::parse(e.props());
    if (e.flags & WEvent::kHasUid) props["$event_id"] = std::string(e.uid());
    if (e.flags & WEvent::kHasValue) props["$value"] = e.value;
    if (e.currency) props["$value_currency"] = W.currencies[e.currency];
    w.raw(props.dump());
  }
  w.key("timestamp").i(e.t / kUs);
  w.key("uuid").s(std::string_view(uu, 36));
  w.end_obj();  // attributes
  w.key("id").s(id);
  w.key("links").obj().key("self").cat({base, id, "/"}).end_obj();
  w.key("relationships").obj();
  rel_empty_w(w, "attributions", base, id);
  rel_one_w(w, "metric", "metric", W.metric_ref_id(c.ds, e.metric), base, id);
  rel_one_w(w, "profile", "profile", pid, base, id);
  w.end_obj();
  w.key("type").s("event");
  w.end_obj();
}

json render_written_event(const Ctx& c, const WrittenStore& W, uint32_t j) {
  std::string s;
  JW w(s);
  write_written_event(c, W, w, j);
  return json::parse(s);
}

}  // namespace sim
