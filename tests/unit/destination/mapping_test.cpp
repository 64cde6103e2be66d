// The destination's mapping (src/destination/mapping.h): Segment track/identify, data-activation
// rows, skips, rejections, E.164 phones, the stable unique_id and Klaviyo's JSON. Every expected
// value is written by hand from issue 17's rules and Klaviyo's documented shapes.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <variant>

#include "destination/mapping.h"

using nlohmann::json;
using namespace sk::destination;

namespace {

const sk::SysTime kNow{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};

// The record's data as the destination reads it: parsed by simdjson from its JSON text.
Mapped map(const json& data, ObjectKind kind = ObjectKind::Tracking, const Options& options = {},
           std::string_view stream = "tracks", long line = 1) {
  static simdjson::dom::parser parser;
  const std::string text = data.dump();
  simdjson::dom::element element = parser.parse(text);
  return map_record(RecordIn{stream, kind, element, line}, options, kNow);
}

template <class T>
T as(const Mapped& m) {
  REQUIRE(std::holds_alternative<T>(m));
  return std::get<T>(m);
}

json track(json extra = json::object()) {
  json d = {{"type", "track"}, {"event", "Viewed Product"}, {"properties", {{"email", "ann@example.com"}}}};
  if (!extra.is_null()) d.update(extra);
  return d;
}

}  // namespace

TEST_CASE("object_kind reads destination_object_name") {
  CHECK(object_kind("") == ObjectKind::Tracking);
  CHECK(object_kind("event") == ObjectKind::EventRow);
  CHECK(object_kind("profile") == ObjectKind::ProfileRow);
  CHECK_FALSE(object_kind("list").has_value());
}

TEST_CASE("a track with a messageId maps field by field") {
  json props = {{"email", "ann@example.com"}, {"value", 9.99}, {"currency", "USD"}, {"sku", "X-1"}};
  json d = {{"type", "track"},       {"event", "Placed Order"},   {"properties", props},
            {"messageId", "m-1"},    {"userId", "u-1"},           {"anonymousId", "anon-1"},
            {"timestamp", "2025-06-01T14:00:00.250+02:00"}};
  Event e = as<Event>(map(d));
  CHECK(e.metric_name == "Placed Order");
  CHECK(json::parse(e.properties) == props);
  CHECK(e.time == "2025-06-01T12:00:00.250000+00:00");
  CHECK(e.unique_id == "m-1");
  REQUIRE(e.value.has_value());
  CHECK(*e.value == 9.99);
  CHECK(e.value_currency == "USD");
  CHECK(e.profile.email == "ann@example.com");
  CHECK(e.profile.phone_number.empty());
  CHECK(e.profile.external_id == "u-1");
  CHECK(e.profile.anonymous_id == "anon-1");
}

TEST_CASE("without a messageId the unique_id is a stable hash of the stream and data") {
  // FNV-1a 64 of "" and "a" are the published test vectors; the third is FNV-1a 64 of
  // "tracks\n{\"event\":\"Viewed\",\"type\":\"track\"}" (keys sorted).
  json small = {{"type", "track"}, {"event", "Viewed"}};
  CHECK(stable_unique_id("tracks", small) == "d24b62a2cfeb3b5a");
  json d = track({{"timestamp", "2025-06-01T12:00:00Z"}});
  std::string first = as<Event>(map(d, ObjectKind::Tracking, {}, "tracks", 1)).unique_id;
  CHECK(first.size() == 16);
  // The same data on another input line (as with another emitted_at) gets the same id.
  CHECK(as<Event>(map(d, ObjectKind::Tracking, {}, "tracks", 99)).unique_id == first);
  CHECK(as<Event>(map(json::parse(d.dump()))).unique_id == first);
  json other = track({{"timestamp", "2025-06-01T12:00:01Z"}});
  CHECK(as<Event>(map(other)).unique_id != first);
  CHECK(as<Event>(map(d, ObjectKind::Tracking, {}, "other_stream")).unique_id != first);
}

TEST_CASE("time is timestamp, else originalTimestamp, else absent") {
  CHECK(as<Event>(map(track({{"originalTimestamp", "2025-01-02T03:04:05Z"}}))).time == "2025-01-02T03:04:05+00:00");
  CHECK(as<Event>(map(track({{"timestamp", "2025-01-02T03:04:05Z"}, {"originalTimestamp", "2024-01-01T00:00:00Z"}})))
            .time == "2025-01-02T03:04:05+00:00");
  CHECK(as<Event>(map(track())).time.empty());
}

