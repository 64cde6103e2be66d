// resources/reports.cpp — POST /api/campaign-values-reports and POST /api/flow-series-reports.
//
// Timeframes are read on the account's wall clock (--timezone, AccountZone): a custom {start, end}
// keeps only its YYYY-MM-DDTHH:MM:SS fields (the offset is validated, then ignored), both ends are
// inclusive and the end is rounded up to HH:59:59; keys are calendar ranges in that zone. Limits:
// end after start, end <= start + 1 year; flow series hourly <= 168 local hours touched, daily <= 60
// local days, monthly <= 364 local days (52 weeks).
//
// Statistics are derived from counts (recipients, delivered, opens, …, conversions, value) that are
// pure functions of (seed, flow message or campaign, conversion metric, local day / hour): a flow
// message's day reads the same in every window that covers it (weekly/monthly buckets sum the days
// of the bucket inside the window), rates are computed from the summed counts, and a campaign's
// values are its totals (Klaviyo attributes by send date), reported when its send time is inside
// the timeframe. Days (hours) that start after now, or before the flow message was created, are 0.
#include <httplib.h>

#include <algorithm>
#include <cmath>

#include "../render.h"
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

// ---- counts and statistics -------------------------------------------------------------------

enum Channel { kEmail = 0, kSms = 1, kPush = 2 };

struct Counts {
  int64_t recipients = 0, delivered = 0, bounced = 0, failed = 0, opens = 0, opens_unique = 0, clicks = 0,
          clicks_unique = 0, unsubscribes = 0, unsubscribe_uniques = 0, spam = 0, conversions = 0,
          conversion_uniques = 0, segments = 0, value_cents = 0;
  Counts& operator+=(const Counts& o) {
    recipients += o.recipients, delivered += o.delivered, bounced += o.bounced, failed += o.failed;
    opens += o.opens, opens_unique += o.opens_unique, clicks += o.clicks, clicks_unique += o.clicks_unique;
    unsubscribes += o.unsubscribes, unsubscribe_uniques += o.unsubscribe_uniques, spam += o.spam;
    conversions += o.conversions, conversion_uniques += o.conversion_uniques, segments += o.segments;
    value_cents += o.value_cents;
    return *this;
  }
};

double frac(uint64_t h, uint64_t k, double lo, double hi) { return lo + unit(hash(h, k)) * (hi - lo); }
int64_t part(int64_t n, double f) { return int64_t(std::floor(double(n) * f)); }

// One unit's counts: h = hash of (entity, unit), hm = hash of (entity, unit, conversion metric).
Counts make_counts(uint64_t h, uint64_t hm, int ch, int64_t recipients) {
  Counts c;
  c.recipients = recipients;
  if (recipients <= 0) return c;
  if (ch == kEmail) c.bounced = part(recipients, frac(h, 1, 0, 0.03));
  else c.failed = part(recipients, frac(h, 2, 0, ch == kSms ? 0.04 : 0.02));
  c.delivered = recipients - c.bounced - c.failed;
  if (ch != kSms) {  // SMS has no opens
    c.opens_unique = part(c.delivered, ch == kEmail ? frac(h, 3, 0.15, 0.55) : frac(h, 3, 0.02, 0.1));
    c.opens = c.opens_unique + part(c.opens_unique, frac(h, 4, 0, 0.8));
  }
  c.clicks_unique = part(ch == kSms ? c.delivered : c.opens_unique, frac(h, 5, 0.02, 0.15));
  c.clicks = c.clicks_unique + part(c.clicks_unique, frac(h, 6, 0, 0.5));
  c.unsubscribe_uniques = part(c.delivered, frac(h, 7, 0, 0.006));
  c.unsubscribes = c.unsubscribe_uniques + (c.unsubscribe_uniques > 0 && hash(h, 8) % 4 == 0 ? 1 : 0);
  if (ch == kEmail) c.spam = part(c.delivered, frac(h, 9, 0, 0.0008));
  if (ch == kSms) c.segments = c.delivered + part(c.delivered, frac(h, 10, 0, 0.6));
  c.conversion_uniques = part(c.delivered, frac(hm, 11, 0, 0.05));
  c.conversions = c.conversion_uniques + part(c.conversion_uniques, frac(hm, 12, 0, 0.3));
  for (int64_t k = 0; k < c.conversions; ++k) c.value_cents += 1500 + int64_t(hash(hm, 13, uint64_t(k)) % 23500);
  return c;
}

