// The engine: turns configured stream rows plus their saved state into requests, pages through the
// answers, hands each record to the emitter and advances state only past what was emitted.
//   read = load state -> plan partitions -> (workers) fetch pages -> emit -> checkpoint -> finish
// Work is split into (stream, partition) items run by num_workers threads, each with its own HTTP
// client; rate budgets are shared per tier. One stream failing does not stop the others.
// Thread-safety: read() is called once from the main thread; it runs the workers itself.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "http/retry_policy.h"
#include "http/transport.h"
#include "protocol/emitter.h"
#include "streams/catalog.h"
#include "util/clock.h"
#include "util/error.h"

namespace sk::streams {

using TransportFactory = std::function<std::unique_ptr<http::Transport>()>;

struct StreamResult {
  std::string name;
  std::uint64_t records = 0;
  std::uint64_t pages = 0;
  double seconds = 0;
  std::optional<Failure> failure;
};

class Engine {
 public:
  Engine(const config::Config& cfg, protocol::Emitter& out, Clock& clock, TransportFactory transports,
         http::RetryPolicy policy = {});

  std::vector<StreamResult> read(const std::vector<ConfiguredStream>& streams,
                                 const std::map<std::string, nlohmann::json>& saved_state);

 private:
  const config::Config& cfg_;
  protocol::Emitter& out_;
  Clock& clock_;
  TransportFactory transports_;
  http::RetryPolicy policy_;
};

// A LogFn for http::Client that writes LOG messages through the emitter.
std::function<void(std::string_view, const std::string&)> log_to(protocol::Emitter& out);

// The default transport factory: libcurl with the connector's User-Agent and timeouts.
TransportFactory curl_transports();

}  // namespace sk::streams
