// The destination's config: the key, the mapping options and how batches are sized and flushed.
// Parsed with core/config/fields.h, so a bad field gets the same kind of message as the source's.
// Thread-safe: plain values.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "destination/mapping.h"

namespace sk::destination {

struct Config {
  std::string api_key;
  std::string base_url = "https://a.klaviyo.com";  // $KLAVIYO_BASE_URL
  Options mapping;        // require_email_or_phone, skip_event_names
  int batch_events = 1000;  // events per bulk create request, 1..1000 ("batch_events")
  int flush_seconds = 5;    // a batch waits at most this long for more input, 1..600 ("flush_seconds")
  double rate_window_scale = 1.0;  // $SK_RATE_WINDOW_SCALE (tests against a time-scaled simulator)
};

// Throws SourceError(Config) naming the field and the fix.
Config parse_config(const nlohmann::json& j);
Config load_config(const std::string& path);

}  // namespace sk::destination
