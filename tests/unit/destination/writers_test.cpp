// Batches and writers (src/destination/batches.h, writers.h) against a scripted transport: the
// in-request duplicate rule, the byte/size caps, a 400's pointers rejecting only the entries they
// name, the bulk import job's lifecycle and its import errors, the fallback without lists:write.
#include <catch2/catch.hpp>

#include <sstream>

#include "../fake_api.h"
#include "core/http/client.h"
#include "core/klaviyo/api.h"
#include "destination/batches.h"
#include "destination/writers.h"

using nlohmann::json;
using namespace sk::destination;
using sk::test::FakeServer;
using sk::test::reply;

namespace {

Event event(const std::string& email, const std::string& unique_id, const std::string& metric = "Placed Order") {
  Event e;
  e.metric_name = metric;
  e.unique_id = unique_id;
  e.profile.email = email;
  return e;
}

RecordRef record_ref(const std::string& who) { return RecordRef{"tracks", who, 0}; }

// A writer's world: a fake Klaviyo, a client and Api on it, budgets and a ledger on a fake clock.
struct World {
  FakeServer server;
  sk::FakeClock clock;
  sk::protocol::StringSink sink;
  sk::protocol::Emitter out{sink, clock};
  sk::http::Client client{std::make_unique<sk::test::FakeTransport>(server), clock, sk::http::RetryPolicy{},
                          [](std::string_view, const std::string&) {}};
  sk::budget::BudgetSet tiers{clock};
  sk::klaviyo::Api api{client, tiers, "pk_test_key", "http://127.0.0.1:1"};
  WriteBudgets budgets{clock, 1.0};
  Ledger ledger{out};
  std::string output() {
    out.flush();
    return sink.out;
  }
};

std::string pointer_error(int i, const std::string& field, const std::string& detail) {
  return json{{"status", 400},
              {"code", "invalid"},
              {"title", "Invalid input."},
              {"detail", detail},
              {"source", {{"pointer", "/data/attributes/events-bulk-create/data/" + std::to_string(i) + field}}}}
      .dump();
}

}  // namespace

TEST_CASE("an event batch never holds two events with the same profile, metric and unique_id") {
  EventBatch b(0, 1000);
  CHECK(b.add(event("a@x.com", "1"), record_ref("line 1")) == EventBatch::Add::Added);
  CHECK(b.add(event("a@x.com", "1", "Viewed"), record_ref("line 2")) == EventBatch::Add::Added);  // other metric
  CHECK(b.add(event("b@x.com", "1"), record_ref("line 3")) == EventBatch::Add::Added);            // other profile
  CHECK(b.add(event("a@x.com", "1"), record_ref("line 4")) == EventBatch::Add::Duplicate);
  CHECK(b.size() == 3);
}

TEST_CASE("an event batch is full at its event count and its body is a bulk create job") {
  EventBatch b(0, 2);
  CHECK(b.add(event("a@x.com", "1"), record_ref("line 1")) == EventBatch::Add::Added);
  CHECK(b.add(event("a@x.com", "2"), record_ref("line 2")) == EventBatch::Add::Added);
  CHECK(b.add(event("a@x.com", "3"), record_ref("line 3")) == EventBatch::Add::Full);
  json body = json::parse(b.body());
  CHECK(body["data"]["type"] == "event-bulk-create-job");
  auto& entries = body["data"]["attributes"]["events-bulk-create"]["data"];
  REQUIRE(entries.size() == 2);
  CHECK(entries[1]["attributes"]["events"]["data"][0]["attributes"]["unique_id"] == "2");
}

TEST_CASE("an event over the byte cap alone is refused; removing entries keeps the rest in order") {
  EventBatch b(0, 1000);
  Event big = event("a@x.com", "big");
  big.properties = "{\"blob\":\"" + std::string(kMaxEventBytes, 'x') + "\"}";
  CHECK(b.add(big, record_ref("line 1")) == EventBatch::Add::TooLarge);
  for (int i = 0; i < 5; ++i) REQUIRE(b.add(event("a@x.com", std::to_string(i)), record_ref("line " + std::to_string(i))) == EventBatch::Add::Added);
  b.remove({0, 2, 4});
  REQUIRE(b.size() == 2);
  CHECK(b.ref(0).who == "line 1");
  CHECK(b.ref(1).who == "line 3");
  auto entries = json::parse(b.body())["data"]["attributes"]["events-bulk-create"]["data"];
  REQUIRE(entries.size() == 2);
  CHECK(entries[0]["attributes"]["events"]["data"][0]["attributes"]["unique_id"] == "1");
  CHECK(entries[1]["attributes"]["events"]["data"][0]["attributes"]["unique_id"] == "3");
}

