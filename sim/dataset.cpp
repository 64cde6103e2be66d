// dataset.cpp — deterministic generation of the compact account (metrics, profiles, events,
// lists/segments + memberships, campaigns, flows, templates, tags), id derivation, id lookup,
// and the deterministic mutations used by /__sim/mutate.
#include "dataset.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "util.h"

namespace sim {

namespace {
std::string skey(char kind, const std::string& id) {
  std::string k;
  k.reserve(id.size() + 2);
  k.push_back(kind);
  k.push_back(':');
  k.append(id);
  return k;
}
constexpr uint64_t kProfile = 0x50, kEvent = 0xE0, kCampaign = 0xCA, kCMessage = 0xC3, kTemplate = 0x7E,
                   kFMessage = 0xF3;
constexpr int64_t kYearUs = 365 * kDayUs;

struct MetricDef {
  const char* name;
  uint8_t integ;
  uint16_t weight;
};
const MetricDef kMetricDefs[] = {
    {"Placed Order", 1, 6},       {"Received Email", 0, 30},  {"Opened Email", 0, 15},
    {"Clicked Email", 0, 5},      {"Viewed Product", 2, 18},  {"Ordered Product", 1, 8},
    {"Started Checkout", 1, 5},   {"Active on Site", 2, 14},  {"Subscribed to List", 0, 3},
    {"Unsubscribed", 0, 1},       {"Fulfilled Order", 1, 5},  {"Bounced Email", 0, 1},
    {"Added to Cart", 2, 6},      {"Marked Email as Spam", 0, 1}, {"Received SMS", 0, 6},
    {"Refunded Order", 1, 1},     {"Cancelled Order", 1, 1},  {"Clicked SMS", 0, 2},
};
}  // namespace

const std::vector<Integration>& integrations() {
  static const std::vector<Integration> v = {
      {"0rG4eQ", "klaviyo", "Klaviyo", "Internal"},
      {"0eMvjm", "shopify", "Shopify", "eCommerce"},
      {"7FtS4J", "api", "API", "API"},
  };
  return v;
}
const std::vector<std::string>& campaign_statuses() {
  static const std::vector<std::string> v = {"Sent", "Draft", "Scheduled", "Cancelled", "Sending",
                                             "Cancelled: Smart Sending", "Variations Sent"};
  return v;
}
const std::vector<std::string>& flow_triggers() {
  static const std::vector<std::string> v = {"Metric", "Added to List", "Date Based", "Price Drop",
                                             "Low Inventory", "Unconfigured"};
  return v;
}
const char* channel_name(uint8_t c) { return c == 0 ? "email" : c == 1 ? "sms" : "mobile_push"; }

bool supports_reporting(const Metric& m) { return std::string_view(integrations()[m.integ].category) != "Internal"; }
bool campaign_reported(const Campaign& c, int64_t now) {
  return c.send_time != 0 && c.send_time <= now && (c.status == 0 || c.status == 4 || c.status == 6);
}

bool has_tag(uint64_t seed, char kind, uint32_t idx, uint32_t tag) {
  return hash(seed, 0x7a9, uint64_t(kind) * 1000003 + idx, tag) % 100 < 18;
}

Dataset::Dataset(uint64_t seed_, Sizes sizes_, int64_t anchor_us) : seed(seed_), sizes(sizes_), anchor(anchor_us) {
  gen_metrics();
  gen_profiles();
  gen_events();
  gen_groups();
  gen_content();
}

// Random instant in [lo, hi), whole seconds unless micro.
static int64_t rnd_time(uint64_t h, int64_t lo, int64_t hi, bool micro) {
  if (hi <= lo) return lo;
  int64_t t = lo + int64_t(unit(h) * double(hi - lo));
  if (!micro) t -= ((t % kUs) + kUs) % kUs;
  if (t < lo) t += kUs;
  return std::min(t, hi - 1);
}

void Dataset::gen_metrics() {
  const size_t ndefs = sizeof(kMetricDefs) / sizeof(kMetricDefs[0]);
  int64_t lo = anchor - 3 * kYearUs;
  for (uint32_t i = 0; i < sizes.metrics; ++i) {
    Metric m;
    m.id = short_id(seed, 1, i);
    if (i < ndefs) {
      m.name = kMetricDefs[i].name;
      m.integ = kMetricDefs[i].integ;
      m.weight = kMetricDefs[i].weight;
    } else {
      m.name = "Custom Event " + std::to_string(i - ndefs + 1);
      m.integ = 2;
      m.weight = 1;
    }
    m.created = rnd_time(hash(seed, 0x3e7, i, 1), lo, lo + kYearUs / 4, false);
    m.updated = rnd_time(hash(seed, 0x3e7, i, 2), m.created, anchor, false);
    total_metric_weight_ += m.weight;
    short_index_[skey('m', m.id)] = i;
    metrics.push_back(std::move(m));
  }
}

uint32_t Dataset::pick_metric(uint64_t h) const {
  if (metrics.empty()) return 0;
  uint32_t r = uint32_t(h % total_metric_weight_);
  for (uint32_t i = 0; i < metrics.size(); ++i) {
    if (r < metrics[i].weight) return i;
    r -= metrics[i].weight;
  }
  return 0;
}

Profile Dataset::make_profile(uint32_t gen, int64_t lo, int64_t hi) {
  Profile p;
  p.gen = gen;
  uint64_t h = hash(seed, kProfile, gen);
  p.created = rnd_time(hash(h, 1), lo, hi, hash(h, 2) % 5 == 0);
  double u = unit(hash(h, 3));
  p.updated = p.created + int64_t(std::sqrt(u) * double(hi - p.created));
  if (hash(h, 4) % 5 != 0) p.updated -= p.updated % kUs;
  if (p.updated >= hi) p.updated = std::max(p.created, hi - kUs);
  uint64_t f = hash(h, 5) % 100;
  p.cfmt = f < 2 ? 2 : (p.created % kUs ? 1 : 0);
  f = hash(h, 6) % 100;
  p.ufmt = f < 2 ? 2 : (p.updated % kUs ? 1 : 0);
  if (p.cfmt == 1 && p.created % kUs == 0) p.cfmt = 0;
  if (hash(h, 7) % 100 < 5) {  // ~5% globally suppressed
    p.supp_reason = uint8_t(hash(h, 8) % 5);
    p.supp_ts = rnd_time(hash(h, 9), p.created, std::max(p.created + kUs, p.updated + kUs), false);
    if (p.supp_ts > p.updated) p.updated = p.supp_ts;  // suppression bumps updated
  }
  if (sizes.lists > 0 && hash(h, 10) % 100 < 3) {
    p.lsupp_list = uint16_t(hash(h, 11) % sizes.lists);
    p.lsupp_ts = rnd_time(hash(h, 12), p.created, std::max(p.created + kUs, p.updated + kUs), false);
    if (p.lsupp_ts > p.updated) p.updated = p.lsupp_ts;
  }
  return p;
}

void Dataset::gen_profiles() {
  int64_t lo = anchor - 3 * kYearUs;
  profiles.reserve(sizes.profiles);
  for (uint32_t i = 0; i < sizes.profiles; ++i) {
    Profile p = make_profile(i, lo, anchor);
    // ties: ~4% share the previous profile's `updated` instant
    if (i > 0 && hash(seed, kProfile, i, 99) % 100 < 4 && profiles.back().updated >= p.created) {
      p.updated = profiles.back().updated;
      p.ufmt = p.updated % kUs ? 1 : 0;
      p.supp_ts = std::min(p.supp_ts, p.updated);
      p.lsupp_ts = std::min(p.lsupp_ts, p.updated);
    }
    profiles.push_back(p);
  }
}

void Dataset::gen_events() {
  uint32_t n = sizes.events;
  if (profiles.empty() || metrics.empty()) return;
  events.reserve(n);
  int64_t lo = anchor - 3 * kYearUs;
  uint32_t nfuture = n >= 100 ? std::max<uint32_t>(1, n / 1000) : 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t h = hash(seed, kEvent, i);
    Event e;
    e.profile = uint32_t(hash(h, 1) % profiles.size());
    e.metric = uint16_t(pick_metric(hash(h, 2)));
    if (i >= n - nfuture) {
      e.t = anchor + (1 + int64_t(hash(h, 3) % 30)) * kDayUs + int64_t(hash(h, 4) % 86400) * kUs;
    } else if (i > 0 && hash(h, 5) % 100 < 4 && events.back().t < anchor) {
      e.t = events.back().t;  // ties: groups of events at the same instant
    } else {
      double u = std::sqrt(unit(hash(h, 6)));  // denser towards the present
      e.t = lo + int64_t(u * double(anchor - lo));
      if (hash(h, 7) % 100 >= 15) e.t -= e.t % kUs;
      if (e.t >= anchor) e.t = anchor - kUs;
    }
    e.fmt = e.t % kUs ? 1 : 0;
    Profile& p = profiles[e.profile];
    if (e.t > p.last_event) p.last_event = e.t;
    events.push_back(e);
  }
  sort_events();
}

