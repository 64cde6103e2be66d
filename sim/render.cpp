// render.cpp — JSON rendering of every resource type from the compact dataset (events and profiles
// streamed into the response string, the rest as nlohmann DOM); all optional
// attribute values are derived from hash(seed, kind, index, field) so output is reproducible.
#include "render.h"

#include <charconv>
#include <cmath>

#include "jsonw.h"
#include "util.h"

namespace sim {

namespace {
const char* kFirst[] = {"Sarah", "James", "Maria", "David", "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas",
                        "Mia", "Ethan", "Chloe", "Mateo", "Zoe", "Aiden", "Priya", "Kenji", "Fatima", "Jonas"};
const char* kLast[] = {"Mason", "Smith", "Garcia", "Chen", "Müller", "Okafor", "Rossi", "Kowalski", "Nguyen",
                       "Silva", "Brown", "Dubois", "Tanaka", "Patel", "O'Brien", "Johansson", "Lopez", "Kim"};
const char* kDomains[] = {"gmail.com", "yahoo.com", "outlook.com", "klaviyo-demo.com", "icloud.com", "proton.me"};
struct City {
  const char *city, *region, *country, *zip, *tz;
  double lat, lon;
};
const City kCities[] = {{"Boston", "MA", "United States", "02110", "America/New_York", 42.36, -71.06},
                        {"Austin", "TX", "United States", "73301", "America/Chicago", 30.27, -97.74},
                        {"Seattle", "WA", "United States", "98101", "America/Los_Angeles", 47.61, -122.33},
                        {"Toronto", "ON", "Canada", "M5H 2N2", "America/Toronto", 43.65, -79.38},
                        {"London", "England", "United Kingdom", "EC1A 1BB", "Europe/London", 51.51, -0.13},
                        {"Berlin", "Berlin", "Germany", "10115", "Europe/Berlin", 52.52, 13.40},
                        {"Sydney", "NSW", "Australia", "2000", "Australia/Sydney", -33.87, 151.21}};
const char* kProducts[] = {"Classic Leather Jacket", "Organic Cotton Tee", "Running Shoes", "Wool Beanie",
                           "Ceramic Mug", "Yoga Mat", "Denim Jeans", "Silk Scarf", "Water Bottle", "Backpack"};
const char* kCategories[] = {"Apparel", "Footwear", "Accessories", "Home", "Fitness"};
const char* kSuppReasons[] = {"HARD_BOUNCE", "INVALID_EMAIL", "SPAM_COMPLAINT", "UNSUBSCRIBE", "USER_SUPPRESSED"};

std::string lower(std::string s) {
  for (auto& ch : s) ch = char(tolower(uint8_t(ch)));
  return s;
}
std::string ascii_name(const char* n) {
  std::string out;
  for (const char* p = n; *p; ++p)
    if (isalpha(uint8_t(*p))) out += *p;
  return out.empty() ? "user" : out;
}
}  // namespace

std::string fmt_t(int64_t us, int style) { return fmt_time(us, style); }
json opt_time(int64_t us) { return us ? json(fmt_time(us, us % kUs ? 1 : 0)) : json(nullptr); }
static std::string tstr(int64_t us) { return fmt_time(us, us % kUs ? 1 : 0); }

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

Contact profile_contact(const Dataset& d, uint32_t i) {
  const Profile& p = d.profiles[i];
  uint64_t h = hash(d.seed, 0x50, p.gen);
  auto H = [&](uint64_t f) { return hash(h, 0x100 + f); };
  const char* fn = kFirst[H(1) % 20];
  const char* ln = kLast[H(2) % 18];
  Contact ct;
  bool has_email = H(3) % 100 >= 3;
  bool has_phone = !has_email || H(4) % 100 < 60;
  if (has_email)
    ct.email = lower(ascii_name(fn)) + "." + lower(ascii_name(ln)) + std::to_string(p.gen) + "@" + kDomains[H(5) % 6];
  if (has_phone) {
    char phone[24];
    std::snprintf(phone, sizeof phone, "+1%03u555%04u", unsigned(200 + H(6) % 700), unsigned(p.gen % 10000));
    ct.phone = phone;
  }
  if (H(22) % 10 < 3) ct.external_id = "ext-" + std::to_string(100000 + p.gen);
  return ct;
}

// --- profiles and events: written straight into the response string (hot paths) ------------------
// Keys are emitted in nlohmann's std::map order (bytewise sorted) so the bytes equal the former
// DOM rendering; tests/legacy_render.cpp keeps that DOM rendering as the reference.

namespace {
struct TimeStr {  // fmt_time() into a stack buffer
  char buf[48];
  size_t n;
  TimeStr(int64_t us, int style) : n(fmt_time_to(buf, us, style)) {}
  std::string_view sv() const { return {buf, n}; }
};
TimeStr tstr_v(int64_t us) { return TimeStr(us, us % kUs ? 1 : 0); }

void rel_links(JW& w, std::string_view base, std::string_view id, std::string_view name) {
  w.key("links").obj();
  w.key("related").cat({base, id, "/", name, "/"});
  w.key("self").cat({base, id, "/relationships/", name, "/"});
  w.end_obj();
}
// {"data":{"id":..,"type":..},"links":{..}} (rel_one) and {"data":[],"links":{..}} (empty rel_many)
void rel_one_w(JW& w, std::string_view name, std::string_view type, std::string_view ref_id, std::string_view base,
               std::string_view id) {
  w.key(name).obj();
  w.key("data").obj().key("id").s(ref_id).key("type").s(type).end_obj();
  rel_links(w, base, id, name);
  w.end_obj();
}
void rel_empty_w(JW& w, std::string_view name, std::string_view base, std::string_view id) {
  w.key(name).obj();
  w.key("data").arr().end_arr();
  rel_links(w, base, id, name);
  w.end_obj();
}
std::string_view u2s(char* buf, uint64_t v) {  // std::to_string without the allocation
  auto r = std::to_chars(buf, buf + 24, v);
  return {buf, size_t(r.ptr - buf)};
}
}  // namespace

ProfileWriter::ProfileWriter(const Ctx& c, bool subscriptions, bool predictive)
    : c_(c), base_(c.base + "/api/profiles/"), subs_(subscriptions), pred_(predictive) {}

void ProfileWriter::write(JW& w, uint32_t i, const int64_t* joined) const {
  const Dataset& d = c_.ds;
  const Profile& p = d.profiles[i];
  uint64_t h = hash(d.seed, 0x50, p.gen);
  auto H = [&](uint64_t f) { return hash(h, 0x100 + f); };
  char idb[26];
  d.profile_id_to(idb, i);
  std::string_view id(idb, 26);
  const char* fn = kFirst[H(1) % 20];
  const char* ln = kLast[H(2) % 18];
  Contact ct = profile_contact(d, i);
  const City& city = kCities[H(7) % 7];
  bool has_loc = H(8) % 10 < 7;
  bool has_email = ct.email.has_value(), has_phone = ct.phone.has_value();
  char nb[24], nb2[24], nb3[24];
  w.obj();
  w.key("attributes").obj();
  w.key("created").s(TimeStr(p.created, p.cfmt).sv());
  if (ct.email) w.key("email").s(*ct.email);
  else w.key("email").null();
  if (ct.external_id) w.key("external_id").s(*ct.external_id);
  else w.key("external_id").null();
  if (H(23) % 10 != 0) w.key("first_name").s(fn);
  else w.key("first_name").null();
  if (H(29) % 10 == 0) w.key("image").cat({"https://img.example.com/p/", u2s(nb, p.gen), ".png"});
  else w.key("image").null();
  if (joined) w.key("joined_group_at").s(tstr_v(*joined).sv());
  if (p.last_event) w.key("last_event_date").s(tstr_v(p.last_event).sv());
  else w.key("last_event_date").null();
  if (H(24) % 10 != 0) w.key("last_name").s(ln);
  else w.key("last_name").null();
  if (H(26) % 2 == 0) w.key("locale").s(H(27) % 3 ? "en-US" : "de-DE");
  else w.key("locale").null();
  if (has_loc) {
    w.key("location").obj();
    w.key("address1").cat({u2s(nb, 1 + H(9) % 900), " Main St"});
    if (H(10) % 5 == 0) w.key("address2").cat({"Apt ", u2s(nb, 1 + H(11) % 40)});
    else w.key("address2").null();
    w.key("city").s(city.city);
    w.key("country").s(city.country);
    w.key("ip").cat({u2s(nb, 10 + H(13) % 200), ".", u2s(nb2, H(14) % 255), ".0.", u2s(nb3, 1 + H(15) % 250)});
    if (H(12) % 3 == 0) {
      w.key("latitude").s(std::to_string(city.lat));
      w.key("longitude").s(std::to_string(city.lon));
    } else {
      w.key("latitude").d(city.lat);
      w.key("longitude").d(city.lon);
    }
    w.key("region").s(city.region);
    w.key("timezone").s(city.tz);
    w.key("zip").s(city.zip);
    w.end_obj();
  } else {
    w.key("location").null();
  }
  if (H(25) % 5 == 0) w.key("organization").cat({ln, " & Co"});
  else w.key("organization").null();
  if (ct.phone) w.key("phone_number").s(*ct.phone);
  else w.key("phone_number").null();
  if (pred_) {
    double orders = double(H(33) % 8);
    double aov = 20.0 + double(H(34) % 20000) / 100.0;
    bool has = orders > 0;
    w.key("predictive_analytics").obj();
    if (orders > 1) w.key("average_days_between_orders").d(double(10 + H(36) % 120));
    else w.key("average_days_between_orders").null();
    w.key("average_order_value").d(has ? std::round(aov * 100) / 100 : 0.0);
    w.key("churn_probability").d(std::round(unit(H(37)) * 100) / 100);
    if (has) w.key("expected_date_of_next_order").s(TimeStr(d.anchor + int64_t(1 + H(38) % 90) * kDayUs, 0).sv());
    else w.key("expected_date_of_next_order").null();
    w.key("historic_clv").d(has ? std::round(orders * aov * 100) / 100 : 0.0);
    w.key("historic_number_of_orders").d(orders);
    if (has) w.key("predicted_clv").d(std::round(aov * 1.7 * 100) / 100);
    else w.key("predicted_clv").null();
    if (has) w.key("predicted_number_of_orders").d(std::round(unit(H(35)) * 300) / 100);
    else w.key("predicted_number_of_orders").null();
    w.key("ranked_channel_affinity").arr().s("email").s("sms").s("push").end_arr();
    w.key("total_clv").d(has ? std::round(orders * aov * 270) / 100 : 0.0);
    w.end_obj();
  }
  w.key("properties").obj();
  if (H(16) % 4 != 0) {
    static const char* sources[] = {"Shopify", "Signup Form", "API", "CSV Import"};
    w.key("$source").s(sources[H(17) % 4]);
    w.key("Accepts Marketing").b(H(18) % 2 == 0);
    if (H(19) % 3 == 0) w.key("Loyalty Points").i(int(H(20) % 5000));
    if (H(21) % 5 == 0) w.key("Shopify Tags").arr().s("vip").s("newsletter").end_arr();
  }
  w.end_obj();
  if (subs_) {
    bool suppressed = p.supp_ts != 0;
    bool subscribed = !suppressed && H(30) % 3 != 0;
    bool sms = has_phone && H(32) % 3 == 0;
    w.key("subscriptions").obj();
    w.key("email").obj().key("marketing").obj();
    w.key("can_receive_email_marketing").b(has_email && !suppressed && subscribed);
    w.key("consent").s(subscribed ? "SUBSCRIBED" : suppressed ? "UNSUBSCRIBED" : "NEVER_SUBSCRIBED");
    if (subscribed) w.key("consent_timestamp").s(tstr_v(p.created).sv());
    else w.key("consent_timestamp").null();
    w.key("custom_method_detail").null();
    if (subscribed) w.key("double_optin").b(H(31) % 2 == 0);
    else w.key("double_optin").null();
    w.key("last_updated").s(tstr_v(suppressed ? p.supp_ts : p.created).sv());
    w.key("list_suppressions").arr();
    if (p.lsupp_ts && p.lsupp_list < d.lists.size())
      w.obj()
          .key("list_id").s(d.lists[p.lsupp_list].id)
          .key("reason").s("USER_SUPPRESSED")
          .key("timestamp").s(tstr_v(p.lsupp_ts).sv())
          .end_obj();
    w.end_arr();
    if (subscribed) w.key("method").s("FORM").key("method_detail").s("popup");
    else w.key("method").null().key("method_detail").null();
    w.key("suppression").arr();
    if (suppressed)
      w.obj().key("reason").s(kSuppReasons[p.supp_reason % 5]).key("timestamp").s(tstr_v(p.supp_ts).sv()).end_obj();
    w.end_arr();
    w.end_obj().end_obj();  // marketing, email
    w.key("mobile_push").obj().key("marketing").obj();
    w.key("can_receive_push_marketing").b(false).key("consent").s("NEVER_SUBSCRIBED").key("consent_timestamp").null();
    w.end_obj().end_obj();
    w.key("sms").obj();
    w.key("marketing").obj();
    w.key("can_receive_sms_marketing").b(sms);
    w.key("consent").s(sms ? "SUBSCRIBED" : "NEVER_SUBSCRIBED");
    if (sms) w.key("consent_timestamp").s(tstr_v(p.created).sv());
    else w.key("consent_timestamp").null();
    w.key("last_updated").null().key("method").null().key("method_detail").null();
    w.end_obj();
    w.key("transactional").obj();
    w.key("can_receive_sms_transactional").b(false).key("consent").s("NEVER_SUBSCRIBED").key("consent_timestamp").null();
    w.key("last_updated").null().key("method").null().key("method_detail").null();
    w.end_obj();
    w.end_obj();  // sms
    w.end_obj();  // subscriptions
  }
  if (H(28) % 8 == 0) w.key("title").s("Buyer");
  else w.key("title").null();
  w.key("updated").s(TimeStr(p.updated, p.ufmt).sv());
  w.end_obj();  // attributes
  w.key("id").s(id);
  w.key("links").obj().key("self").cat({base_, id, "/"}).end_obj();
  w.key("relationships").obj();
  std::string_view rb(base_);
  rel_empty_w(w, "conversations", rb, id);
  rel_empty_w(w, "lists", rb, id);
  rel_empty_w(w, "push-tokens", rb, id);
  rel_empty_w(w, "segments", rb, id);
  w.end_obj();
  w.key("type").s("profile");
  w.end_obj();
}

json render_profile(const Ctx& c, uint32_t i, bool subscriptions, bool predictive) {
  std::string s;
  JW w(s);
  ProfileWriter(c, subscriptions, predictive).write(w, i);
  return json::parse(s);
}

EventWriter::EventWriter(const Ctx& c) : c_(c), base_(c.base + "/api/events/") {
  for (auto& m : c.ds.metrics) {
    const std::string& name = m.name;
    Kind k;
    if (name.find("Order") != std::string::npos || name == "Started Checkout") k = Kind::Order;
    else if (name.find("Email") != std::string::npos || name == "Unsubscribed" || name.find("SMS") != std::string::npos)
      k = name.find("Clicked") != std::string::npos ? Kind::MessageClicked : Kind::Message;
    else if (name == "Viewed Product") k = Kind::Viewed;
    else if (name == "Added to Cart") k = Kind::AddedToCart;
    else if (name == "Active on Site") k = Kind::Active;
    else if (name == "Subscribed to List") k = Kind::Subscribed;
    else k = Kind::Other;
    kinds_.push_back(k);
  }
}

void EventWriter::write(JW& w, uint32_t i) const {
  const Dataset& d = c_.ds;
  const Event& e = d.events[i];
  char idb[26], pidb[26];
  d.event_id_to(idb, i);
  d.profile_id_to(pidb, e.profile);
  std::string_view id(idb, 26), pid(pidb, 26);
  uint64_t h = hash(d.seed, 0xE0E, i);
  const Metric& m = d.metrics[e.metric];
  auto H = [&](uint64_t f) { return hash(h, f); };
  char nb[24], uu[36];
  w.obj();
  w.key("attributes").obj();
  w.key("datetime").s(TimeStr(e.t, e.fmt).sv());
  w.key("event_properties").obj();
  switch (kinds_[e.metric]) {
    case Kind::Order: {
      int nitems = 1 + int(H(1) % 3);
      double total = 0;
      uint64_t ph[3];
      for (int k = 0; k < nitems; ++k) {
        ph[k] = H(10 + uint64_t(k));
        double price = double(500 + ph[k] % 15000) / 100.0;
        int qty = 1 + int((ph[k] >> 8) % 3);
        total += price * qty;
      }
      w.key("$currency_code").s("USD");
      w.key("$event_id").s(u2s(nb, 5000000000ULL + H(2) % 1000000000ULL));
      w.key("$value").d(std::round(total * 100) / 100);
      w.key("Discount Codes").arr();
      if (H(3) % 4 == 0) w.s("WELCOME10");
      w.end_arr();
      w.key("ItemNames").arr();
      for (int k = 0; k < nitems; ++k) w.s(kProducts[ph[k] % 10]);
      w.end_arr();
      w.key("Items").arr();
      for (int k = 0; k < nitems; ++k) {
        double price = double(500 + ph[k] % 15000) / 100.0;
        int qty = 1 + int((ph[k] >> 8) % 3);
        w.obj();
        w.key("Categories").arr().s(kCategories[ph[k] % 5]).end_arr();
        w.key("ItemPrice").d(price);
        w.key("ProductID").s(u2s(nb, 7000000 + ph[k] % 10));
        w.key("ProductName").s(kProducts[ph[k] % 10]);
        w.key("Quantity").i(qty);
        w.key("RowTotal").d(std::round(price * qty * 100) / 100);
        w.key("SKU").cat({"SKU-", u2s(nb, 1000 + ph[k] % 10)});
        w.end_obj();
      }
      w.end_arr();
      break;
    }
    case Kind::Message:
    case Kind::MessageClicked: {
      w.key("$_cohort$message_send_cohort").s(u2s(nb, H(9) % 100000));
      uuid_to(uu, H(6), H(7));
      w.key("$event_id").s(std::string_view(uu, 36));
      if (!d.campaigns.empty()) {
        char mb[26];
        d.cmessage_id_to(mb, uint32_t(H(5) % d.campaigns.size()));
        w.key("$message").s(std::string_view(mb, 26));
      }
      w.key("Campaign Name").cat({"Campaign ", u2s(nb, H(4) % 100)});
      w.key("Subject").s("Our biggest sale of the season");
      if (kinds_[e.metric] == Kind::MessageClicked) w.key("URL").cat({"https://shop.example.com/p/", u2s(nb, H(8) % 100)});
      break;
    }
    case Kind::Viewed:
    case Kind::AddedToCart: {
      uint64_t p11 = H(11);
      double price = double(500 + H(12) % 15000) / 100.0;
      if (kinds_[e.metric] == Kind::AddedToCart) w.key("$value").d(price);
      w.key("Categories").arr().s(kCategories[p11 % 5]).end_arr();
      w.key("Price").d(price);
      w.key("ProductID").s(u2s(nb, 7000000 + p11 % 10));
      w.key("ProductName").s(kProducts[p11 % 10]);
      w.key("SKU").cat({"SKU-", u2s(nb, 1000 + p11 % 10)});
      w.key("URL").cat({"https://shop.example.com/products/", u2s(nb, p11 % 10)});
      break;
    }
    case Kind::Active:
      w.key("$use_ip").b(true);
      w.key("os").s(H(13) % 2 ? "Mac OS X" : "iOS");
      w.key("page").s("https://shop.example.com/");
      break;
    case Kind::Subscribed:
      if (!d.lists.empty()) {
        const Group& g = d.lists[H(14) % d.lists.size()];
        w.key("$list").s(g.id);
        w.key("List").s(g.name);
      }
      break;
    case Kind::Other:
      w.key("$value").d(double(H(15) % 10000) / 100.0);
      w.key("source").s("api");
      break;
  }
  w.end_obj();  // event_properties
  w.key("timestamp").i(e.t >= 0 ? e.t / kUs : -((-e.t + kUs - 1) / kUs));
  uuid_to(uu, hash(h, 0x0d), hash(h, 0x0e));
  w.key("uuid").s(std::string_view(uu, 36));
  w.end_obj();  // attributes
  w.key("id").s(id);
  w.key("links").obj().key("self").cat({base_, id, "/"}).end_obj();
  w.key("relationships").obj();
  rel_empty_w(w, "attributions", base_, id);
  rel_one_w(w, "metric", "metric", m.id, base_, id);
  rel_one_w(w, "profile", "profile", pid, base_, id);
  w.end_obj();
  w.key("type").s("event");
  w.end_obj();
}

json render_event(const Ctx& c, uint32_t i) {
  std::string s;
  JW w(s);
  EventWriter(c).write(w, i);
  return json::parse(s);
}
json tag_refs(const Ctx& c, char kind, uint32_t idx) {
  json out = json::array();
  for (uint32_t t = 0; t < c.ds.tags.size(); ++t)
    if (has_tag(c.ds.seed, kind, idx, t)) out.push_back(ref("tag", c.ds.tags[t].id));
  return out;
}

static json flow_trigger_refs(const Ctx& c, uint32_t list_idx) {
  json flows = json::array();
  for (auto& f : c.ds.flows)
    if (f.trigger == 1 && f.trigger_ref == list_idx) flows.push_back(ref("flow", f.id));
  return flows;
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

std::string campaign_name(const Dataset& d, uint32_t i) {
  static const char* themes[] = {"Spring Sale", "Weekly Newsletter", "New Arrivals", "Flash Sale", "Holiday Gift Guide",
                                 "Back in Stock", "VIP Early Access", "Black Friday"};
  return std::string(themes[hash(d.seed, 0xCA0, i, 3) % 8]) + " " + std::to_string(i + 1);
}
std::string flow_name(uint32_t i) {
  static const char* names[] = {"Welcome Series", "Abandoned Cart", "Browse Abandonment", "Post-Purchase", "Winback",
                                "Birthday", "Price Drop Alert", "Back in Stock", "Sunset Unengaged", "VIP Thank You"};
  std::string name = names[i % 10];
  if (i >= 10) {
    name += ' ';
    name += std::to_string(i / 10 + 1);
  }
  return name;
}
std::string fmessage_name(const Dataset& d, uint32_t i) {
  return std::string(d.actions[d.messages[i].action].type == 0 ? "Email #" : "SMS #") + std::to_string(i + 1);
}

json render_campaign(const Ctx& c, uint32_t i) {
  const Campaign& k = c.ds.campaigns[i];
  std::string id = c.ds.campaign_id(i);
  uint64_t h = hash(c.ds.seed, 0xCA0, i);
  json inc = json::array();
  for (auto l : k.audiences) inc.push_back(c.ds.lists[l].id);
  json send_options, tracking;
  if (k.channel == 0) {
    send_options = {{"use_smart_sending", hash(h, 1) % 3 != 0}};
    tracking = {{"add_tracking_params", hash(h, 2) % 2 == 0}, {"custom_tracking_params", nullptr},
                {"is_tracking_clicks", true}, {"is_tracking_opens", true}};
  } else if (k.channel == 1) {
    send_options = {{"use_smart_sending", true}};
    tracking = {{"add_tracking_params", false}, {"custom_tracking_params", nullptr}};
  } else {
    send_options = {{"use_smart_sending", false}};
    tracking = nullptr;
  }
  json strategy;
  if (k.scheduled)
    strategy = {{"method", "static"}, {"datetime", tstr(k.send_time ? k.send_time : k.scheduled)}, {"options", {{"is_local", false}}}};
  else
    strategy = {{"method", "immediate"}};
  json attrs = {{"name", campaign_name(c.ds, i)},
                {"status", campaign_statuses()[k.status]},
                {"archived", k.archived},
                {"audiences", {{"included", inc}, {"excluded", json::array()}}},
                {"send_options", send_options},
                {"tracking_options", tracking},
                {"send_strategy", strategy},
                {"created_at", tstr(k.created)},
                {"scheduled_at", opt_time(k.scheduled)},
                {"updated_at", tstr(k.updated)},
                {"send_time", opt_time(k.send_time)}};
  return {{"type", "campaign"},
          {"id", id},
          {"attributes", attrs},
          {"relationships",
           {{"campaign-messages", rel_many(c, json::array({ref("campaign-message", c.ds.cmessage_id(i))}), "campaigns", id, "campaign-messages")},
            {"tags", rel_many(c, tag_refs(c, 'c', i), "campaigns", id, "tags")}}},
          {"links", {{"self", c.res_url("campaigns", id)}}}};
}

json render_cmessage(const Ctx& c, uint32_t i) {
  const Campaign& k = c.ds.campaigns[i];
  std::string id = c.ds.cmessage_id(i);
  json def;
  if (k.channel == 0)
    def = {{"channel", "email"},
           {"label", "Email " + std::to_string(i + 1)},
           {"content", {{"subject", "Don't miss out"}, {"preview_text", "Ends tonight"}, {"from_email", "hello@shop.example.com"},
                        {"from_label", "Example Shop"}, {"reply_to_email", nullptr}, {"cc_email", nullptr}, {"bcc_email", nullptr}}}};
  else if (k.channel == 1)
    def = {{"channel", "sms"}, {"label", "SMS " + std::to_string(i + 1)},
           {"content", {{"body", "Example Shop: 20% off today only! Reply STOP to opt out"}, {"media_url", nullptr}}},
           {"render_options", {{"shorten_links", true}, {"add_org_prefix", true}, {"add_info_link", true}, {"add_opt_out_language", false}}}};
  else
    def = {{"channel", "mobile_push"}, {"label", "Push " + std::to_string(i + 1)}, {"notification_type", "standard"},
           {"content", {{"title", "Sale"}, {"body", "20% off today"}, {"dynamic_image", nullptr}}},
           {"kv_pairs", nullptr}, {"options", {{"on_open", nullptr}, {"badge", nullptr}, {"play_sound", true}}}};
  json send_times = json::array();
  if (k.send_time) send_times.push_back({{"datetime", tstr(k.send_time)}, {"is_local", false}});
  std::string cid = c.ds.campaign_id(i);
  json rels = {{"campaign", rel_one(c, "campaign", cid, "campaign-messages", id, "campaign")}};
  if (k.channel == 0 && !c.ds.templates.empty())
    rels["template"] = rel_one(c, "template", c.ds.template_id(k.tmpl), "campaign-messages", id, "template");
  return {{"type", "campaign-message"},
          {"id", id},
          {"attributes", {{"definition", def}, {"send_times", send_times}, {"created_at", tstr(k.created)}, {"updated_at", tstr(k.updated)}}},
          {"relationships", rels},
          {"links", {{"self", c.res_url("campaign-messages", id)}}}};
}

json render_flow(const Ctx& c, uint32_t i) {
  const Flow& f = c.ds.flows[i];
  static const char* statuses[] = {"draft", "manual", "live"};
  json acts = json::array();
  for (auto a : f.actions) acts.push_back(ref("flow-action", c.ds.action_id(a)));
  std::string name = flow_name(i);
  return {{"type", "flow"},
          {"id", f.id},
          {"attributes",
           {{"name", name}, {"status", statuses[f.status]}, {"archived", f.archived}, {"created", tstr(f.created)},
            {"updated", tstr(f.updated)}, {"trigger_type", flow_triggers()[f.trigger]}}},
          {"relationships",
           {{"flow-actions", rel_many(c, acts, "flows", f.id, "flow-actions")},
            {"tags", rel_many(c, tag_refs(c, 'f', i), "flows", f.id, "tags")}}},
          {"links", {{"self", c.res_url("flows", f.id)}}}};
}

json render_action(const Ctx& c, uint32_t i) {
  const FlowAction& a = c.ds.actions[i];
  std::string id = c.ds.action_id(i);
  const Flow& f = c.ds.flows[a.flow];
  std::string next;
  for (size_t k = 0; k + 1 < f.actions.size(); ++k)
    if (f.actions[k] == i) next = c.ds.action_id(f.actions[k + 1]);
  json links = {{"next", next.empty() ? json(nullptr) : json(next)}};
  json def;
  if (a.type == 1) {
    def = {{"id", id}, {"type", "time-delay"}, {"links", links},
           {"data", {{"unit", "days"}, {"value", 1 + int(hash(c.ds.seed, 0xAC, i) % 5)}, {"secondary_value", nullptr},
                     {"timezone", "profile"}, {"delay_until_time", nullptr}, {"delay_until_weekdays", nullptr}}}};
  } else {
    json msg = a.message >= 0 ? json(c.ds.fmessage_id(uint32_t(a.message))) : json(nullptr);
    def = {{"id", id}, {"type", a.type == 0 ? "send-email" : "send-sms"}, {"links", links},
           {"data", {{"message", a.type == 0 ? json{{"id", msg}, {"name", "Email #1"}, {"subject_line", "We saved your cart"}}
                                         : json{{"id", msg}, {"name", "SMS #1"}, {"body", "Example Shop: your cart is waiting"}}},
                     {"status", f.status == 2 ? "live" : "draft"}}}};
  }
  json msgs = json::array();
  if (a.message >= 0) msgs.push_back(ref("flow-message", c.ds.fmessage_id(uint32_t(a.message))));
  return {{"type", "flow-action"},
          {"id", id},
          {"attributes", {{"created", tstr(a.created)}, {"updated", tstr(a.updated)}, {"definition", def}}},
          {"relationships",
           {{"flow", rel_one(c, "flow", f.id, "flow-actions", id, "flow")},
            {"flow-messages", rel_many(c, msgs, "flow-actions", id, "flow-messages")}}},
          {"links", {{"self", c.res_url("flow-actions", id)}}}};
}

json render_fmessage(const Ctx& c, uint32_t i) {
  const FlowMessage& m = c.ds.messages[i];
  const FlowAction& a = c.ds.actions[m.action];
  std::string id = c.ds.fmessage_id(i);
  bool email = a.type == 0;
  json def;
  if (email)
    def = {{"id", id}, {"name", fmessage_name(c.ds, i)}, {"from_email", "hello@shop.example.com"}, {"from_label", "Example Shop"},
           {"reply_to_email", nullptr}, {"cc_email", nullptr}, {"bcc_email", nullptr}, {"subject_line", "We saved your cart"},
           {"preview_text", "Complete your order"}, {"template_id", c.ds.templates.empty() ? json(nullptr) : json(c.ds.template_id(m.tmpl))},
           {"smart_sending_enabled", true}, {"transactional", false}, {"add_tracking_params", false},
           {"custom_tracking_params", nullptr}, {"additional_filters", nullptr}};
  else
    def = {{"id", id}, {"name", fmessage_name(c.ds, i)}, {"body", "Example Shop: your cart is waiting"},
           {"image_id", nullptr}, {"dynamic_image", nullptr}, {"shorten_links", true}, {"include_contact_card", false},
           {"add_org_prefix", true}, {"add_info_link", true}, {"add_opt_out_language", false},
           {"smart_sending_enabled", true}, {"sms_quiet_hours_enabled", true}, {"transactional", false},
           {"add_tracking_params", false}, {"custom_tracking_params", nullptr}, {"additional_filters", nullptr}};
  json rels = {{"flow-action", rel_one(c, "flow-action", c.ds.action_id(m.action), "flow-messages", id, "flow-action")}};
  if (email && !c.ds.templates.empty()) rels["template"] = rel_one(c, "template", c.ds.template_id(m.tmpl), "flow-messages", id, "template");
  return {{"type", "flow-message"},
          {"id", id},
          {"attributes", {{"channel", email ? "email" : "sms"}, {"created", tstr(m.created)}, {"updated", tstr(m.updated)}, {"definition", def}}},
          {"relationships", rels},
          {"links", {{"self", c.res_url("flow-messages", id)}}}};
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