TEST_CASE("pointed_entries reads the entry index and field of each error") {
  json doc = json::parse("{\"errors\":[" + pointer_error(3, "/attributes/profile/data/attributes/email", "bad email") +
                         "," + pointer_error(3, "/attributes/events/data/0/attributes/time", "too old") + "," +
                         pointer_error(7, "", "bad entry") + R"(,{"detail":"no pointer"}]})");
  auto bad = pointed_entries(doc, "/data/attributes/events-bulk-create/data/");
  REQUIRE(bad.size() == 2);
  CHECK(bad[3] == "bad email (attributes/profile/data/attributes/email); too old (attributes/events/data/0/attributes/time)");
  CHECK(bad[7] == "bad entry");
}

TEST_CASE("a 400 pointing at entries rejects only those; the rest are sent again and accepted") {
  World w;
  int posts = 0;
  std::vector<std::size_t> sizes;
  w.server.handler = [&](const sk::http::Request& r) {
    auto entries = json::parse(r.body)["data"]["attributes"]["events-bulk-create"]["data"];
    sizes.push_back(entries.size());
    if (++posts == 1) return reply(400, "{\"errors\":[" + pointer_error(1, "/attributes/profile", "Invalid email") + "]}");
    return reply(202, "");
  };
  EventBatch b(0, 1000);
  for (int i = 0; i < 3; ++i) b.add(event("p" + std::to_string(i) + "@x.com", "u"), record_ref("line " + std::to_string(i + 1)));
  w.ledger.received("tracks");
  w.ledger.batch_opened(0);
  w.ledger.state({{"type", "STATE"}, {"state", {{"type", "GLOBAL"}, {"global", json::object()}}}});
  EventWriter(w.api, w.budgets, w.ledger).send(b);
  CHECK(sizes == std::vector<std::size_t>{3, 2});
  std::string out = w.output();
  CHECK(out.find("Rejected line 2 of stream 'tracks': Klaviyo: Invalid email") != std::string::npos);
  CHECK(out.find("\"destinationStats\":{\"recordCount\":1.0,\"rejectedRecordCount\":1.0}") != std::string::npos);
}

TEST_CASE("a 400 that points at no entry, and a 403, fail the write and settle nothing") {
  World w;
  long status = 400;
  w.server.handler = [&](const sk::http::Request&) {
    return reply(status, R"({"errors":[{"status":400,"title":"Invalid input.","detail":"Malformed body"}]})");
  };
  EventBatch b(0, 1000);
  b.add(event("a@x.com", "1"), record_ref("line 1"));
  w.ledger.batch_opened(0);
  w.ledger.state({{"type", "STATE"}, {"state", {{"type", "GLOBAL"}, {"global", json::object()}}}});
  try {
    EventWriter(w.api, w.budgets, w.ledger).send(b);
    FAIL("no exception");
  } catch (const sk::SourceError& e) {
    CHECK(e.failure().type == sk::FailureType::System);
    CHECK(e.failure().message.find("Malformed body") != std::string::npos);
  }
  status = 403;
  try {
    EventWriter(w.api, w.budgets, w.ledger).send(b);
    FAIL("no exception");
  } catch (const sk::SourceError& e) {
    CHECK(e.failure().type == sk::FailureType::Config);
    CHECK(e.failure().message.find("events:write") != std::string::npos);
  }
  CHECK(w.ledger.waiting() == 1);
  CHECK(w.output().find("\"STATE\"") == std::string::npos);
}

