// resources/reports.cpp — POST /api/campaign-values-reports and POST /api/flow-series-reports:
// request validation (statistics, timeframe <= 1 year, interval limits, conversion metric) and
// deterministic statistics.
#include <httplib.h>

#include <cmath>

#include "../render.h"
#include "../util.h"
#include "../util.h"

namespace sim {

namespace {
const std::vector<std::string> kStats = {
    "average_order_value", "bounce_rate", "bounced", "bounced_or_failed", "bounced_or_failed_rate", "click_rate",
    "click_to_open_rate", "clicks", "clicks_unique", "conversion_rate", "conversion_uniques", "conversion_value",
    "conversions", "delivered", "delivery_rate", "failed", "failed_rate", "message_segment_count_sum", "open_rate",
    "opens", "opens_unique", "recipients", "revenue_per_recipient", "spam_complaint_rate", "spam_complaints",
    "text_message_credit_usage_amount", "text_message_roi", "text_message_spend", "unsubscribe_rate",
    "unsubscribe_uniques", "unsubscribes"};

bool is_rate(const std::string& s) { return s.find("rate") != std::string::npos; }
bool is_money(const std::string& s) {
  return s == "average_order_value" || s == "conversion_value" || s == "revenue_per_recipient" || s == "text_message_spend" ||
         s == "text_message_roi" || s == "text_message_credit_usage_amount";
}
json stat_value(const std::string& s, uint64_t h) {
  if (is_rate(s)) return std::round(unit(h) * 10000) / 10000;
  if (is_money(s)) return std::round(unit(h) * 500000) / 100;
  return int64_t(h % 5000);
}

bool bad_body(Ctx& c, const std::string& detail, const std::string& pointer) {
  c.status = 400;
  c.body = error_body(400, "invalid", "Invalid input.", detail, "pointer", pointer);
  return false;
}

// Parses body; fills timeframe [start,end); returns false after writing a 400.
bool parse_common(Ctx& c, const std::string& type, json& attrs, int64_t& start, int64_t& end) {
  json body;
  try {
    body = json::parse(c.req.body);
  } catch (...) {
    return bad_body(c, "JSON parse error - request body is not valid JSON.", "/data");
  }
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object())
    return bad_body(c, "'data' is a required field.", "/data");
  if (body["data"].value("type", "") != type) return bad_body(c, "Invalid resource type, expected '" + type + "'.", "/data/type");
  if (!body["data"].contains("attributes") || !body["data"]["attributes"].is_object())
    return bad_body(c, "'attributes' is a required field.", "/data/attributes");
  attrs = body["data"]["attributes"];
  if (!attrs.contains("statistics") || !attrs["statistics"].is_array() || attrs["statistics"].empty())
    return bad_body(c, "'statistics' is a required field.", "/data/attributes/statistics");
  for (auto& s : attrs["statistics"])
    if (!s.is_string() || std::find(kStats.begin(), kStats.end(), s.get<std::string>()) == kStats.end())
      return bad_body(c, "Invalid statistic: " + s.dump(), "/data/attributes/statistics");
  if (!attrs.contains("conversion_metric_id") || !attrs["conversion_metric_id"].is_string())
    return bad_body(c, "'conversion_metric_id' is a required field.", "/data/attributes/conversion_metric_id");
  auto mi = c.ds.find_metric(attrs["conversion_metric_id"].get<std::string>());
  if (!mi) return bad_body(c, "Conversion metric not found.", "/data/attributes/conversion_metric_id");
  if (std::string(integrations()[c.ds.metrics[*mi].integ].category) == "Internal")
    return bad_body(c, "Passed in conversion metric does not support querying for values data",
                    "/data/attributes/conversion_metric_id");
  if (!attrs.contains("timeframe") || !attrs["timeframe"].is_object())
    return bad_body(c, "'timeframe' is a required field.", "/data/attributes/timeframe");
  json tf = attrs["timeframe"];
  int64_t now = now_us();
  int64_t today = now - ((now % kDayUs) + kDayUs) % kDayUs;
  if (tf.contains("key")) {
    std::string k = tf["key"].is_string() ? tf["key"].get<std::string>() : "";
    struct K {
      const char* k;
      int64_t s, e;
    };
    int64_t d = kDayUs;
    const K keys[] = {{"today", today, now},
                      {"yesterday", today - d, today},
                      {"this_week", today - 6 * d, now},
                      {"last_week", today - 7 * d, today},
                      {"last_7_days", today - 7 * d, today},
                      {"this_month", today - 29 * d, now},
                      {"last_month", today - 30 * d, today},
                      {"last_30_days", today - 30 * d, today},
                      {"last_90_days", today - 90 * d, today},
                      {"last_3_months", today - 91 * d, today},
                      {"last_12_months", today - 365 * d, today},
                      {"last_365_days", today - 365 * d, today},
                      {"this_year", today - 180 * d, now},
                      {"last_year", today - 365 * d, today - 0}};
    bool found = false;
    for (auto& kk : keys)
      if (k == kk.k) start = kk.s, end = kk.e, found = true;
    if (!found) return bad_body(c, "Invalid timeframe key.", "/data/attributes/timeframe/key");
  } else {
    int64_t sv = 0, ev = 0;
    bool ok = tf.contains("start") && tf["start"].is_string() && tf.contains("end") && tf["end"].is_string();
    if (ok) {
      auto s = parse_time(tf["start"].get<std::string>());
      auto e = parse_time(tf["end"].get<std::string>());
      ok = s.has_value() && e.has_value();
      if (ok) sv = s.value(), ev = e.value();
    }
    if (!ok) return bad_body(c, "Timeframe requires 'key' or both 'start' and 'end' datetimes.", "/data/attributes/timeframe");
    if (ev <= sv) return bad_body(c, "Timeframe end must be after start.", "/data/attributes/timeframe");
    if (ev - sv > 366 * kDayUs) return bad_body(c, "The timeframe cannot be longer than 1 year.", "/data/attributes/timeframe");
    start = sv;
    end = ev;
  }
  return true;
}

bool check_group_by(Ctx& c, const json& attrs, const std::vector<std::string>& allowed, const std::string& a, const std::string& b) {
  if (!attrs.contains("group_by")) return true;
  if (!attrs["group_by"].is_array()) return bad_body(c, "'group_by' must be a list.", "/data/attributes/group_by");
  bool ha = false, hb = false;
  for (auto& g : attrs["group_by"]) {
    if (!g.is_string() || std::find(allowed.begin(), allowed.end(), g.get<std::string>()) == allowed.end())
      return bad_body(c, "Invalid group_by value: " + g.dump(), "/data/attributes/group_by");
    ha = ha || g == a;
    hb = hb || g == b;
  }
  if (!ha || !hb) return bad_body(c, "'" + a + "' and '" + b + "' are required in group_by.", "/data/attributes/group_by");
  return true;
}

std::string send_channel(uint8_t ch) { return ch == 0 ? "email" : ch == 1 ? "sms" : "push-notification"; }

void campaign_values(Ctx& c) {
  json attrs;
  int64_t s = 0, e = 0;
  if (!parse_common(c, "campaign-values-report", attrs, s, e)) return;
  if (!check_group_by(c, attrs, {"campaign_id", "campaign_message_id", "campaign_message_name", "group", "group_name", "send_channel",
                                 "tag_id", "tag_name", "text_message_format", "variation", "variation_name"},
                      "campaign_id", "campaign_message_id"))
    return;
  json results = json::array(), rels = json::array();
  std::string metric = attrs["conversion_metric_id"];
  for (uint32_t i = 0; i < c.ds.campaigns.size(); ++i) {
    const Campaign& k = c.ds.campaigns[i];
    if (!k.send_time || k.send_time < s || k.send_time >= e) continue;
    json stats = json::object();
    for (auto& st : attrs["statistics"])
      stats[st.get<std::string>()] = stat_value(st, hash(c.ds.seed, 0x4e9, i, std::hash<std::string>{}(st.get<std::string>() + metric)));
    results.push_back({{"groupings", {{"campaign_id", c.ds.campaign_id(i)}, {"campaign_message_id", c.ds.cmessage_id(i)},
                                      {"send_channel", send_channel(k.channel)}}},
                       {"statistics", stats}});
    rels.push_back(ref("campaign", c.ds.campaign_id(i)));
  }
  json doc = {{"data", {{"type", "campaign-values-report"},
                        {"id", uuid_from(hash(c.ds.seed, uint64_t(s)), hash(c.ds.seed, uint64_t(e)))},
                        {"attributes", {{"results", results}}},
                        {"relationships", {{"campaigns", {{"data", rels}}}}}}},
              {"links", {{"self", c.base + c.req.path}}}};
  c.status = 200;
  c.body = doc.dump();
}

void flow_series(Ctx& c) {
  json attrs;
  int64_t s = 0, e = 0;
  if (!parse_common(c, "flow-series-report", attrs, s, e)) return;
  if (!check_group_by(c, attrs, {"flow_id", "flow_message_id", "flow_message_name", "flow_name", "send_channel", "tag_id",
                                 "tag_name", "text_message_format", "variation", "variation_name"},
                      "flow_id", "flow_message_id"))
    return;
  std::string interval = attrs.value("interval", "");
  int64_t step = interval == "hourly" ? 3600 * kUs : interval == "daily" ? kDayUs : interval == "weekly" ? 7 * kDayUs
               : interval == "monthly" ? 30 * kDayUs : 0;
  if (!attrs.contains("interval") || step == 0)
    return (void)bad_body(c, "'interval' is required: one of hourly, daily, weekly, monthly.", "/data/attributes/interval");
  if ((interval == "hourly" && e - s > 7 * kDayUs) || (interval == "daily" && e - s > 60 * kDayUs) ||
      (interval == "monthly" && e - s > 52 * 7 * kDayUs))
    return (void)bad_body(c, "The timeframe is too long for the '" + interval + "' interval.", "/data/attributes/interval");
  json dts = json::array();
  int64_t first = s - ((s % step) + step) % step;
  if (interval == "weekly" || interval == "monthly") first = s - ((s % kDayUs) + kDayUs) % kDayUs;
  size_t nb = 0;
  for (int64_t t = first; t < e; t += step, ++nb) dts.push_back(fmt_time(t));
  json results = json::array(), rflows = json::array(), rmsgs = json::array();
  std::string metric = attrs["conversion_metric_id"];
  std::set<std::string> seen;
  for (uint32_t mi = 0; mi < c.ds.messages.size(); ++mi) {
    const FlowMessage& m = c.ds.messages[mi];
    const FlowAction& a = c.ds.actions[m.action];
    const Flow& f = c.ds.flows[a.flow];
    if (f.status != 2 || m.created >= e) continue;
    json stats = json::object();
    for (auto& st : attrs["statistics"]) {
      json arr = json::array();
      for (size_t b = 0; b < nb; ++b)
        arr.push_back(stat_value(st, hash(c.ds.seed, 0x5e5, mi, std::hash<std::string>{}(st.get<std::string>() + metric + dts[b].get<std::string>()))));
      stats[st.get<std::string>()] = arr;
    }
    results.push_back({{"groupings", {{"flow_id", f.id}, {"flow_message_id", c.ds.fmessage_id(mi)},
                                      {"send_channel", a.type == 0 ? "email" : "sms"}}},
                       {"statistics", stats}});
    if (seen.insert(f.id).second) rflows.push_back(ref("flow", f.id));
    rmsgs.push_back(ref("flow-message", c.ds.fmessage_id(mi)));
  }
  json doc = {{"data", {{"type", "flow-series-report"},
                        {"id", uuid_from(hash(c.ds.seed, uint64_t(s), 1), hash(c.ds.seed, uint64_t(e), 1))},
                        {"attributes", {{"results", results}, {"date_times", dts}}},
                        {"relationships", {{"flows", {{"data", rflows}}}, {"flow-messages", {{"data", rmsgs}}}}}}},
              {"links", {{"self", c.base + c.req.path}}}};
  c.status = 200;
  c.body = doc.dump();
}
}  // namespace

void add_report_routes(std::vector<Route>& r) {
  auto R = [](const Ctx&) { return tiers::REPORT; };
  r.push_back({"POST", "/api/campaign-values-reports", {"campaigns"}, R, campaign_values});
  r.push_back({"POST", "/api/flow-series-reports", {"flows"}, R, flow_series});
}

}  // namespace sim
