// resources/report_stats.h — the counts behind a report's numbers and the statistics computed from
// them. Which statistics an endpoint accepts comes from Klaviyo's OpenAPI spec (report_statistics.h,
// generated); every one of them has a value rule here (checked at compile time).
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

#include "../api.h"

namespace sim {

enum ReportChannel { kEmail = 0, kSms = 1, kPush = 2 };

// What one unit (a campaign; a flow message's day or hour) sent and what came of it.
struct Counts {
  int64_t recipients = 0, delivered = 0, bounced = 0, failed = 0, opens = 0, opens_unique = 0, clicks = 0,
          clicks_unique = 0, unsubscribes = 0, unsubscribe_uniques = 0, spam = 0, conversions = 0,
          conversion_uniques = 0, segments = 0, value_cents = 0;
  Counts& operator+=(const Counts& o);
};

// A fraction in [lo, hi) drawn from hash(h, k).
double frac(uint64_t h, uint64_t k, double lo, double hi);
// One unit's counts: h = hash of (entity, unit), hm = hash of (entity, unit, conversion metric).
Counts make_counts(uint64_t h, uint64_t hm, int ch, int64_t recipients);

// A statistic's value from counts (integers for counts, 4-decimal rates, 2-decimal money).
using StatRule = json (*)(const Counts&);
struct Statistic {
  std::string name;
  StatRule value;
};
// The requested statistics (`requested`: the body's array of names) in request order; `invalid` is
// the first entry that is not a string or not in `accepted` (the request is then a 400).
struct Statistics {
  std::vector<Statistic> list;
  const json* invalid = nullptr;
};
Statistics resolve_statistics(const json& requested, std::span<const std::string_view> accepted);

}  // namespace sim
