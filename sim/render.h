// render.h — renders one compact record as a JSON:API resource object (attributes,
// relationships, links) on demand.
#pragma once
#include <cstdint>
#include <optional>

#include "api.h"
#include "jsonw.h"

namespace sim {

struct Contact {
  std::optional<std::string> email, phone, external_id;
};
Contact profile_contact(const Dataset& d, uint32_t i);
std::string campaign_name(const Dataset& d, uint32_t i);
std::string flow_name(uint32_t i);
std::string fmessage_name(const Dataset& d, uint32_t i);
json render_metric(const Ctx& c, uint32_t i);

// Streaming renderers for the hot list endpoints (one per request: they precompute URL prefixes).
// Output equals render_profile(...).dump() / render_event(...).dump() byte for byte.
class ProfileWriter {
 public:
  ProfileWriter(const Ctx& c, bool subscriptions, bool predictive);
  // joined: adds attributes.joined_group_at (memberships).
  void write(JW& w, uint32_t i, const int64_t* joined = nullptr) const;

 private:
  const Ctx& c_;
  std::string base_;  // base + "/api/profiles/"
  bool subs_, pred_;
};
class EventWriter {
 public:
  explicit EventWriter(const Ctx& c);
  void write(JW& w, uint32_t i) const;

 private:
  enum class Kind : uint8_t { Order, Message, MessageClicked, Viewed, AddedToCart, Active, Subscribed, Other };
  const Ctx& c_;
  std::string base_;  // base + "/api/events/"
  std::vector<Kind> kinds_;  // event_properties shape per metric (by name)
};

json render_profile(const Ctx& c, uint32_t i, bool subscriptions, bool predictive);
json render_event(const Ctx& c, uint32_t i);
json render_list(const Ctx& c, uint32_t i);
json render_segment(const Ctx& c, uint32_t i);
json render_campaign(const Ctx& c, uint32_t i);
json render_cmessage(const Ctx& c, uint32_t i);
json render_flow(const Ctx& c, uint32_t i);
json render_action(const Ctx& c, uint32_t i);
json render_fmessage(const Ctx& c, uint32_t i);
json render_template(const Ctx& c, uint32_t i, bool definition);
json render_tag(const Ctx& c, uint32_t i);
json render_tag_group(const Ctx& c, uint32_t g);
std::string tag_group_id(const Ctx& c, uint32_t g);
// Profile ids of tags attached to a resource kind ('c','f','l','s').
json tag_refs(const Ctx& c, char kind, uint32_t idx);
std::string fmt_t(int64_t us, int style = 0);
// Time or JSON null when zero.
json opt_time(int64_t us);

}  // namespace sim