uint64_t Dataset::event_tie(uint32_t i) const { return permute(seed ^ kEvent, i); }

void Dataset::sort_events() {
  event_order.resize(events.size());
  for (uint32_t i = 0; i < events.size(); ++i) event_order[i] = i;
  std::sort(event_order.begin(), event_order.end(), [&](uint32_t a, uint32_t b) {
    if (events[a].t != events[b].t) return events[a].t < events[b].t;
    return event_tie(a) < event_tie(b);
  });
}

void Dataset::gen_groups() {
  int64_t lo = anchor - 3 * kYearUs;
  static const char* list_names[] = {"Newsletter", "VIP Customers", "Preview List", "SMS Subscribers",
                                     "Holiday Shoppers", "Wholesale", "Back in Stock", "Website Signups",
                                     "Event Attendees", "Beta Testers"};
  static const char* seg_names[] = {"Engaged (90 days)", "Repeat Buyers", "At Risk", "Big Spenders",
                                    "New Subscribers", "Lapsed Customers", "Never Purchased",
                                    "Opened Last 30 Days", "Predicted High CLV", "Unengaged"};
  for (int kind = 0; kind < 2; ++kind) {
    uint32_t n = kind == 0 ? sizes.lists : sizes.segments;
    auto& out = kind == 0 ? lists : segments;
    for (uint32_t g = 0; g < n; ++g) {
      uint64_t h = hash(seed, 0x6c0 + uint64_t(kind), g);
      Group gr;
      gr.id = short_id(seed, 2 + uint64_t(kind), g);
      gr.name = std::string(kind == 0 ? list_names[g % 10] : seg_names[g % 10]);
      if (g >= 10) {
        gr.name += ' ';
        gr.name += std::to_string(g / 10 + 1);
      }
      gr.created = rnd_time(hash(h, 1), lo, anchor - 30 * kDayUs, hash(h, 9) % 3 == 0);
      gr.updated = rnd_time(hash(h, 2), gr.created, anchor, false);
      if (g > 0 && hash(h, 8) % 6 == 0) gr.updated = std::max(out.back().updated, gr.created);  // ties
      gr.flag = kind == 0 ? uint8_t(hash(h, 3) % 3 == 0)
                          : uint8_t((hash(h, 3) % 8 ? 1 : 0) | (hash(h, 4) % 10 == 0 ? 2 : 0) |
                                    (hash(h, 5) % 4 == 0 ? 4 : 0));
      double p = 0.02 + 0.3 * unit(hash(h, 6));
      bool bulk = hash(h, 7) % 3 == 0;
      int64_t bulk_t = rnd_time(hash(h, 10), gr.created, anchor, false);
      for (uint32_t pi = 0; pi < profiles.size(); ++pi) {
        uint64_t hm = hash(h, 0x11, pi);
        if (unit(hm) >= p) continue;
        int64_t from = std::max(gr.created, profiles[pi].created);
        Member m{pi, rnd_time(hash(hm, 2), from, anchor, hash(hm, 3) % 10 == 0)};
        if (bulk && bulk_t >= from && hash(hm, 4) % 10 < 4) m.joined = bulk_t;
        gr.members.push_back(uint32_t(members.size()));
        members.push_back(m);
      }
      short_index_[skey(kind == 0 ? 'l' : 's', gr.id)] = g;
      out.push_back(std::move(gr));
    }
  }
}