double ratio(int64_t a, int64_t b) { return b > 0 ? std::round(double(a) / double(b) * 10000) / 10000 : 0.0; }
double money(double v) { return std::round(v * 100) / 100; }

json stat_value(const std::string& s, const Counts& c) {
  double value = double(c.value_cents) / 100, spend = double(c.segments) / 100;  // 1 credit = $0.01
  if (s == "average_order_value") return c.conversions ? money(value / double(c.conversions)) : 0.0;
  if (s == "bounce_rate") return ratio(c.bounced, c.recipients);
  if (s == "bounced") return c.bounced;
  if (s == "bounced_or_failed") return c.bounced + c.failed;
  if (s == "bounced_or_failed_rate") return ratio(c.bounced + c.failed, c.recipients);
  if (s == "click_rate") return ratio(c.clicks_unique, c.delivered);
  if (s == "click_to_open_rate") return ratio(c.clicks_unique, c.opens_unique);
  if (s == "clicks") return c.clicks;
  if (s == "clicks_unique") return c.clicks_unique;
  if (s == "conversion_rate") return ratio(c.conversion_uniques, c.delivered);
  if (s == "conversion_uniques") return c.conversion_uniques;
  if (s == "conversion_value") return money(value);
  if (s == "conversions") return c.conversions;
  if (s == "delivered") return c.delivered;
  if (s == "delivery_rate") return ratio(c.delivered, c.recipients);
  if (s == "failed") return c.failed;
  if (s == "failed_rate") return ratio(c.failed, c.recipients);
  if (s == "message_segment_count_sum") return c.segments;
  if (s == "open_rate") return ratio(c.opens_unique, c.delivered);
  if (s == "opens") return c.opens;
  if (s == "opens_unique") return c.opens_unique;
  if (s == "recipients") return c.recipients;
  if (s == "revenue_per_recipient") return c.delivered ? money(value / double(c.delivered)) : 0.0;
  if (s == "spam_complaint_rate") return ratio(c.spam, c.delivered);
  if (s == "spam_complaints") return c.spam;
  if (s == "text_message_credit_usage_amount") return c.segments;
  if (s == "text_message_roi") return spend > 0 ? std::round(value / spend * 100) / 100 : 0.0;
  if (s == "text_message_spend") return money(spend);
  if (s == "unsubscribe_rate") return ratio(c.unsubscribe_uniques, c.delivered);
  if (s == "unsubscribe_uniques") return c.unsubscribe_uniques;
  return c.unsubscribes;  // "unsubscribes" (names are validated against kStats)
}

// ---- timeframes ------------------------------------------------------------------------------

struct Timeframe {
  cctz::civil_second s, e;  // account wall clock, both inclusive; e rounded up to HH:59:59
  int64_t s_us = 0, e_us = 0;  // their instants (e: the later one when the wall time repeats)
  cctz::civil_day first() const { return cctz::civil_day(s); }
  cctz::civil_day last() const { return cctz::civil_day(e); }
  int64_t days() const { return last() - first() + 1; }
};

bool bad_body(Ctx& c, const std::string& detail, const std::string& pointer) {
  c.status = 400;
  c.body = error_body(400, "invalid", "Invalid input.", detail, "pointer", pointer);
  return false;
}

