// Config parsing and validation (see config.h). Every message names the field and how to fix it.
#include "source/config/config.h"

#include <cstdlib>
#include <string>

#include "core/config/fields.h"
#include "core/util/datetime.h"
#include "core/util/error.h"

namespace sk::config {

using nlohmann::json;

Config parse(const json& j) {
  if (!j.is_object()) throw config_error("The config must be a JSON object with at least 'api_key'.");
  Config c;
  c.api_key = klaviyo_api_key(j);
  if (auto sd = string_field(j, "start_date"); !sd.empty()) {
    auto t = sk::parse_datetime(sd);
    if (!t)
      throw config_error("Config field 'start_date' must be an RFC 3339 date-time like 2024-01-31T00:00:00Z or a date "
                         "like 2024-01-31; got '" + sd + "'.");
    c.start_date = *t;
  }
  c.lookback_window_days = integer_field(j, "lookback_window", 0, 365, 0);
  c.reporting_lookback_window_days = integer_field(j, "reporting_lookback_window", 0, 90, 0);
  c.num_workers = integer_field(j, "num_workers", 1, 50, 32);
  c.campaign_values_window_days = integer_field(j, "campaign_values_window_days", 1, 365, 30);
  c.reporting_max_wait_seconds = integer_field(j, "reporting_max_wait_seconds", 0, 86400, 600);
  c.disable_fetching_predictive_analytics = bool_field(j, "disable_fetching_predictive_analytics", false);
  c.refresh_profile_counts = bool_field(j, "refresh_profile_counts", false);
  c.metric_ids = split_ids(string_field(j, "metric_ids"));
  c.event_metric_ids = split_ids(string_field(j, "event_metric_ids"));
  c.base_url = base_url_from_env();
  c.rate_window_scale = rate_window_scale_from_env();
  if (const char* secs = std::getenv("SK_PROGRESS_SECONDS"); secs && *secs) {
    char* end = nullptr;
    const double v = std::strtod(secs, &end);
    if (end == secs || *end != '\0' || !(v >= 1 && v <= 3600))
      throw config_error("The environment variable SK_PROGRESS_SECONDS must be a number of seconds in [1, 3600]; got '" +
                         std::string(secs) + "'.");
    c.progress_seconds = v;
  }
  return c;
}

Config load(const std::string& path) { return parse(read_json_file(path, "config")); }

}  // namespace sk::config