void Dataset::gen_content() {
  int64_t lo = anchor - 3 * kYearUs;
  gen_templates(lo);
  gen_campaigns(lo);
  gen_flows(lo);
  gen_tags();
}

void Dataset::gen_templates(int64_t lo) {
  for (uint32_t i = 0; i < sizes.templates; ++i) {
    uint64_t h = hash(seed, kTemplate, i);
    Template t;
    t.created = rnd_time(hash(h, 1), lo, anchor - kDayUs, hash(h, 4) % 4 == 0);
    t.updated = rnd_time(hash(h, 2), t.created, anchor, false);
    t.editor = uint8_t(hash(h, 3) % 4);
    templates.push_back(t);
  }
}

void Dataset::gen_campaigns(int64_t lo) {
  for (uint32_t i = 0; i < sizes.campaigns; ++i) {
    uint64_t h = hash(seed, kCampaign, i);
    Campaign c;
    c.gen = i;
    uint64_t ch = hash(h, 1) % 10;
    c.channel = ch < 6 ? 0 : ch < 9 ? 1 : 2;
    c.archived = hash(h, 2) % 10 == 0;
    uint64_t st = hash(h, 3) % 100;
    c.status = st < 70 ? 0 : st < 82 ? 1 : st < 87 ? 2 : st < 93 ? 3 : st < 95 ? 4 : st < 98 ? 5 : 6;
    c.created = rnd_time(hash(h, 4), lo, anchor - 2 * kDayUs, hash(h, 10) % 4 == 0);
    c.scheduled = c.send_time = 0;
    if (c.status == 2) {
      c.scheduled = c.created + int64_t(hash(h, 5) % 3600) * kUs;
      c.send_time = anchor + (1 + int64_t(hash(h, 6) % 20)) * kDayUs;
    } else if (c.status != 1) {
      c.scheduled = rnd_time(hash(h, 5), c.created, std::min(anchor, c.created + 10 * kDayUs), false);
      c.send_time = c.scheduled + int64_t(hash(h, 6) % 3) * 3600 * kUs;
      if (c.send_time >= anchor) c.send_time = c.scheduled;
    }
    int64_t base = std::max(c.created, std::min(c.send_time ? c.send_time : c.created, anchor - kUs));
    c.updated = rnd_time(hash(h, 7), base, anchor, false);
    if (i > 0 && hash(h, 11) % 8 == 0 && campaigns.back().updated >= c.created) c.updated = campaigns.back().updated;
    c.tmpl = sizes.templates ? uint32_t(hash(h, 8) % sizes.templates) : 0;
    for (uint32_t l = 0; l < sizes.lists && c.audiences.size() < 3; ++l)
      if (hash(h, 9, l) % 6 == 0) c.audiences.push_back(uint16_t(l));
    if (c.audiences.empty() && sizes.lists) c.audiences.push_back(uint16_t(hash(h, 12) % sizes.lists));
    campaigns.push_back(std::move(c));
  }
}

