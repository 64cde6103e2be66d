// Fuzz target: the config file (sk::config::read_json_file + sk::config::parse). Wrong types,
// out-of-range numbers and unreadable dates must become SourceError(Config), never a crash; a
// config that parses must hold only values the rest of the connector can use.
#include <cstddef>
#include <cstdint>

#include "source/config/config.h"
#include "fuzz_input.h"
#include "core/util/datetime.h"
#include "core/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using sk_fuzz::violated;
  try {
    const nlohmann::json doc = sk::config::read_json_file(sk_fuzz::as_file(data, size), "config");
    const sk::config::Config c = sk::config::parse(doc);
    if (c.api_key.rfind("pk_", 0) != 0) violated("api_key without pk_");
    if (c.num_workers < 1 || c.num_workers > 50) violated("num_workers out of 1..50");
    if (c.lookback_window_days < 0 || c.lookback_window_days > 365) violated("lookback_window out of 0..365");
    if (c.reporting_lookback_window_days < 0 || c.reporting_lookback_window_days > 90)
      violated("reporting_lookback_window out of 0..90");
    for (const auto* ids : {&c.metric_ids, &c.event_metric_ids}) {
      for (const std::string& id : *ids) {
        if (id.empty()) violated("empty metric id");
        if (id.find(',') != std::string::npos) violated("metric id with a comma");
        if (id.front() == ' ' || id.back() == ' ') violated("metric id with surrounding spaces");
      }
    }
    if (c.start_date) {
      // The start date ends up in filters and state: it must survive formatting and re-parsing.
      const std::string iso = sk::format_iso(*c.start_date);
      const auto again = sk::parse_datetime(iso);
      if (!again || *again != *c.start_date) violated("start_date does not survive format_iso");
    }
  } catch (const sk::SourceError&) {
    // The expected rejection.
  }
  return 0;
}
