// config.h — server configuration: command-line options plus the runtime-tunable subset that
// POST /__sim/config can change (guarded by State::cfg_mu).
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace sim {

struct Runtime {  // changeable at runtime
  std::string faults;       // e.g. "500=0.02,reset=0.01"
  std::string fault_paths;  // regex; empty = all /api paths
  bool rate_limits = true;
  int latency_ms = 0, latency_jitter_ms = 0;
  int stall_ms = 60000;
  int report_daily_quota = 225;  // per key and report endpoint per (scaled) day; 0 = no daily limit
};

struct Config {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string port_file;
  uint64_t seed = 1;
  std::string anchor;  // YYYY-MM-DD; empty = today (UTC)
  std::string timezone = "America/New_York";  // account timezone (IANA): GET /api/accounts, report timeframes
  double time_scale = 1.0;
  int threads = 96;  // httplib serves one keep-alive connection per thread: >= the connector's workers (32, at most 50) + headroom
  std::map<std::string, std::set<std::string>> keys;  // key -> scopes ("all" = everything)
  size_t log_bodies_max = 65536;  // longer request bodies are logged as null (/__sim/requests)
  bool store_written = true;      // false (--no-store-written): bulk-created events are validated, not kept
  Runtime rt;
};

}  // namespace sim
