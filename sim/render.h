// render.h — the JSON:API renderers of every resource and the helpers they share. Each resource
// renders itself next to its endpoints (resources/*.cpp, named below); the renderers are declared
// here because resources include one another (an event includes its metric and profile, a list
// its tags and flows, ...). render.cpp holds the shared helpers: time strings and the relationship
// objects written by the streaming writers.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "api.h"
#include "jsonw.h"
#include "util.h"

namespace sim {

// ---- shared helpers (render.cpp) ---------------------------------------------------------------

// A time as the API writes it (microseconds only when the value has them); opt_time: null when 0.
std::string tstr(int64_t us);
json opt_time(int64_t us);

// fmt_time() into a stack buffer (hot paths: no allocation).
struct TimeStr {
  char buf[48];
  size_t n;
  TimeStr(int64_t us, int style) : n(fmt_time_to(buf, us, style)) {}
  std::string_view sv() const { return {buf, n}; }
};
inline TimeStr tstr_v(int64_t us) { return TimeStr(us, us % kUs ? 1 : 0); }
// std::to_string into buf (>= 24 bytes) without the allocation.
std::string_view u2s(char* buf, uint64_t v);

// Streaming relationship members of the resource at base + id: `name: {"data": {"id", "type"},
// "links": {..}}` (as rel_one builds) and `name: {"data": [], "links": {..}}` (an empty rel_many).
void rel_one_w(JW& w, std::string_view name, std::string_view type, std::string_view ref_id, std::string_view base,
               std::string_view id);
void rel_empty_w(JW& w, std::string_view name, std::string_view base, std::string_view id);

// ---- catalog: accounts, metrics, lists, segments, tags, templates (resources/catalog_render.cpp) --

json render_metric(const Ctx& c, uint32_t i);
json render_list(const Ctx& c, uint32_t i);
json render_segment(const Ctx& c, uint32_t i);
json render_template(const Ctx& c, uint32_t i, bool definition);
json render_tag(const Ctx& c, uint32_t i);
json render_tag_group(const Ctx& c, uint32_t g);
std::string tag_group_id(const Ctx& c, uint32_t g);
// Refs of the tags attached to a resource of a kind ('c' campaign, 'f' flow, 'l' list, 's' segment).
json tag_refs(const Ctx& c, char kind, uint32_t idx);

// ---- profiles (resources/profiles_render.cpp) --------------------------------------------------

struct Contact {
  std::optional<std::string> email, phone, external_id;
};
Contact profile_contact(const Dataset& d, uint32_t i);
// Profile::supp_reason as the API names it.
const char* suppression_reason(uint8_t reason);

// Streaming renderer of the hot list endpoints (one per request: it precomputes the URL prefix).
// Output equals render_profile(...).dump() byte for byte.
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
json render_profile(const Ctx& c, uint32_t i, bool subscriptions, bool predictive);

// ---- events (resources/events_render.cpp) ------------------------------------------------------

// Streaming renderer like ProfileWriter; output equals render_event(...).dump().
class EventWriter {
 public:
  explicit EventWriter(const Ctx& c);
  void write(JW& w, uint32_t i) const;

 private:
  enum class Kind : uint8_t { Order, Message, MessageClicked, Viewed, AddedToCart, Active, Subscribed, Other };
  void write_properties(JW& w, const Event& e, uint64_t h) const;  // attributes.event_properties

  const Ctx& c_;
  std::string base_;  // base + "/api/events/"
  std::vector<Kind> kinds_;  // event_properties shape per metric (by name)
};
json render_event(const Ctx& c, uint32_t i);

// ---- records created by the write endpoints (resources/written_render.cpp) ----------------------
// The caller holds WrittenStore::mu (shared).

json render_written_profile(const Ctx& c, const WrittenStore& W, uint32_t j, bool subscriptions, bool predictive);
json render_written_metric(const Ctx& c, const WrittenStore& W, uint32_t j);
void write_written_event(const Ctx& c, const WrittenStore& W, JW& w, uint32_t j);
json render_written_event(const Ctx& c, const WrittenStore& W, uint32_t j);

// ---- campaigns (resources/campaigns.cpp) -------------------------------------------------------

std::string campaign_name(const Dataset& d, uint32_t i);
json render_campaign(const Ctx& c, uint32_t i);
json render_cmessage(const Ctx& c, uint32_t i);

// ---- flows (resources/flows.cpp) ---------------------------------------------------------------

std::string flow_name(uint32_t i);
std::string fmessage_name(const Dataset& d, uint32_t i);
json render_flow(const Ctx& c, uint32_t i);
json render_action(const Ctx& c, uint32_t i);
json render_fmessage(const Ctx& c, uint32_t i);

}  // namespace sim
