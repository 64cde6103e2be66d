// tests/unit_test.cpp — in-process unit tests: time parsing/formatting, id round trips, filter
// parser, cursor encoding, fault selection determinism.
#include <catch2/catch.hpp>

#include "dataset.h"
#include "faults.h"
#include "query.h"
#include "util.h"

using namespace sim;

TEST_CASE("time parse/format round trip and variants") {
  auto t = parse_time("2024-05-01T12:30:00+00:00");
  REQUIRE(t);
  CHECK(fmt_time(*t) == "2024-05-01T12:30:00+00:00");
  CHECK(*parse_time("2024-05-01T12:30:00Z") == *t);
  CHECK(*parse_time("2024-05-01T14:30:00+0200") == *t);
  CHECK(*parse_time("2024-05-01 12:30:00+00:00") == *t);
  CHECK(fmt_time(*t + 123456, 1) == "2024-05-01T12:30:00.123456+00:00");
  CHECK(fmt_time(*t, 2) == "2024-05-01 12:30:00+00:00");
  CHECK_FALSE(parse_time("2024-05-01T12:30:00 00:00", false));
  CHECK_FALSE(parse_time("garbage"));
}

TEST_CASE("ids are deterministic and reversible") {
  Sizes sz;
  sz.profiles = 300;
  sz.events = 2000;
  int64_t anchor = *parse_date("2026-01-01");
  Dataset a(7, sz, anchor), b(7, sz, anchor), c(8, sz, anchor);
  CHECK(a.profile_id(5) == b.profile_id(5));
  CHECK(a.profile_id(5) != c.profile_id(5));
  CHECK(a.event_id(10).size() == 26);
  CHECK(a.metrics[0].id.size() == 6);
  for (uint32_t i = 0; i < 50; ++i) {
    CHECK(*a.find_event(a.event_id(i)) == i);
    CHECK(*a.find_profile(a.profile_id(i)) == i);
  }
  CHECK_FALSE(a.find_event(c.event_id(3)));
  // about 0.1% of events in the future, at least one; events sorted by (datetime, id)
  size_t future = 0;
  for (auto& e : a.events) future += e.t > anchor;
  CHECK(future >= 1);
  for (size_t k = 1; k < a.event_order.size(); ++k) {
    auto p = a.event_order[k - 1], q = a.event_order[k];
    REQUIRE(a.events[p].t <= a.events[q].t);
    if (a.events[p].t == a.events[q].t) REQUIRE(a.event_id(p) < a.event_id(q));
  }
}

TEST_CASE("filter parser") {
  FieldTable f = {{"updated", {FType::Time, {"greater-than", "less-than"}}},
                  {"email", {FType::Str, {"any", "equals"}}},
                  {"archived", {FType::Bool, {"equals"}}},
                  {"timestamp", {FType::Num, {"greater-than"}}}};
  int64_t now = now_us();
  auto ok = parse_filter("and(greater-than(updated,2024-01-01T00:00:00Z),equals(email,'a@b.com'))", f, now);
  CHECK(ok.error.empty());
  CHECK(ok.conds.size() == 2);
  CHECK(parse_filter("greater-than(updated,2024-01-01T00:00:00Z),less-than(updated,2024-02-01T00:00:00+00:00)", f, now).error.empty());
  CHECK(parse_filter("any(email,[\"a@b.com\",'c@d.com'])", f, now).error.empty());
  CHECK(parse_filter("equals(archived,true)", f, now).error.empty());
  CHECK(parse_filter("greater-than(timestamp,1700000000)", f, now).error.empty());
  CHECK(parse_filter("greater-or-equal(updated,2024-01-01T00:00:00Z)", f, now).error == "Invalid filter provided");
  CHECK(parse_filter("greater-than(updated,'2024-01-01T00:00:00Z')", f, now).error == "Invalid filter provided");
  CHECK(parse_filter("equals(email,a@b.com)", f, now).error == "Invalid filter provided");
  CHECK(parse_filter("equals(nope,'x')", f, now).error == "Invalid filter provided");
  CHECK(parse_filter("greater-than(updated,2024-01-01T00:00:00 00:00)", f, now).error == "Invalid filter provided");
  CHECK(parse_filter("equals(email,'x'", f, now).error == "Invalid filter provided");
  CHECK_FALSE(parse_filter("greater-than(updated,2999-01-01T00:00:00Z)", f, now).error.empty());
}

TEST_CASE("cursor round trip") {
  Cursor c{true, 123, "abc", "01ABC", 42};
  auto d = decode_cursor(encode_cursor(c));
  REQUIRE(d);
  CHECK(d->backward);
  CHECK(d->ki == 123);
  CHECK(d->tie == "01ABC");
  CHECK(d->qhash == 42);
  CHECK_FALSE(decode_cursor("!!notbase64"));
}

TEST_CASE("fault selection is a pure function of seed and sequence") {
  auto plan = parse_faults("500=0.1,reset=0.1,stall=0.05");
  REQUIRE(plan.error.empty());
  int hits = 0;
  for (uint64_t s = 1; s <= 1000; ++s) {
    CHECK(pick_fault(plan, 3, s) == pick_fault(plan, 3, s));
    hits += pick_fault(plan, 3, s) != Fault::None;
  }
  CHECK(hits > 180);
  CHECK(hits < 320);
  CHECK_FALSE(parse_faults("bogus=0.1").error.empty());
}