bool parse_timeframe(Ctx& c, const json& tf, Timeframe& out) {
  const AccountZone& z = c.st.zone;
  const char* ptr = "/data/attributes/timeframe";
  cctz::civil_second now = z.local(now_us());
  cctz::civil_day today(now), yesterday = today - 1;
  cctz::civil_second s, e;
  if (tf.contains("key")) {
    std::string k = tf["key"].is_string() ? tf["key"].get<std::string>() : "";
    cctz::civil_day a, b = yesterday;
    bool to_now = false;
    cctz::civil_day sunday = cctz::prev_weekday(today + 1, cctz::weekday::sunday);  // weeks start on Sunday
    cctz::civil_month month(today);
    if (k == "today") a = today, to_now = true;
    else if (k == "yesterday") a = yesterday;
    else if (k == "this_week") a = sunday, to_now = true;
    else if (k == "last_week") a = sunday - 7, b = sunday - 1;
    else if (k == "last_7_days") a = today - 7;
    else if (k == "this_month") a = cctz::civil_day(month), to_now = true;
    else if (k == "last_month") a = cctz::civil_day(month - 1), b = cctz::civil_day(month) - 1;
    else if (k == "last_30_days") a = today - 30;
    else if (k == "last_90_days") a = today - 90;
    else if (k == "last_3_months") a = cctz::civil_day(cctz::civil_month(month - 3)) + (today.day() - 1);
    else if (k == "last_12_months") a = cctz::civil_day(today.year() - 1, today.month(), 1) + (today.day() - 1);
    else if (k == "last_365_days") a = today - 365;
    else if (k == "this_year") a = cctz::civil_day(today.year(), 1, 1), to_now = true;
    else if (k == "last_year") a = cctz::civil_day(today.year() - 1, 1, 1), b = cctz::civil_day(today.year() - 1, 12, 31);
    else return bad_body(c, "Invalid timeframe key.", std::string(ptr) + "/key");
    s = cctz::civil_second(a);
    e = to_now ? now : cctz::civil_second(b.year(), b.month(), b.day(), 23, 59, 59);
  } else {
    std::optional<cctz::civil_second> ws, we;
    if (tf.contains("start") && tf["start"].is_string() && tf.contains("end") && tf["end"].is_string()) {
      ws = parse_wall(tf["start"].get<std::string>());
      we = parse_wall(tf["end"].get<std::string>());
    }
    if (!ws || !we) return bad_body(c, "Timeframe requires 'key' or both 'start' and 'end' datetimes.", ptr);
    s = *ws;
    e = *we;
    if (e <= s) return bad_body(c, "Timeframe end must be after start.", ptr);
    if (e > cctz::civil_second(s.year() + 1, s.month(), s.day(), s.hour(), s.minute(), s.second()))
      return bad_body(c, "The timeframe cannot be longer than 1 year.", ptr);
  }
  out.s = s;
  out.e = cctz::civil_second(cctz::civil_hour(e)) + 3599;
  out.s_us = z.instant(out.s);
  out.e_us = z.instant(out.e, true);
  return true;
}

