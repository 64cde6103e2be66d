// A whole read against a FakeServer (fake_api.h), for the tests of the engine and of what it reads
// (engine_test, parents_test, detail_rows_test, windows_test, request_test, page_test): the unit
// tests' config, JSON:API resources and pages as Klaviyo shapes them, and the messages of a read
// sorted by type.
#pragma once

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/clock.h"
#include "core/util/datetime.h"
#include "fake_api.h"
#include "source/streams/engine.h"

namespace sk::test {

// The instant every read of these tests starts at (the sync start: the upper bound of its windows).
inline const SysTime kNow = *sk::parse_datetime("2024-06-01T12:00:00Z");

inline config::Config test_config() {
  config::Config c;
  c.api_key = "pk_unit_test_key";
  c.base_url = "http://fake";
  c.num_workers = 2;
  return c;
}

// {"type":type,"id":id,"attributes":{field:value},"links":{"self":"x"}}
inline nlohmann::json resource(const std::string& type, const std::string& id, const std::string& field,
                               const std::string& value) {
  return {{"type", type}, {"id", id}, {"attributes", {{field, value}}}, {"links", {{"self", "x"}}}};
}

// A collection page: data[] and links.next (null when `next` is empty).
inline std::string page(std::vector<nlohmann::json> data, const std::string& next = "") {
  nlohmann::json doc = {{"data", nlohmann::json(std::move(data))},
                        {"links", {{"self", "s"}, {"next", next.empty() ? nlohmann::json(nullptr) : nlohmann::json(next)}}}};
  return doc.dump();
}

inline nlohmann::json list_resource(const std::string& id, const std::string& updated) {
  return {{"type", "list"}, {"id", id}, {"attributes", {{"name", "List " + id}, {"updated", updated}}},
          {"links", {{"self", "http://fake/api/lists/" + id}}}};
}

// GET /api/lists/{id}?additional-fields[list]=profile_count as Klaviyo answers it: data is one object.
inline std::string list_detail(const std::string& id, const std::string& updated, int profile_count) {
  nlohmann::json d = list_resource(id, updated);
  d["attributes"]["profile_count"] = profile_count;
  return nlohmann::json{{"data", d}, {"links", {{"self", "http://fake/api/lists/" + id}}}}.dump();
}

// The messages of a read, and the engine's result per stream.
struct Run {
  std::vector<nlohmann::json> messages;
  std::vector<streams::StreamResult> results;
  std::vector<nlohmann::json> of_type(const std::string& t) const {
    std::vector<nlohmann::json> v;
    for (const auto& m : messages)
      if (m["type"] == t) v.push_back(m);
    return v;
  }
};

// Reads `names` (stream, sync mode) with `state` through the engine against `server`, at kNow,
// with up to 3 attempts per request.
inline Run run_read(FakeServer& server, const config::Config& cfg,
                    const std::vector<std::pair<const char*, protocol::SyncMode>>& names,
                    const std::map<std::string, nlohmann::json>& state = {}) {
  protocol::StringSink sink;
  FakeClock clock(kNow);
  Run r;
  {
    protocol::Emitter out(sink, clock);
    std::vector<streams::ConfiguredStream> cs;
    for (auto& [n, m] : names) cs.push_back({streams::find_stream(n), m});
    http::RetryPolicy policy;
    policy.max_attempts = 3;
    streams::Engine engine(cfg, out, clock, [&] { return std::make_unique<FakeTransport>(server); }, policy);
    r.results = engine.read(cs, state);
  }
  std::stringstream ss(sink.out);
  for (std::string l; std::getline(ss, l);) r.messages.push_back(nlohmann::json::parse(l));
  return r;
}

}  // namespace sk::test
