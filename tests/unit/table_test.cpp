// The stream table as a whole: sound as shipped, and each kind of broken row is caught.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "source/streams/stream_spec.h"
#include "source/streams/table_check.h"

using namespace sk::streams;

namespace {

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems)
    if (p.find(text) != std::string::npos) return true;
  return false;
}

// Rows copied from the shipped table, so a test case breaks one field of an otherwise sound row.
StreamSpec row(std::string_view name) { return *find_stream(name); }

std::vector<std::string> problems_of(std::vector<StreamSpec> rows) { return table_problems(rows); }

}  // namespace

TEST_CASE("table: the shipped stream table is sound", "[table]") {
  const auto problems = table_problems(all_streams());
  INFO([&] {
    std::string all;
    for (const auto& p : problems) all += p + "\n";
    return all;
  }());
  CHECK(problems.empty());
}

TEST_CASE("table: flow_messages hangs below flow_actions below flows", "[table]") {
  const StreamSpec* fm = find_stream("flow_messages");
  REQUIRE(fm);
  REQUIRE(fm->parent == "flow_actions");
  REQUIRE(find_stream(fm->parent)->parent == "flows");
}

TEST_CASE("table: broken rows are each named", "[table]") {
  SECTION("a parent that is not a stream") {
    StreamSpec fm = row("flow_messages");
    fm.parent = "flow_action";
    CHECK(mentions(problems_of({row("flows"), row("flow_actions"), fm}), "flow_messages: its parent chain names 'flow_action'"));
  }
  SECTION("a grandparent missing from the table") {
    CHECK(mentions(problems_of({row("flow_actions"), row("flow_messages")}), "parent chain names 'flows'"));
  }
  SECTION("a parent chain that loops") {
    StreamSpec a = row("flow_actions"), m = row("flow_messages");
    a.parent = "flow_messages";
    CHECK(mentions(problems_of({a, m}), "loops back"));
  }
  SECTION("a child path without {parent_id}") {
    StreamSpec m = row("flow_messages");
    m.path = "/api/flow-messages";
    CHECK(mentions(problems_of({row("flows"), row("flow_actions"), m}), "path has no {parent_id}"));
  }
  SECTION("{parent_id} in a row without a parent") {
    StreamSpec f = row("flows");
    f.path = "/api/flows/{parent_id}";
    CHECK(mentions(problems_of({f}), "has {parent_id} but the row has no parent"));
  }
  SECTION("a cursor field missing from the schema") {
    StreamSpec e = row("events");
    e.cursor_field = "timestamp_ms";
    CHECK(mentions(problems_of({e}), "cursor field 'timestamp_ms' is not in its schema"));
  }
  SECTION("a primary key field missing from the schema") {
    StreamSpec l = row("list_memberships");
    l.primary_key = "list_id,member_id";
    CHECK(mentions(problems_of({row("lists"), l}), "primary key field 'member_id'"));
  }
  SECTION("a row without a schema") {
    StreamSpec l = row("lists");
    l.name = "lists_v2";
    CHECK(mentions(problems_of({l}), "no schema schemas/lists_v2.json"));
  }
  SECTION("a detail row that reads a collection") {
    StreamSpec d = row("segments_detailed");
    d.records = Records::List;
    CHECK(mentions(problems_of({row("segments"), d}), "detail rows"));
  }
  SECTION("a windowed row without a server-side filter") {
    StreamSpec m = row("metrics");
    m.window_days = 7;
    CHECK(mentions(problems_of({m}), "window_days needs"));
  }
  SECTION("a row listed twice") {
    CHECK(mentions(problems_of({row("tags"), row("tags")}), "tags: listed twice"));
  }
}
