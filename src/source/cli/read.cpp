// read: config -> catalog -> state -> engine -> summary. Every configured stream runs even when
// another fails; the run then ends with one TRACE error naming the failed streams and exit 1.
#include <cstdio>

#include "source/cli/commands.h"
#include "source/config/config.h"
#include "source/state/state_input.h"
#include "source/streams/catalog.h"

namespace sk::cli {

int run_read(const std::string& config_path, const std::string& catalog_path,
             const std::optional<std::string>& state_path, protocol::Emitter& out, Clock& clock,
             streams::TransportFactory transports) {
  std::vector<streams::StreamResult> results;
  try {
    auto cfg = config::load(config_path);
    out.add_secret(cfg.api_key);
    auto catalog = streams::parse_configured_catalog(config::read_json_file(catalog_path, "catalog"));
    std::map<std::string, nlohmann::json> saved;
    if (state_path) saved = state::parse_state_input(config::read_json_file(*state_path, "state"));
    streams::Engine engine(cfg, out, clock, std::move(transports));
    results = engine.read(catalog, saved);
  } catch (const SourceError& e) {
    out.error(e.failure());
    return 1;
  }

  std::string failed_names;
  const Failure* first = nullptr;
  bool all_config = true;
  for (const auto& r : results) {
    // The share of its tier's steady limit the stream used: its requests per minute over the limit.
    const double per_minute = r.seconds > 0 ? static_cast<double>(r.requests) * 60.0 / r.seconds : 0.0;
    const double share = r.tier_limit_per_minute > 0 ? 100.0 * per_minute / r.tier_limit_per_minute : 0.0;
    char line[384];
    std::snprintf(line, sizeof line,
                  "summary: stream=%s records=%llu pages=%llu requests=%llu 429s=%llu seconds=%.2f "
                  "requests_per_min=%.0f tier_limit_per_min=%.0f tier_share=%.0f%% status=%s",
                  r.name.c_str(), static_cast<unsigned long long>(r.records), static_cast<unsigned long long>(r.pages),
                  static_cast<unsigned long long>(r.requests), static_cast<unsigned long long>(r.throttled), r.seconds,
                  per_minute, r.tier_limit_per_minute, share, r.failure ? "failed" : "ok");
    out.log(protocol::LogLevel::Info, line);
    if (r.failure) {
      failed_names += (failed_names.empty() ? "" : ", ") + r.name;
      if (!first) first = &*r.failure;
      all_config = all_config && r.failure->type == FailureType::Config;
    }
  }
  if (!first) return 0;
  out.error({all_config ? FailureType::Config : first->type,
             "These streams did not sync completely: " + failed_names + ". First error: " + first->message,
             first->internal_message});
  return 1;
}

}  // namespace sk::cli