TEST_CASE("value is the first JSON number of properties.value, revenue, total") {
  auto value_of = [](json props) {
    props["email"] = "ann@example.com";
    return as<Event>(map(track({{"properties", props}}))).value;
  };
  CHECK(value_of({{"value", 1}, {"revenue", 2}, {"total", 3}}) == 1.0);
  CHECK(value_of({{"revenue", 2.5}, {"total", 3}}) == 2.5);
  CHECK(value_of({{"total", 3}}) == 3.0);
  CHECK_FALSE(value_of({{"value", "12"}}).has_value());
  CHECK_FALSE(value_of({{"value", true}}).has_value());
  CHECK(value_of({{"value", "12"}, {"revenue", 5}}) == 5.0);
  CHECK_FALSE(value_of(json::object()).has_value());
}

TEST_CASE("email and phone come from properties, else context.traits, else traits") {
  json d = {{"type", "track"}, {"event", "E"}, {"context", {{"traits", {{"email", "ctx@example.com"}}}}},
            {"traits", {{"email", "t@example.com"}, {"phone", "+442079460958"}}}};
  Event e = as<Event>(map(d));
  CHECK(e.profile.email == "ctx@example.com");
  CHECK(e.profile.phone_number == "+442079460958");
  d["properties"] = {{"email", "p@example.com"}};
  CHECK(as<Event>(map(d)).profile.email == "p@example.com");
}

TEST_CASE("phones are kept only as E.164") {
  CHECK(e164_phone("+1 (415) 555-0100") == "+14155550100");
  CHECK(e164_phone("+44.20.7946.0958") == "+442079460958");
  CHECK(e164_phone("415-555-0100").empty());
  CHECK(e164_phone("+0123456789").empty());
  CHECK(e164_phone("+1234567").empty());
  CHECK(e164_phone("+12345678") == "+12345678");
  CHECK(e164_phone("+123456789012345") == "+123456789012345");
  CHECK(e164_phone("+1234567890123456").empty());
  CHECK(e164_phone("+1 415 555 0100 x2").empty());
  CHECK(e164_phone("").empty());

  json phone_only = {{"type", "track"}, {"event", "E"}, {"properties", {{"phone", "+1 (415) 555-0100"}}}};
  CHECK(as<Event>(map(phone_only)).profile.phone_number == "+14155550100");
  json both = {{"type", "track"}, {"event", "E"},
               {"properties", {{"phone", "415-555-0100"}, {"email", "ann@example.com"}}}};
  Event e = as<Event>(map(both));
  CHECK(e.profile.phone_number.empty());
  CHECK(e.profile.email == "ann@example.com");
  json bad_phone_only = {{"type", "track"}, {"event", "E"}, {"properties", {{"phone", "415-555-0100"}}}};
  CHECK(as<Skipped>(map(bad_phone_only)).reason == "no email or phone");
}

TEST_CASE("page and screen are never sent; group and alias are skipped") {
  for (const char* type : {"page", "screen", "group", "alias"}) {
    json d = {{"type", type}, {"userId", "u"}, {"properties", {{"email", "ann@example.com"}}}, {"messageId", "m-7"}};
    Skipped s = as<Skipped>(map(d));
    CHECK(s.reason.find(type) != std::string::npos);
    CHECK(s.who == "messageId m-7");
  }
  CHECK(as<Skipped>(map({{"type", "page"}}, ObjectKind::Tracking, {}, "tracks", 7)).who == "line 7");
}

TEST_CASE("skip_event_names skips exactly the names listed") {
  Options o;
  o.skip_event_names = {"Viewed Product", "Heartbeat"};
  CHECK(as<Skipped>(map(track(), ObjectKind::Tracking, o)).reason == "event name in skip_event_names");
  CHECK(std::holds_alternative<Event>(map(track({{"event", "Viewed product"}}), ObjectKind::Tracking, o)));
}

TEST_CASE("require_email_or_phone") {
  json d = {{"type", "track"}, {"event", "E"}, {"userId", "u-1"}};
  CHECK(as<Skipped>(map(d)).reason == "no email or phone");
  Options o;
  o.require_email_or_phone = false;
  Event e = as<Event>(map(d, ObjectKind::Tracking, o));
  CHECK(e.profile.external_id == "u-1");
  CHECK(e.profile.email.empty());
  CHECK(std::holds_alternative<Skipped>(map({{"type", "track"}, {"event", "E"}}, ObjectKind::Tracking, o)));
}

