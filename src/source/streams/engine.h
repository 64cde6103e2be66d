// The engine: turns configured stream rows plus their saved state into requests, pages through the
// answers, hands each record to the emitter and advances state only past what was emitted.
//   read = make runs -> start report streams -> run workers (plan each stream, then read its
//          windows) -> end unfinished streams -> summarise
// Work is one queue of items: first a plan per stream (which lists parents through the shared
// ParentDirectory while other streams' windows are already being read), then one item per window
// the plan made. num_workers threads take items, each with its own HTTP client; rate budgets are
// shared per tier. One stream failing does not stop the others.
// Thread-safety: read() is called once from the main thread; it runs the workers itself.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "source/config/config.h"
#include "core/http/retry_policy.h"
#include "core/http/transport.h"
#include "core/protocol/emitter.h"
#include "source/streams/catalog.h"
#include "core/util/clock.h"
#include "core/util/error.h"

namespace sk::klaviyo {
class Api;
}

namespace sk::streams {

struct Item;

using TransportFactory = http::TransportFactory;

struct StreamResult {
  std::string name;
  std::uint64_t records = 0;
  std::uint64_t pages = 0;
  std::uint64_t requests = 0;   // HTTP attempts, retries and hook calls included
  std::uint64_t throttled = 0;  // 429s among them
  double seconds = 0;
  double tier_limit_per_minute = 0;  // the steady limit of the rate tier its requests use
  std::optional<Failure> failure;
};

class Engine {
 public:
  Engine(const config::Config& cfg, protocol::Emitter& out, Clock& clock, TransportFactory transports,
         http::RetryPolicy policy = {});

  std::vector<StreamResult> read(const std::vector<ConfiguredStream>& streams,
                                 const std::map<std::string, nlohmann::json>& saved_state);

  // How many times each parent stream was listed during the last read() (tests).
  int parent_listings(std::string_view parent) const;

 private:
  struct Read;  // one read's context, runs, queue and report threads (engine.cpp)
  void make_runs(Read& r, const std::vector<ConfiguredStream>& streams,
                 const std::map<std::string, nlohmann::json>& saved_state);
  void start_report_streams(Read& r);
  void run_workers(Read& r);
  void run_item(Read& r, klaviyo::Api& api, const Item& item);
  void end_unfinished(Read& r);
  std::vector<StreamResult> summarise(Read& r);

  const config::Config& cfg_;
  protocol::Emitter& out_;
  Clock& clock_;
  TransportFactory transports_;
  http::RetryPolicy policy_;
  std::map<std::string, int, std::less<>> listings_;
};

}  // namespace sk::streams
