// dataset.h — the compact in-memory Klaviyo account: plain structs of ints/indices, generated
// deterministically from (seed, sizes, anchor); JSON is rendered per page elsewhere.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sim {

struct Sizes {
  uint32_t profiles = 2000, events = 20000, metrics = 12, lists = 25, segments = 15, campaigns = 60,
           flows = 20, templates = 30, tags = 8;
};

struct Integration {
  const char* id;
  const char* key;
  const char* name;
  const char* category;
};

struct Metric {
  std::string id;
  std::string name;
  uint8_t integ;  // index into integrations()
  int64_t created, updated;
  uint16_t weight;  // relative event frequency
};

struct Profile {
  int64_t created, updated, last_event = 0;
  int64_t supp_ts = 0;   // global email suppression timestamp (0 = none)
  int64_t lsupp_ts = 0;  // list suppression timestamp (0 = none)
  uint32_t gen;          // generation index (hash input)
  uint16_t lsupp_list = 0;
  uint8_t cfmt = 0, ufmt = 0;  // time format styles (see fmt_time)
  uint8_t supp_reason = 0;
};

struct Event {
  int64_t t;  // datetime, microseconds
  uint32_t profile;
  uint16_t metric;
  uint8_t fmt;
  uint8_t pad = 0;
};

struct Group {  // list or segment
  std::string id;
  std::string name;
  int64_t created, updated;
  uint8_t flag;  // list: 1 = double opt-in; segment: bit0 active, bit1 processing, bit2 starred
  std::vector<uint32_t> members;  // indices into Dataset::members, sorted by profile
};

struct Member {
  uint32_t profile;
  int64_t joined;
};

struct Campaign {
  int64_t created, updated, scheduled, send_time;  // scheduled/send_time 0 = null
  uint32_t gen;
  uint8_t channel;  // 0 email, 1 sms, 2 mobile_push
  uint8_t status;   // index into campaign_statuses()
  bool archived;
  uint32_t tmpl;    // template index
  std::vector<uint16_t> audiences;  // list indices
};

struct Flow {
  std::string id;
  int64_t created, updated;
  uint8_t status;  // 0 draft 1 manual 2 live
  bool archived;
  uint8_t trigger;  // index into flow_triggers()
  uint16_t trigger_ref;  // metric or list index
  std::vector<uint32_t> actions;
};

struct FlowAction {
  uint32_t flow;
  int64_t created, updated;
  uint8_t type;  // 0 send-email, 1 time-delay, 2 send-sms
  int32_t message = -1;  // flow message index for send actions
};

struct FlowMessage {
  uint32_t action;
  int64_t created, updated;
  uint32_t tmpl;
};

struct Template {
  int64_t created, updated;
  uint8_t editor;  // index into editor types
};

struct Tag {
  std::string id;
  std::string name;
  uint8_t group;
};

const std::vector<Integration>& integrations();
const std::vector<std::string>& campaign_statuses();
const std::vector<std::string>& flow_triggers();
const char* channel_name(uint8_t c);

// Reporting API: a metric can be a report's conversion_metric_id unless its integration is Klaviyo's
// own ("Internal" category: the email/list metrics) — those answer 400 "… does not support querying for
// values data". A campaign has report data when it was sent (Sent / Sending / Variations Sent) by `now`.
bool supports_reporting(const Metric& m);
bool campaign_reported(const Campaign& c, int64_t now);

// Tags attach to campaigns/flows/lists/segments deterministically: tag t applies when this holds.
bool has_tag(uint64_t seed, char kind, uint32_t idx, uint32_t tag);

// Full ascending orders of a collection for one sort (row indices), computed once per dataset
// version instead of per request (see Collection::cache_key). Cleared by every mutation.
struct OrderCache {
  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const std::vector<uint32_t>>> orders;
};

class Dataset {
 public:
  Dataset(uint64_t seed, Sizes sizes, int64_t anchor_us);

  uint64_t seed;
  Sizes sizes;
  int64_t anchor;
  uint64_t version = 0;  // bumps on every mutation
  mutable std::shared_mutex mu;

  std::vector<Metric> metrics;
  std::vector<Profile> profiles;
  std::vector<Event> events;
  std::vector<uint32_t> event_order;  // events sorted by (datetime, id)
  std::vector<Group> lists, segments;
  std::vector<Member> members;  // list and segment memberships
  std::vector<Campaign> campaigns;
  std::vector<Flow> flows;
  std::vector<FlowAction> actions;
  std::vector<FlowMessage> messages;
  std::vector<Template> templates;
  std::vector<Tag> tags;

  // ids
  std::string profile_id(uint32_t i) const;
  std::string event_id(uint32_t i) const;
  std::string campaign_id(uint32_t i) const;
  std::string cmessage_id(uint32_t i) const;  // one message per campaign, same index
  std::string template_id(uint32_t i) const;
  std::string fmessage_id(uint32_t i) const;
  std::string action_id(uint32_t i) const;
  uint64_t event_tie(uint32_t i) const;
  // The same ids written into a 26-byte buffer (no allocation).
  void profile_id_to(char* out, uint32_t i) const;
  void event_id_to(char* out, uint32_t i) const;
  void cmessage_id_to(char* out, uint32_t i) const;

  mutable OrderCache order_cache;

  // id -> index lookups (nullopt when unknown)
  std::optional<uint32_t> find_profile(const std::string& id) const;
  std::optional<uint32_t> find_event(const std::string& id) const;
  std::optional<uint32_t> find_campaign(const std::string& id) const;
  std::optional<uint32_t> find_cmessage(const std::string& id) const;
  std::optional<uint32_t> find_template(const std::string& id) const;
  std::optional<uint32_t> find_fmessage(const std::string& id) const;
  std::optional<uint32_t> find_action(const std::string& id) const;
  std::optional<uint32_t> find_metric(const std::string& id) const;
  std::optional<uint32_t> find_list(const std::string& id) const;
  std::optional<uint32_t> find_segment(const std::string& id) const;
  std::optional<uint32_t> find_flow(const std::string& id) const;
  std::optional<uint32_t> find_tag(const std::string& id) const;

  // Mutations (caller holds unique lock). Return changed ids per resource.
  struct MutateSpec {
    uint32_t new_events = 0, late_events = 0, update_profiles = 0, new_profiles = 0,
             update_campaigns = 0, update_flows = 0;
  };
  std::unordered_map<std::string, std::vector<std::string>> mutate(const MutateSpec& m, int64_t now);

 private:
  void gen_metrics();
  void gen_profiles();
  void gen_events();
  void gen_groups();
  void gen_content();  // templates, campaigns, flows, tags
  void gen_templates(int64_t lo);
  void gen_campaigns(int64_t lo);
  void gen_flows(int64_t lo);
  void gen_tags();
  void sort_events();
  std::string append_event(int64_t t, uint64_t h);  // a mutation's event, kept in event_order
  Profile make_profile(uint32_t gen, int64_t lo, int64_t hi);
  uint32_t pick_metric(uint64_t h) const;
  uint64_t mutations_ = 0;
  uint32_t total_metric_weight_ = 0;
  std::unordered_map<std::string, uint32_t> short_index_;  // "m:ID", "l:ID", ...
};

}  // namespace sim