// Flows with their actions (every other one a time delay) and the messages of the send actions.
void Dataset::gen_flows(int64_t lo) {
  for (uint32_t i = 0; i < sizes.flows; ++i) {
    uint64_t h = hash(seed, 0xF10, i);
    Flow f;
    f.id = short_id(seed, 4, i);
    f.created = rnd_time(hash(h, 1), lo, anchor - 5 * kDayUs, hash(h, 9) % 4 == 0);
    f.updated = rnd_time(hash(h, 2), f.created, anchor, false);
    if (i > 0 && hash(h, 10) % 7 == 0 && flows.back().updated >= f.created) f.updated = flows.back().updated;
    f.status = uint8_t(hash(h, 3) % 10 < 6 ? 2 : hash(h, 3) % 10 < 8 ? 1 : 0);
    f.archived = hash(h, 4) % 7 == 0;
    uint64_t tr = hash(h, 5) % 10;
    f.trigger = uint8_t(tr < 5 ? 0 : tr < 8 ? 1 : tr < 9 ? 2 : 3 + hash(h, 6) % 3);
    f.trigger_ref = uint16_t(f.trigger == 0 ? (metrics.empty() ? 0 : hash(h, 7) % metrics.size())
                                            : (lists.empty() ? 0 : hash(h, 7) % lists.size()));
    uint32_t nact = 2 + uint32_t(hash(h, 8) % 5);
    for (uint32_t a = 0; a < nact; ++a) {
      FlowAction fa;
      fa.flow = i;
      fa.created = f.created + int64_t(a) * kUs;
      fa.updated = rnd_time(hash(h, 20, a), fa.created, f.updated + kUs, false);
      fa.type = a % 2 == 1 ? 1 : (hash(h, 21, a) % 4 == 0 ? 2 : 0);
      if (fa.type != 1) {
        FlowMessage m;
        m.action = uint32_t(actions.size());
        m.created = fa.created;
        m.updated = fa.updated;
        m.tmpl = sizes.templates ? uint32_t(hash(h, 22, a) % sizes.templates) : 0;
        fa.message = int32_t(messages.size());
        messages.push_back(m);
      }
      std::string aid = std::to_string(70000000 + actions.size() * 37 + hash(seed, 0xAC7) % 31);
      short_index_[skey('a', aid)] = uint32_t(actions.size());
      f.actions.push_back(uint32_t(actions.size()));
      actions.push_back(fa);
    }
    short_index_[skey('f', f.id)] = i;
    flows.push_back(std::move(f));
  }
}