// Parses the body; fills attrs, tf and the conversion metric index; returns false after writing a 400.
bool parse_common(Ctx& c, const std::string& type, json& attrs, Timeframe& tf, uint32_t& metric) {
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
  if (!supports_reporting(c.ds.metrics[*mi]))
    return bad_body(c, "Passed in conversion metric does not support querying for values data",
                    "/data/attributes/conversion_metric_id");
  metric = *mi;
  if (!attrs.contains("timeframe") || !attrs["timeframe"].is_object())
    return bad_body(c, "'timeframe' is a required field.", "/data/attributes/timeframe");
  return parse_timeframe(c, attrs["timeframe"], tf);
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

std::string send_channel(uint8_t ch) { return ch == kEmail ? "email" : ch == kSms ? "sms" : "push-notification"; }

// ---- campaign values ---------------------------------------------------------------------------

Counts campaign_counts(const Dataset& d, uint32_t i, uint32_t metric) {
  uint64_t h = hash(d.seed, 0xCA5, i);
  return make_counts(h, hash(h, 0xC0, metric), d.campaigns[i].channel, 100 + int64_t(hash(h, 1) % 5000));
}

void campaign_values(Ctx& c) {
  json attrs;
  Timeframe tf;
  uint32_t metric = 0;
  if (!parse_common(c, "campaign-values-report", attrs, tf, metric)) return;
  if (!check_group_by(c, attrs, {"campaign_id", "campaign_message_id", "campaign_message_name", "group", "group_name", "send_channel",
                                 "tag_id", "tag_name", "text_message_format", "variation", "variation_name"},
                      "campaign_id", "campaign_message_id"))
    return;
  json results = json::array(), rels = json::array();
  int64_t now = now_us();
  for (uint32_t i = 0; i < c.ds.campaigns.size(); ++i) {
    const Campaign& k = c.ds.campaigns[i];
    if (!campaign_reported(k, now)) continue;
    cctz::civil_second sent = c.st.zone.local(k.send_time);
    if (sent < tf.s || sent > tf.e) continue;
    Counts n = campaign_counts(c.ds, i, metric);
    json stats = json::object();
    for (auto& st : attrs["statistics"]) stats[st.get<std::string>()] = stat_value(st, n);
    results.push_back({{"groupings", {{"campaign_id", c.ds.campaign_id(i)}, {"campaign_message_id", c.ds.cmessage_id(i)},
                                      {"send_channel", send_channel(k.channel)}}},
                       {"statistics", stats}});
    rels.push_back(ref("campaign", c.ds.campaign_id(i)));
  }
  json doc = {{"data", {{"type", "campaign-values-report"},
                        {"id", uuid_from(hash(c.ds.seed, uint64_t(tf.s_us)), hash(c.ds.seed, uint64_t(tf.e_us)))},
                        {"attributes", {{"results", results}}},
                        {"relationships", {{"campaigns", {{"data", rels}}}}}}},
              {"links", {{"self", c.base + c.req.path}}}};
  c.status = 200;
  c.body = doc.dump();
}

// ---- flow series -------------------------------------------------------------------------------

int64_t day_number(const cctz::civil_day& d) { return d - cctz::civil_day(1970, 1, 1); }

struct FlowSeriesGen {
  const Ctx& c;
  uint32_t metric;
  int64_t now;

  int channel(uint32_t mi) const { return c.ds.actions[c.ds.messages[mi].action].type == 2 ? kSms : kEmail; }
  int64_t daily_volume(uint32_t mi) const { return 3 + int64_t(hash(c.ds.seed, 0xF5B, mi) % 80); }
  // Local day d of message mi (0 before its creation day and from the first day starting after now).
  Counts day(uint32_t mi, const cctz::civil_day& d) const {
    const AccountZone& z = c.st.zone;
    if (d < cctz::civil_day(z.local(c.ds.messages[mi].created)) || z.instant(cctz::civil_second(d)) > now) return {};
    uint64_t h = hash(c.ds.seed, 0xF5D, mi, uint64_t(day_number(d)));
    int64_t vol = hash(h, 0xA1) % 100 < 15 ? 0 : int64_t(double(daily_volume(mi)) * frac(h, 0xA2, 0.4, 1.6));
    return make_counts(h, hash(h, 0xC0, metric), channel(mi), vol);
  }
  // The clock hour starting at instant t (0 before the message was created and after now).
  Counts hour(uint32_t mi, int64_t t) const {
    if (t > now || t + 3600 * kUs <= c.ds.messages[mi].created) return {};
    uint64_t h = hash(c.ds.seed, 0xF5E, mi, uint64_t(t / (3600 * kUs)));
    int64_t vol = hash(h, 0xA1) % 100 < 40 ? 0 : 1 + int64_t(hash(h, 0xA2) % uint64_t(daily_volume(mi) / 8 + 1));
    return make_counts(h, hash(h, 0xC0, metric), channel(mi), vol);
  }
};

void flow_series(Ctx& c) {
  json attrs;
  Timeframe tf;
  uint32_t metric = 0;
  if (!parse_common(c, "flow-series-report", attrs, tf, metric)) return;
  if (!check_group_by(c, attrs, {"flow_id", "flow_message_id", "flow_message_name", "flow_name", "send_channel", "tag_id",
                                 "tag_name", "text_message_format", "variation", "variation_name"},
                      "flow_id", "flow_message_id"))
    return;
  std::string interval = attrs.contains("interval") && attrs["interval"].is_string() ? attrs["interval"].get<std::string>() : "";
  if (interval != "hourly" && interval != "daily" && interval != "weekly" && interval != "monthly")
    return (void)bad_body(c, "'interval' is required: one of hourly, daily, weekly, monthly.", "/data/attributes/interval");
  int64_t hours = cctz::civil_hour(tf.e) - cctz::civil_hour(tf.s) + 1;
  if ((interval == "hourly" && hours > 7 * 24) || (interval == "daily" && tf.days() > 60) ||
      (interval == "monthly" && tf.days() > 52 * 7))
    return (void)bad_body(c, "The timeframe is too long for the '" + interval + "' interval.", "/data/attributes/interval");

  const AccountZone& z = c.st.zone;
  FlowSeriesGen gen{c, metric, now_us()};
  // Buckets: hourly = instants of the clock hours touched; otherwise [first day, last day] ranges.
  std::vector<int64_t> hour_starts;
  std::vector<std::pair<cctz::civil_day, cctz::civil_day>> ranges;
  json dts = json::array();
  if (interval == "hourly") {
    for (int64_t t = z.instant(cctz::civil_second(cctz::civil_hour(tf.s))); t <= tf.e_us; t += 3600 * kUs) {
      hour_starts.push_back(t);
      dts.push_back(z.format(t));
    }
  } else {
    for (cctz::civil_day d = tf.first(); d <= tf.last();) {
      cctz::civil_day next = interval == "daily" ? d + 1 : interval == "weekly" ? d + 7 : cctz::civil_day(cctz::civil_month(d) + 1);
      ranges.emplace_back(d, std::min(next - 1, tf.last()));
      dts.push_back(z.format(z.instant(cctz::civil_second(d))));
      d = next;
    }
  }
  json results = json::array(), rflows = json::array(), rmsgs = json::array();
  std::set<std::string> seen;
  std::vector<Counts> buckets;
  for (uint32_t mi = 0; mi < c.ds.messages.size(); ++mi) {
    const FlowMessage& m = c.ds.messages[mi];
    const FlowAction& a = c.ds.actions[m.action];
    const Flow& f = c.ds.flows[a.flow];
    if (f.status != 2 || z.local(m.created) > tf.e) continue;
    buckets.assign(hour_starts.size() + ranges.size(), Counts{});
    for (size_t b = 0; b < hour_starts.size(); ++b) buckets[b] = gen.hour(mi, hour_starts[b]);
    for (size_t b = 0; b < ranges.size(); ++b)
      for (cctz::civil_day d = ranges[b].first; d <= ranges[b].second; ++d) buckets[b] += gen.day(mi, d);
    json stats = json::object();
    for (auto& st : attrs["statistics"]) {
      json arr = json::array();
      for (auto& n : buckets) arr.push_back(stat_value(st, n));
      stats[st.get<std::string>()] = std::move(arr);
    }
    results.push_back({{"groupings", {{"flow_id", f.id}, {"flow_message_id", c.ds.fmessage_id(mi)},
                                      {"send_channel", send_channel(uint8_t(gen.channel(mi)))}}},
                       {"statistics", stats}});
    if (seen.insert(f.id).second) rflows.push_back(ref("flow", f.id));
    rmsgs.push_back(ref("flow-message", c.ds.fmessage_id(mi)));
  }
  json doc = {{"data", {{"type", "flow-series-report"},
                        {"id", uuid_from(hash(c.ds.seed, uint64_t(tf.s_us), 1), hash(c.ds.seed, uint64_t(tf.e_us), 1))},
                        {"attributes", {{"results", results}, {"date_times", dts}}},
                        {"relationships", {{"flows", {{"data", rflows}}}, {"flow-messages", {{"data", rmsgs}}}}}}},
              {"links", {{"self", c.base + c.req.path}}}};
  c.status = 200;
  c.body = doc.dump();
}
}  // namespace

void add_report_routes(std::vector<Route>& r) {
  r.insert(r.end(), {
      // method, pattern, scopes, tier (its daily quota is --report-daily-quota, see server.cpp), handler
      {"POST", "/api/campaign-values-reports", {"campaigns"}, tiers::REPORT, campaign_values},
      {"POST", "/api/flow-series-reports", {"flows"}, tiers::REPORT, flow_series},
  });
}

}  // namespace sim