TEST_CASE("metric names of 128 characters or more are rejected") {
  CHECK(as<Event>(map(track({{"event", std::string(127, 'n')}}))).metric_name.size() == 127);
  CHECK(as<Rejected>(map(track({{"event", std::string(128, 'n')}}))).reason ==
        "metric name of 128 characters or more");
  std::string accented;
  for (int i = 0; i < 127; ++i) accented += "\xc3\xa9";  // 127 x U+00E9, 254 bytes
  CHECK(std::holds_alternative<Event>(map(track({{"event", accented}}))));
}

TEST_CASE("records that cannot be mapped are rejected with a reason") {
  CHECK(as<Rejected>(map(json::array({1, 2}), ObjectKind::Tracking, {}, "tracks", 3)).who == "line 3");
  CHECK(as<Rejected>(map(json("text"))).reason == "the record's data is not a JSON object");
  json no_name = track();
  no_name.erase("event");
  CHECK(as<Rejected>(map(no_name)).reason == "no event name");
  CHECK(std::holds_alternative<Rejected>(map(track({{"event", ""}}))));
  CHECK(std::holds_alternative<Rejected>(map(track({{"timestamp", "1989-12-31T23:59:59Z"}}))));
  CHECK(std::holds_alternative<Event>(map(track({{"timestamp", "1990-01-01T00:00:00Z"}}))));
  CHECK(std::holds_alternative<Event>(map(track({{"timestamp", "2026-12-31T00:00:00Z"}}))));
  CHECK(std::holds_alternative<Rejected>(map(track({{"timestamp", "2027-01-02T00:00:00Z"}}))));
  CHECK(std::holds_alternative<Rejected>(map(track({{"timestamp", "yesterday"}}))));
  CHECK(std::holds_alternative<Rejected>(map(track({{"properties", json::array()}}))));
  CHECK(std::holds_alternative<Rejected>(map({{"type", "purchase"}})));
  CHECK(std::holds_alternative<Rejected>(map({{"event", "E"}})));
}

TEST_CASE("identify maps traits onto the profile, the rest into properties") {
  json traits = {{"email", "bob@example.com"}, {"phone", "+1 415.555.0100"},  {"firstName", "Bob"},
                 {"last_name", "Lee"},         {"company", "Acme"},          {"title", "CTO"},
                 {"image", "https://img.example/b.png"}, {"locale", "en-US"}, {"plan", "pro"},
                 {"logins", 3},
                 {"address", {{"street", "1 Main St"}, {"city", "Boston"}, {"state", "MA"},
                              {"postalCode", "02110"}, {"country", "US"}}}};
  Profile p = as<Profile>(map({{"type", "identify"}, {"userId", "u-9"}, {"traits", traits}}));
  CHECK(p.email == "bob@example.com");
  CHECK(p.phone_number == "+14155550100");
  CHECK(p.external_id == "u-9");
  CHECK(p.first_name == "Bob");
  CHECK(p.last_name == "Lee");
  CHECK(p.organization == "Acme");
  CHECK(p.title == "CTO");
  CHECK(p.image == "https://img.example/b.png");
  CHECK(p.locale == "en-US");
  CHECK(p.location.address1 == "1 Main St");
  CHECK(p.location.city == "Boston");
  CHECK(p.location.region == "MA");
  CHECK(p.location.zip == "02110");
  CHECK(p.location.country == "US");
  CHECK(p.properties == json{{"plan", "pro"}, {"logins", 3}});
  CHECK(profile_attributes(p) == json::parse(R"({
    "email": "bob@example.com", "phone_number": "+14155550100", "external_id": "u-9",
    "first_name": "Bob", "last_name": "Lee", "organization": "Acme", "title": "CTO",
    "image": "https://img.example/b.png", "locale": "en-US",
    "location": {"address1": "1 Main St", "city": "Boston", "region": "MA", "zip": "02110", "country": "US"},
    "properties": {"plan": "pro", "logins": 3}})"));
}

TEST_CASE("identify without email, phone or userId is skipped") {
  CHECK(std::holds_alternative<Skipped>(map({{"type", "identify"}, {"traits", {{"firstName", "Bob"}}}})));
  CHECK(std::holds_alternative<Skipped>(map({{"type", "identify"}, {"traits", {{"phone", "555-0100"}}}})));
  CHECK(std::holds_alternative<Skipped>(map({{"type", "identify"}, {"anonymousId", "a-1"}})));
  CHECK(as<Profile>(map({{"type", "identify"}, {"userId", "u-1"}})).external_id == "u-1");
}