void Dataset::gen_tags() {
  static const char* tag_names[] = {"Holiday", "Newsletter", "Promo", "Welcome", "VIP", "Abandoned Cart",
                                    "Winback", "Seasonal"};
  for (uint32_t i = 0; i < sizes.tags; ++i) {
    Tag t;
    t.id = uuid_from(hash(seed, 0x7A6, i), hash(seed, 0x7A7, i));
    t.name = tag_names[i % 8];
    if (i >= 8) {
      t.name += ' ';
      t.name += std::to_string(i / 8 + 1);
    }
    t.group = uint8_t(i % 3 == 2 ? 1 : 0);
    short_index_[skey('t', t.id)] = i;
    tags.push_back(std::move(t));
  }
}

void Dataset::profile_id_to(char* out, uint32_t i) const {
  ulid_to(out, profiles[i].created / 1000, permute(seed ^ kProfile, i), 0x5001);
}
void Dataset::event_id_to(char* out, uint32_t i) const { ulid_to(out, events[i].t / 1000, event_tie(i), 0xE7E7); }
void Dataset::cmessage_id_to(char* out, uint32_t i) const {
  ulid_to(out, campaigns[i].created / 1000, permute(seed ^ kCMessage, i), 0xC301);
}
std::string Dataset::profile_id(uint32_t i) const {
  return ulid(profiles[i].created / 1000, permute(seed ^ kProfile, i), 0x5001);
}
std::string Dataset::event_id(uint32_t i) const {
  return ulid(events[i].t / 1000, event_tie(i), 0xE7E7);
}
std::string Dataset::campaign_id(uint32_t i) const {
  return ulid(campaigns[i].created / 1000, permute(seed ^ kCampaign, i), 0xCA01);
}
std::string Dataset::cmessage_id(uint32_t i) const {
  return ulid(campaigns[i].created / 1000, permute(seed ^ kCMessage, i), 0xC301);
}
std::string Dataset::template_id(uint32_t i) const {
  return ulid(templates[i].created / 1000, permute(seed ^ kTemplate, i), 0x7E01);
}
std::string Dataset::fmessage_id(uint32_t i) const {
  return ulid(messages[i].created / 1000, permute(seed ^ kFMessage, i), 0xF301);
}
std::string Dataset::action_id(uint32_t i) const {
  return std::to_string(70000000 + uint64_t(i) * 37 + hash(seed, 0xAC7) % 31);
}

template <class F>
static std::optional<uint32_t> find_ulid(const std::string& id, uint64_t key, uint16_t tag, size_t n, F idfn) {
  auto d = ulid_decode(id);
  if (!d || d->second != tag) return std::nullopt;
  uint64_t i = unpermute(key, d->first);
  if (i >= n) return std::nullopt;
  if (idfn(uint32_t(i)) != id) return std::nullopt;
  return uint32_t(i);
}

std::optional<uint32_t> Dataset::find_profile(const std::string& id) const {
  return find_ulid(id, seed ^ kProfile, 0x5001, profiles.size(), [&](uint32_t i) { return profile_id(i); });
}
std::optional<uint32_t> Dataset::find_event(const std::string& id) const {
  return find_ulid(id, seed ^ kEvent, 0xE7E7, events.size(), [&](uint32_t i) { return event_id(i); });
}
std::optional<uint32_t> Dataset::find_campaign(const std::string& id) const {
  return find_ulid(id, seed ^ kCampaign, 0xCA01, campaigns.size(), [&](uint32_t i) { return campaign_id(i); });
}
std::optional<uint32_t> Dataset::find_cmessage(const std::string& id) const {
  return find_ulid(id, seed ^ kCMessage, 0xC301, campaigns.size(), [&](uint32_t i) { return cmessage_id(i); });
}
std::optional<uint32_t> Dataset::find_template(const std::string& id) const {
  return find_ulid(id, seed ^ kTemplate, 0x7E01, templates.size(), [&](uint32_t i) { return template_id(i); });
}
std::optional<uint32_t> Dataset::find_fmessage(const std::string& id) const {
  return find_ulid(id, seed ^ kFMessage, 0xF301, messages.size(), [&](uint32_t i) { return fmessage_id(i); });
}
#define SIM_FIND_SHORT(fn, prefix)                                   \
  std::optional<uint32_t> Dataset::fn(const std::string& id) const { \
    auto it = short_index_.find(skey(prefix, id));                        \
    if (it == short_index_.end()) return std::nullopt;               \
    return it->second;                                               \
  }
