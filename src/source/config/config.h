// The connector's configuration: parsed from the config JSON once, validated with messages that
// name the field and the fix, then passed by const& everywhere. Field names match Airbyte's
// source-klaviyo so saved configs carry over. Unknown keys are ignored (platforms inject some).
// Thread-safe: an immutable value after parsing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/fields.h"  // read_json_file and the field helpers, for callers
#include "core/util/clock.h"

namespace sk::config {

struct Config {
  // Klaviyo private API key ("pk_..."), sent as "Authorization: Klaviyo-API-Key <key>". Required.
  std::string api_key;
  // Replicate data from this instant on. Absent: all history.
  std::optional<SysTime> start_date;
  // Days of events re-read on every incremental sync, to catch late-arriving events. Default 0.
  int lookback_window_days = 0;
  // Ask profiles only for subscriptions, not predictive_analytics (which Klaviyo serves at a lower
  // rate limit and which has caused 503s at volume). Default false.
  bool disable_fetching_predictive_analytics = false;
  // Requests in flight at once, at most. 1..50, default 32. Each rate tier keeps only as many in
  // flight as its steady rate x observed latency needs (budget::RateBudget::concurrency): 32 lets
  // the events tier (3500/min) reach its limit at up to ~500 ms latency.
  int num_workers = 32;
  // Conversion metric ids for the report streams; empty = every metric. From "metric_ids".
  std::vector<std::string> metric_ids;
  // Restrict events to these metric ids (one partition each); empty = all events.
  std::vector<std::string> event_metric_ids;
  // lists_detailed / segments_detailed: fetch every list and segment on each sync, so profile_count
  // (which changes without `updated` changing) is never stale. Default false: only lists and
  // segments updated since the last sync are fetched (Airbyte's behaviour). Costs one XS-tier call
  // (15 a minute) per list and segment on every sync. From "refresh_profile_counts".
  bool refresh_profile_counts = false;
  // Days flow_series_reports re-reads on every incremental sync (late conversions). Default 0.
  int reporting_lookback_window_days = 0;
  // Days per campaign_values_reports request: 30 (Airbyte's windows, the same keys) up to 365 (the
  // API's longest timeframe: 12x fewer requests, one aggregate row per campaign per year instead
  // of per 30 days). From "campaign_values_window_days".
  int campaign_values_window_days = 30;
  // The longest Retry-After the report streams sleep through (with a LOG line); a longer one means
  // the day's quota is spent and the stream stops cleanly. 0-86400, default 600. From
  // "reporting_max_wait_seconds".
  int reporting_max_wait_seconds = 600;
  // Test-only: $SK_RATE_WINDOW_SCALE (0 < x <= 1) shrinks the rate budgets' 1 s / 1 min / 1 day
  // windows by this factor, to match a simulator run with --time-scale x. Never set it against
  // Klaviyo: the connector would exceed the real limits. Default 1.
  double rate_window_scale = 1.0;
  // Seconds between a running stream's progress LOG lines: $SK_PROGRESS_SECONDS (1..3600; tests
  // shorten it), default 5. Never below 1: at most one line a second per stream.
  double progress_seconds = 5.0;
  // Klaviyo base URL: $KLAVIYO_BASE_URL, default https://a.klaviyo.com (no trailing slash).
  std::string base_url = "https://a.klaviyo.com";
};

// Throws SourceError(Config) naming the field and the fix.
Config parse(const nlohmann::json& j);
Config load(const std::string& path);

}  // namespace sk::config