TEST_CASE("profiles of one person merge in arrival order, later fields winning") {
  ProfileBatch b(0);
  Profile first;
  first.email = "ann@x.com";
  first.first_name = "Ann";
  first.properties = {{"plan", "free"}, {"age", 30}};
  Profile second;
  second.email = "ann@x.com";
  second.last_name = "Lee";
  second.properties = {{"plan", "pro"}};
  REQUIRE(b.add(first, record_ref("line 1")));
  REQUIRE(b.add(second, record_ref("line 2")));
  REQUIRE(b.size() == 1);
  const Profile& p = b.people()[0].profile;
  CHECK(p.first_name == "Ann");
  CHECK(p.last_name == "Lee");
  CHECK(p.properties == json{{"plan", "pro"}, {"age", 30}});
  CHECK(b.people()[0].refs.size() == 2);
}

namespace {
ProfileBatch people(int n) {
  ProfileBatch b(0);
  for (int i = 0; i < n; ++i) {
    Profile p;
    p.email = "p" + std::to_string(i) + "@x.com";
    b.add(p, record_ref("line " + std::to_string(i + 1)));
  }
  return b;
}
}  // namespace

TEST_CASE("a large profile batch goes as a bulk import job, polled until complete, its import errors rejected") {
  World w;
  std::vector<std::string> calls;
  int polls = 0;
  w.server.handler = [&](const sk::http::Request& r) {
    std::string path = r.url.substr(r.url.find("/api/"));
    calls.push_back(r.method + " " + path.substr(0, path.find('?')));
    if (r.method == "POST") return reply(202, R"({"data":{"type":"profile-bulk-import-job","id":"J1","attributes":{"status":"queued"}}})");
    if (path.find("/import-errors") != std::string::npos)
      return reply(200, R"({"data":[{"type":"import-error","id":"e1","attributes":{"code":"duplicate_profile","title":"Conflict","detail":"Duplicate profile","source":{"pointer":"/data/attributes/profiles/data/4"}}}],"links":{"next":null}})");
    return reply(200, std::string(R"({"data":{"type":"profile-bulk-import-job","id":"J1","attributes":{"status":")") +
                          (++polls < 3 ? "processing" : "complete") + R"(","failed_count":1}}})");
  };
  ProfileBatch b = people(static_cast<int>(kBulkProfiles));
  w.ledger.batch_opened(0);
  ProfileWriter(w.api, w.budgets, w.ledger, w.clock, w.out).send(b);
  REQUIRE(calls.size() == 5);
  CHECK(calls[0] == "POST /api/profile-bulk-import-jobs");
  CHECK(calls[1] == "GET /api/profile-bulk-import-jobs/J1");
  CHECK(calls[3] == "GET /api/profile-bulk-import-jobs/J1");
  CHECK(calls[4] == "GET /api/profile-bulk-import-jobs/J1/import-errors");
  CHECK(w.output().find("Rejected line 5 of stream 'tracks': Klaviyo import error: Duplicate profile") != std::string::npos);
}

TEST_CASE("without lists:write profiles go one at a time; a 409 rejects only its person") {
  World w;
  std::vector<std::string> paths;
  w.server.handler = [&](const sk::http::Request& r) {
    paths.push_back(r.url.substr(r.url.find("/api/")));
    if (paths.back() == "/api/profile-bulk-import-jobs") return reply(403, R"({"errors":[{"status":403}]})");
    if (json::parse(r.body)["data"]["attributes"]["email"] == "p1@x.com")
      return reply(409, R"({"errors":[{"status":409,"code":"duplicate_profile","title":"Conflict.","detail":"A profile already exists with one of these identifiers."}]})");
    return reply(201, R"({"data":{"type":"profile","id":"P"}})");
  };
  ProfileBatch b = people(static_cast<int>(kBulkProfiles));
  ProfileWriter writer(w.api, w.budgets, w.ledger, w.clock, w.out);
  writer.send(b);
  CHECK(paths.size() == 1 + kBulkProfiles);
  CHECK(paths[1] == "/api/profile-import");
  std::string out = w.output();
  CHECK(out.find("lacks lists:write") != std::string::npos);
  CHECK(out.find("Rejected line 2 of stream 'tracks': Klaviyo (HTTP 409)") != std::string::npos);
  ProfileBatch again = people(static_cast<int>(kBulkProfiles));  // no second bulk attempt
  paths.clear();
  writer.send(again);
  CHECK(paths.size() == kBulkProfiles);
}
