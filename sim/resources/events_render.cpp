// resources/events_render.cpp — renders event resources: event_properties shaped by the metric
// (orders, messages, product views, ...) and derived from hash(seed, event, field). EventWriter
// writes straight into the response string (GET /api/events is the hottest endpoint); keys are
// emitted in nlohmann's std::map order, so the bytes equal the DOM rendering this replaced.
#include <cmath>

#include "../render.h"

namespace sim {

namespace {
const char* kProducts[] = {"Classic Leather Jacket", "Organic Cotton Tee", "Running Shoes", "Wool Beanie",
                           "Ceramic Mug", "Yoga Mat", "Denim Jeans", "Silk Scarf", "Water Bottle", "Backpack"};
const char* kCategories[] = {"Apparel", "Footwear", "Accessories", "Home", "Fitness"};

// The event's random source: H(f) is field f's value.
struct EventHash {
  uint64_t h;
  uint64_t operator()(uint64_t f) const { return hash(h, f); }
};

void write_order(JW& w, const EventHash& H) {
  char nb[24];
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
}

// Email / SMS message events; clicks also carry the URL.
void write_message(JW& w, const Dataset& d, const EventHash& H, bool clicked) {
  char nb[24], uu[36];
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
  if (clicked) w.key("URL").cat({"https://shop.example.com/p/", u2s(nb, H(8) % 100)});
}

// Viewed Product / Added to Cart (the latter has a $value).
void write_product(JW& w, const EventHash& H, bool added_to_cart) {
  char nb[24];
  uint64_t p11 = H(11);
  double price = double(500 + H(12) % 15000) / 100.0;
  if (added_to_cart) w.key("$value").d(price);
  w.key("Categories").arr().s(kCategories[p11 % 5]).end_arr();
  w.key("Price").d(price);
  w.key("ProductID").s(u2s(nb, 7000000 + p11 % 10));
  w.key("ProductName").s(kProducts[p11 % 10]);
  w.key("SKU").cat({"SKU-", u2s(nb, 1000 + p11 % 10)});
  w.key("URL").cat({"https://shop.example.com/products/", u2s(nb, p11 % 10)});
}
}  // namespace

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

void EventWriter::write_properties(JW& w, const Event& e, uint64_t h) const {
  const Dataset& d = c_.ds;
  EventHash H{h};
  const Kind kind = kinds_[e.metric];
  w.key("event_properties").obj();
  switch (kind) {
    case Kind::Order:
      write_order(w, H);
      break;
    case Kind::Message:
    case Kind::MessageClicked:
      write_message(w, d, H, kind == Kind::MessageClicked);
      break;
    case Kind::Viewed:
    case Kind::AddedToCart:
      write_product(w, H, kind == Kind::AddedToCart);
      break;
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
  w.end_obj();
}

void EventWriter::write(JW& w, uint32_t i) const {
  const Dataset& d = c_.ds;
  const Event& e = d.events[i];
  char idb[26], pidb[26], uu[36];
  d.event_id_to(idb, i);
  d.profile_id_to(pidb, e.profile);
  std::string_view id(idb, 26), pid(pidb, 26);
  uint64_t h = hash(d.seed, 0xE0E, i);
  w.obj();
  w.key("attributes").obj();
  w.key("datetime").s(TimeStr(e.t, e.fmt).sv());
  write_properties(w, e, h);
  w.key("timestamp").i(e.t >= 0 ? e.t / kUs : -((-e.t + kUs - 1) / kUs));  // floor division
  uuid_to(uu, hash(h, 0x0d), hash(h, 0x0e));
  w.key("uuid").s(std::string_view(uu, 36));
  w.end_obj();  // attributes
  w.key("id").s(id);
  w.key("links").obj().key("self").cat({base_, id, "/"}).end_obj();
  w.key("relationships").obj();
  rel_empty_w(w, "attributions", base_, id);
  rel_one_w(w, "metric", "metric", d.metrics[e.metric].id, base_, id);
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

}  // namespace sim
