// resources/profiles_render.cpp — renders profile resources: contact fields, location, properties,
// predictive analytics and subscriptions, all derived from hash(seed, profile, field) so output is
// reproducible. ProfileWriter writes straight into the response string (the hot list endpoints);
// keys are emitted in nlohmann's std::map order (bytewise sorted), so the bytes equal the DOM
// rendering this replaced.
#include <cmath>

#include "../render.h"

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

// The profile's random source: H(f) is field f's value.
struct ProfileHash {
  uint64_t h;
  ProfileHash(const Dataset& d, const Profile& p) : h(hash(d.seed, 0x50, p.gen)) {}
  uint64_t operator()(uint64_t f) const { return hash(h, 0x100 + f); }
};

void write_location(JW& w, const ProfileHash& H) {
  const City& city = kCities[H(7) % 7];
  char nb[24], nb2[24], nb3[24];
  w.key("location").obj();
  w.key("address1").cat({u2s(nb, 1 + H(9) % 900), " Main St"});
  if (H(10) % 5 == 0) w.key("address2").cat({"Apt ", u2s(nb, 1 + H(11) % 40)});
  else w.key("address2").null();
  w.key("city").s(city.city);
  w.key("country").s(city.country);
  w.key("ip").cat({u2s(nb, 10 + H(13) % 200), ".", u2s(nb2, H(14) % 255), ".0.", u2s(nb3, 1 + H(15) % 250)});
  if (H(12) % 3 == 0) {  // some sources send coordinates as strings
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
}

void write_predictive(JW& w, const Dataset& d, const ProfileHash& H) {
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

void write_properties(JW& w, const ProfileHash& H) {
  w.key("properties").obj();
  if (H(16) % 4 != 0) {
    static const char* sources[] = {"Shopify", "Signup Form", "API", "CSV Import"};
    w.key("$source").s(sources[H(17) % 4]);
    w.key("Accepts Marketing").b(H(18) % 2 == 0);
    if (H(19) % 3 == 0) w.key("Loyalty Points").i(int(H(20) % 5000));
    if (H(21) % 5 == 0) w.key("Shopify Tags").arr().s("vip").s("newsletter").end_arr();
  }
  w.end_obj();
}

// subscriptions.email
void write_email_consent(JW& w, const Dataset& d, const Profile& p, const ProfileHash& H, bool has_email) {
  bool suppressed = p.supp_ts != 0;
  bool subscribed = !suppressed && H(30) % 3 != 0;
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
    w.obj().key("reason").s(suppression_reason(p.supp_reason)).key("timestamp").s(tstr_v(p.supp_ts).sv()).end_obj();
  w.end_arr();
  w.end_obj().end_obj();  // marketing, email
}

void write_subscriptions(JW& w, const Dataset& d, const Profile& p, const ProfileHash& H, bool has_email,
                         bool has_phone) {
  bool sms = has_phone && H(32) % 3 == 0;
  w.key("subscriptions").obj();
  write_email_consent(w, d, p, H, has_email);
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
}  // namespace

const char* suppression_reason(uint8_t reason) { return kSuppReasons[reason % 5]; }

Contact profile_contact(const Dataset& d, uint32_t i) {
  const Profile& p = d.profiles[i];
  ProfileHash H(d, p);
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

ProfileWriter::ProfileWriter(const Ctx& c, bool subscriptions, bool predictive)
    : c_(c), base_(c.base + "/api/profiles/"), subs_(subscriptions), pred_(predictive) {}

void ProfileWriter::write(JW& w, uint32_t i, const int64_t* joined) const {
  const Dataset& d = c_.ds;
  const Profile& p = d.profiles[i];
  ProfileHash H(d, p);
  char idb[26], nb[24];
  d.profile_id_to(idb, i);
  std::string_view id(idb, 26);
  const char* fn = kFirst[H(1) % 20];
  const char* ln = kLast[H(2) % 18];
  Contact ct = profile_contact(d, i);
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
  if (H(8) % 10 < 7) write_location(w, H);
  else w.key("location").null();
  if (H(25) % 5 == 0) w.key("organization").cat({ln, " & Co"});
  else w.key("organization").null();
  if (ct.phone) w.key("phone_number").s(*ct.phone);
  else w.key("phone_number").null();
  if (pred_) write_predictive(w, d, H);
  write_properties(w, H);
  if (subs_) write_subscriptions(w, d, p, H, ct.email.has_value(), ct.phone.has_value());
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

}  // namespace sim
