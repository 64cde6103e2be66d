// resources/report_stats.cpp — report counts (pure functions of a hash: the same unit always reads
// the same) and the value rule of every statistic the spec lets a report request
// (report_statistics.h); rates are computed from the counts, so sums of units stay consistent.
#include "report_stats.h"

#include <algorithm>
#include <cmath>

#include "../report_statistics.h"
#include "../util.h"

namespace sim {

Counts& Counts::operator+=(const Counts& o) {
  recipients += o.recipients, delivered += o.delivered, bounced += o.bounced, failed += o.failed;
  opens += o.opens, opens_unique += o.opens_unique, clicks += o.clicks, clicks_unique += o.clicks_unique;
  unsubscribes += o.unsubscribes, unsubscribe_uniques += o.unsubscribe_uniques, spam += o.spam;
  conversions += o.conversions, conversion_uniques += o.conversion_uniques, segments += o.segments;
  value_cents += o.value_cents;
  return *this;
}

double frac(uint64_t h, uint64_t k, double lo, double hi) { return lo + unit(hash(h, k)) * (hi - lo); }

namespace {
int64_t part(int64_t n, double f) { return int64_t(std::floor(double(n) * f)); }
}  // namespace

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

namespace {
double ratio(int64_t a, int64_t b) { return b > 0 ? std::round(double(a) / double(b) * 10000) / 10000 : 0.0; }
double money(double v) { return std::round(v * 100) / 100; }
double value(const Counts& c) { return double(c.value_cents) / 100; }
double spend(const Counts& c) { return double(c.segments) / 100; }  // 1 SMS credit = $0.01

struct Rule {
  std::string_view name;
  StatRule value;
};
constexpr Rule kRules[] = {
    {"average_order_value",
     [](const Counts& c) -> json { return c.conversions ? money(value(c) / double(c.conversions)) : 0.0; }},
    {"bounce_rate", [](const Counts& c) -> json { return ratio(c.bounced, c.recipients); }},
    {"bounced", [](const Counts& c) -> json { return c.bounced; }},
    {"bounced_or_failed", [](const Counts& c) -> json { return c.bounced + c.failed; }},
    {"bounced_or_failed_rate", [](const Counts& c) -> json { return ratio(c.bounced + c.failed, c.recipients); }},
    {"click_rate", [](const Counts& c) -> json { return ratio(c.clicks_unique, c.delivered); }},
    {"click_to_open_rate", [](const Counts& c) -> json { return ratio(c.clicks_unique, c.opens_unique); }},
    {"clicks", [](const Counts& c) -> json { return c.clicks; }},
    {"clicks_unique", [](const Counts& c) -> json { return c.clicks_unique; }},
    {"conversion_rate", [](const Counts& c) -> json { return ratio(c.conversion_uniques, c.delivered); }},
    {"conversion_uniques", [](const Counts& c) -> json { return c.conversion_uniques; }},
    {"conversion_value", [](const Counts& c) -> json { return money(value(c)); }},
    {"conversions", [](const Counts& c) -> json { return c.conversions; }},
    {"delivered", [](const Counts& c) -> json { return c.delivered; }},
    {"delivery_rate", [](const Counts& c) -> json { return ratio(c.delivered, c.recipients); }},
    {"failed", [](const Counts& c) -> json { return c.failed; }},
    {"failed_rate", [](const Counts& c) -> json { return ratio(c.failed, c.recipients); }},
    {"message_segment_count_sum", [](const Counts& c) -> json { return c.segments; }},
    {"open_rate", [](const Counts& c) -> json { return ratio(c.opens_unique, c.delivered); }},
    {"opens", [](const Counts& c) -> json { return c.opens; }},
    {"opens_unique", [](const Counts& c) -> json { return c.opens_unique; }},
    {"recipients", [](const Counts& c) -> json { return c.recipients; }},
    {"revenue_per_recipient",
     [](const Counts& c) -> json { return c.delivered ? money(value(c) / double(c.delivered)) : 0.0; }},
    {"spam_complaint_rate", [](const Counts& c) -> json { return ratio(c.spam, c.delivered); }},
    {"spam_complaints", [](const Counts& c) -> json { return c.spam; }},
    {"text_message_credit_usage_amount", [](const Counts& c) -> json { return c.segments; }},
    {"text_message_roi",
     [](const Counts& c) -> json { return spend(c) > 0 ? std::round(value(c) / spend(c) * 100) / 100 : 0.0; }},
    {"text_message_spend", [](const Counts& c) -> json { return money(spend(c)); }},
    {"unsubscribe_rate", [](const Counts& c) -> json { return ratio(c.unsubscribe_uniques, c.delivered); }},
    {"unsubscribe_uniques", [](const Counts& c) -> json { return c.unsubscribe_uniques; }},
    {"unsubscribes", [](const Counts& c) -> json { return c.unsubscribes; }},
};

constexpr const Rule* find_rule(std::string_view name) {
  for (auto& r : kRules)
    if (r.name == name) return &r;
  return nullptr;
}
template <size_t N>
constexpr bool all_have_rules(const std::string_view (&names)[N]) {
  for (auto n : names)
    if (!find_rule(n)) return false;
  return true;
}
// After regenerating report_statistics.h from a newer spec, a new statistic needs its rule above.
static_assert(all_have_rules(kCampaignValuesStatistics), "a campaign-values statistic of the spec has no rule");
static_assert(all_have_rules(kFlowSeriesStatistics), "a flow-series statistic of the spec has no rule");
}  // namespace

Statistics resolve_statistics(const json& requested, std::span<const std::string_view> accepted) {
  Statistics out;
  for (auto& s : requested) {
    std::string name = s.is_string() ? s.get<std::string>() : "";
    if (!s.is_string() || std::find(accepted.begin(), accepted.end(), name) == accepted.end()) {
      out.invalid = &s;
      break;
    }
    out.list.push_back({name, find_rule(name)->value});
  }
  return out;
}

}  // namespace sim