SIM_FIND_SHORT(find_action, 'a')
SIM_FIND_SHORT(find_metric, 'm')
SIM_FIND_SHORT(find_list, 'l')
SIM_FIND_SHORT(find_segment, 's')
SIM_FIND_SHORT(find_flow, 'f')
SIM_FIND_SHORT(find_tag, 't')

std::string Dataset::append_event(int64_t t, uint64_t h) {
  Event e;
  e.t = t;
  e.profile = uint32_t(hash(h, 1) % profiles.size());
  e.metric = uint16_t(pick_metric(hash(h, 2)));
  e.fmt = e.t % kUs ? 1 : 0;
  uint32_t idx = uint32_t(events.size());
  events.push_back(e);
  if (t > profiles[e.profile].last_event) profiles[e.profile].last_event = t;
  auto less = [&](uint32_t a, uint32_t b) {
    if (events[a].t != events[b].t) return events[a].t < events[b].t;
    return event_tie(a) < event_tie(b);
  };
  event_order.insert(std::upper_bound(event_order.begin(), event_order.end(), idx, less), idx);
  return event_id(idx);
}

namespace {
// Up to n distinct indices below size, in draw order: draw k is hash(mseed, stream, k), moved up to
// the next index not drawn yet.
std::vector<uint32_t> pick_distinct(uint64_t mseed, uint64_t stream, uint32_t n, size_t size) {
  std::vector<uint32_t> out;
  std::set<uint32_t> picked;
  for (uint32_t k = 0; k < n && picked.size() < size; ++k) {
    uint32_t i = uint32_t(hash(mseed, stream, k) % size);
    while (picked.count(i)) i = (i + 1) % uint32_t(size);
    picked.insert(i);
    out.push_back(i);
  }
  return out;
}
}  // namespace

std::unordered_map<std::string, std::vector<std::string>> Dataset::mutate(const MutateSpec& m, int64_t now) {
  std::unordered_map<std::string, std::vector<std::string>> out;
  uint64_t mseed = hash(seed, 0x3a7a7e, ++mutations_);
  int64_t now_s = now - now % kUs;
  if (!profiles.empty() && !metrics.empty()) {
    for (uint32_t k = 0; k < m.new_events; ++k) {
      uint64_t h = hash(mseed, 1, k);
      auto id = append_event(now_s - (1 + int64_t(hash(h, 9) % 60)) * kUs, h);
      out["events"].push_back(id);
      out["new_events"].push_back(id);
    }
    for (uint32_t k = 0; k < m.late_events; ++k) {
      uint64_t h = hash(mseed, 2, k);
      auto id = append_event(now_s - (1 + int64_t(hash(h, 9) % 10)) * kDayUs - int64_t(hash(h, 8) % 86400) * kUs, h);
      out["events"].push_back(id);
      out["late_events"].push_back(id);
    }
  }
  for (uint32_t i : pick_distinct(mseed, 3, m.update_profiles, profiles.size())) {
    profiles[i].updated = now_s;
    profiles[i].ufmt = 0;
    out["profiles"].push_back(profile_id(i));
    out["updated_profiles"].push_back(profile_id(i));
  }
  for (uint32_t k = 0; k < m.new_profiles; ++k) {
    uint32_t i = uint32_t(profiles.size());
    Profile p = make_profile(i, now_s - kUs, now_s);
    p.created = p.updated = now_s;
    p.cfmt = p.ufmt = 0;
    p.supp_ts = p.lsupp_ts = 0;
    profiles.push_back(p);
    out["profiles"].push_back(profile_id(i));
    out["new_profiles"].push_back(profile_id(i));
  }
  for (uint32_t i : pick_distinct(mseed, 4, m.update_campaigns, campaigns.size())) {
    campaigns[i].updated = now_s;
    out["campaigns"].push_back(campaign_id(i));
  }
  for (uint32_t i : pick_distinct(mseed, 5, m.update_flows, flows.size())) {
    flows[i].updated = now_s;
    out["flows"].push_back(flows[i].id);
  }
  ++version;
  {
    std::lock_guard<std::mutex> g(order_cache.mu);
    order_cache.orders.clear();
  }
  return out;
}

}  // namespace sim