TEST_CASE("data-activation event rows") {
  json row = {{"metric_name", "Placed Order"}, {"email", "ann@example.com"}, {"phone_number", "+1 415 555 0100"},
              {"external_id", "u-1"}, {"time", "2025-03-04T05:06:07Z"}, {"unique_id", "order-42"},
              {"value", 12.5}, {"value_currency", "EUR"}, {"properties", {{"items", 2}}}};
  Event e = as<Event>(map(row, ObjectKind::EventRow, {}, "orders"));
  CHECK(e.metric_name == "Placed Order");
  CHECK(e.profile.email == "ann@example.com");
  CHECK(e.profile.phone_number == "+14155550100");
  CHECK(e.profile.external_id == "u-1");
  CHECK(e.time == "2025-03-04T05:06:07+00:00");
  CHECK(e.unique_id == "order-42");
  CHECK(e.value == 12.5);
  CHECK(e.value_currency == "EUR");
  CHECK(json::parse(e.properties) == json{{"items", 2}});

  json no_id = {{"metric_name", "M"}, {"email", "ann@example.com"}};
  CHECK(as<Event>(map(no_id, ObjectKind::EventRow, {}, "orders")).unique_id == stable_unique_id("orders", no_id));
  json external_only = {{"metric_name", "M"}, {"external_id", "u-1"}};
  CHECK(as<Skipped>(map(external_only, ObjectKind::EventRow)).reason == "no email or phone");
  Options o;
  o.require_email_or_phone = false;
  CHECK(std::holds_alternative<Event>(map(external_only, ObjectKind::EventRow, o)));
  CHECK(std::holds_alternative<Rejected>(map({{"email", "ann@example.com"}}, ObjectKind::EventRow)));
}

TEST_CASE("data-activation profile rows") {
  json row = {{"email", "cy@example.com"}, {"external_id", "u-3"}, {"first_name", "Cy"}, {"organization", "Co"},
              {"location", {{"address1", "2 Side St"}, {"address2", "Apt 4"}, {"city", "Lyon"}, {"timezone", "Europe/Paris"}}},
              {"properties", {{"tier", "gold"}}}};
  Profile p = as<Profile>(map(row, ObjectKind::ProfileRow));
  CHECK(profile_attributes(p) == json::parse(R"({
    "email": "cy@example.com", "external_id": "u-3", "first_name": "Cy", "organization": "Co",
    "location": {"address1": "2 Side St", "address2": "Apt 4", "city": "Lyon", "timezone": "Europe/Paris"},
    "properties": {"tier": "gold"}})"));
  CHECK(std::holds_alternative<Skipped>(map({{"first_name", "Cy"}}, ObjectKind::ProfileRow)));
  CHECK(std::holds_alternative<Rejected>(map({{"email", "cy@example.com"}, {"location", "Lyon"}}, ObjectKind::ProfileRow)));
}

TEST_CASE("an event becomes one event-bulk-create entry") {
  Event e;
  e.metric_name = "Placed Order";
  e.properties = R"({"sku":"X-1"})";
  e.time = "2025-06-01T12:00:00+00:00";
  e.unique_id = "m-1";
  e.value = 9.99;
  e.value_currency = "USD";
  e.profile.email = "ann@example.com";
  e.profile.phone_number = "+14155550100";
  e.profile.external_id = "u-1";
  e.profile.anonymous_id = "anon-1";
  CHECK(json::parse(event_bulk_entry(e)) == json::parse(R"({"type": "event-bulk-create", "attributes": {
    "profile": {"data": {"type": "profile", "attributes": {
      "email": "ann@example.com", "phone_number": "+14155550100", "external_id": "u-1", "anonymous_id": "anon-1"}}},
    "events": {"data": [{"type": "event", "attributes": {
      "metric": {"data": {"type": "metric", "attributes": {"name": "Placed Order"}}},
      "properties": {"sku": "X-1"}, "time": "2025-06-01T12:00:00+00:00", "unique_id": "m-1",
      "value": 9.99, "value_currency": "USD"}}]}}})"));

  Event bare;
  bare.metric_name = "Ping";
  bare.unique_id = "u";
  bare.profile.email = "ann@example.com";
  CHECK(json::parse(event_bulk_entry(bare)) == json::parse(R"({"type": "event-bulk-create", "attributes": {
    "profile": {"data": {"type": "profile", "attributes": {"email": "ann@example.com"}}},
    "events": {"data": [{"type": "event", "attributes": {
      "metric": {"data": {"type": "metric", "attributes": {"name": "Ping"}}},
      "properties": {}, "unique_id": "u"}}]}}})"));
}
