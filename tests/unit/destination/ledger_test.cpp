// The STATE ledger (src/destination/ledger.h): STATEs in input order, never before the batches of
// their records settle, with destinationStats counted per scope (stream or global). Expected
// counts are worked out by hand from the sequences below.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "core/protocol/emitter.h"
#include "destination/ledger.h"

using nlohmann::json;
using namespace sk::destination;

namespace {

struct Out {
  sk::FakeClock clock;
  sk::protocol::StringSink sink;
  sk::protocol::Emitter emitter{sink, clock};
  // Every message of one type printed so far.
  std::vector<json> of(const std::string& type) {
    emitter.flush();
    std::vector<json> v;
    std::istringstream in(sink.out);
    for (std::string line; std::getline(in, line);) {
      json m = json::parse(line);
      if (m["type"] == type) v.push_back(m);
    }
    return v;
  }
};

json stream_state(const std::string& stream, int cursor) {
  return {{"type", "STATE"},
          {"state",
           {{"type", "STREAM"},
            {"stream", {{"stream_descriptor", {{"name", stream}}}, {"stream_state", {{"cursor", cursor}}}}}}}};
}

json global_state(int n) {
  return {{"type", "STATE"}, {"state", {{"type", "GLOBAL"}, {"global", {{"shared_state", {{"n", n}}}}}}}};
}

}  // namespace

TEST_CASE("a STATE waits for the batches of its records, then goes out with its counts") {
  Out out;
  Ledger ledger(out.emitter);
  ledger.received("tracks");
  ledger.received("tracks");
  ledger.received("tracks");  // every record is received first, then perhaps skipped
  ledger.skipped("tracks", "page call");
  ledger.batch_opened(ledger.interval());
  ledger.state(stream_state("tracks", 1));
  CHECK(out.of("STATE").empty());
  CHECK(ledger.waiting() == 1);
  ledger.batch_settled(0);
  auto states = out.of("STATE");
  REQUIRE(states.size() == 1);
  CHECK(states[0]["state"]["stream"]["stream_state"]["cursor"] == 1);
  CHECK(states[0]["state"]["destinationStats"]["recordCount"] == 3.0);
  CHECK(states[0]["state"]["destinationStats"]["rejectedRecordCount"] == 1.0);
  auto logs = out.of("LOG");
  REQUIRE(!logs.empty());
  CHECK(logs.back()["log"]["message"].get<std::string>().find("page call: 1") != std::string::npos);
}

TEST_CASE("STATEs go out in input order even when later batches settle first") {
  Out out;
  Ledger ledger(out.emitter);
  ledger.received("a");
  ledger.batch_opened(0);
  ledger.state(stream_state("a", 1));
  ledger.received("a");
  ledger.received("a");
  ledger.batch_opened(1);
  ledger.state(stream_state("a", 2));
  ledger.batch_settled(1);
  CHECK(out.of("STATE").empty());
  ledger.batch_settled(0);
  auto states = out.of("STATE");
  REQUIRE(states.size() == 2);
  CHECK(states[0]["state"]["stream"]["stream_state"]["cursor"] == 1);
  CHECK(states[0]["state"]["destinationStats"]["recordCount"] == 1.0);
  CHECK(states[1]["state"]["stream"]["stream_state"]["cursor"] == 2);
  CHECK(states[1]["state"]["destinationStats"]["recordCount"] == 2.0);
}

TEST_CASE("a stream's STATE counts its own records since its previous STATE; GLOBAL counts every stream") {
  Out out;
  Ledger ledger(out.emitter);
  ledger.received("a");
  ledger.received("b");
  ledger.received("b");
  ledger.state(stream_state("a", 1));  // a: 1
  ledger.received("b");
  ledger.rejected(RecordRef{"b", "line 5", ledger.interval()}, "Klaviyo: bad phone");
  ledger.received("a");
  ledger.state(stream_state("b", 1));  // b: 3 since the start, 1 rejected
  ledger.received("a");
  ledger.state(global_state(1));  // what is left: a's last two
  auto states = out.of("STATE");
  REQUIRE(states.size() == 3);
  CHECK(states[0]["state"]["destinationStats"]["recordCount"] == 1.0);
  CHECK(states[1]["state"]["destinationStats"]["recordCount"] == 3.0);
  CHECK(states[1]["state"]["destinationStats"]["rejectedRecordCount"] == 1.0);
  CHECK(states[2]["state"]["destinationStats"]["recordCount"] == 2.0);
  CHECK(states[2]["state"]["destinationStats"]["rejectedRecordCount"] == 0.0);
  CHECK(states[2]["state"]["global"]["shared_state"]["n"] == 1);
}

TEST_CASE("a rejected record is logged by name and stream, and counts in the STATE of its interval") {
  Out out;
  Ledger ledger(out.emitter);
  ledger.received("tracks");
  ledger.batch_opened(0);
  ledger.state(global_state(1));
  ledger.received("tracks");
  ledger.state(global_state(2));  // interval 1 has no batch, but must wait behind state 1
  CHECK(out.of("STATE").empty());
  ledger.rejected(RecordRef{"tracks", "messageId m-1", 0}, "Klaviyo: Invalid email");
  ledger.batch_settled(0);
  auto states = out.of("STATE");
  REQUIRE(states.size() == 2);
  CHECK(states[0]["state"]["destinationStats"]["rejectedRecordCount"] == 1.0);
  CHECK(states[1]["state"]["destinationStats"]["rejectedRecordCount"] == 0.0);
  bool named = false;
  for (auto& l : out.of("LOG")) {
    auto m = l["log"]["message"].get<std::string>();
    if (m.find("messageId m-1") != std::string::npos && m.find("'tracks'") != std::string::npos &&
        m.find("Invalid email") != std::string::npos)
      named = true;
  }
  CHECK(named);
}
