// Config parsing helpers for both connectors: reading a JSON file safely, typed fields with
// messages that name the field and the fix, the Klaviyo API key, the base URL from the environment.
// Each connector's own Config struct (source/config/config.h, destination/config.h) is parsed with
// these. Every failure throws SourceError(Config).
// Thread-safe: pure functions (base_url_from_env reads the environment).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sk::config {

// Reads and parses a JSON file; a missing, malformed or absurdly nested file is a config error
// naming the path. `what` names the file in messages ("config", "catalog", "state").
nlohmann::json read_json_file(const std::string& path, const char* what);

// A whole number in [lo, hi] (7, 7.0 or "7"); absent or null: dflt.
int integer_field(const nlohmann::json& j, const char* name, int lo, int hi, int dflt);
// A string; absent or null: "".
std::string string_field(const nlohmann::json& j, const char* name);
// true or false; absent or null: dflt.
bool bool_field(const nlohmann::json& j, const char* name, bool dflt);

// The required 'api_key': a Klaviyo private key, "pk_" followed by letters, digits and '_'.
std::string klaviyo_api_key(const nlohmann::json& j);

// The base URL from the environment (KLAVIYO_BASE_URL) or https://a.klaviyo.com, no trailing slash.
std::string base_url_from_env();

// Test-only: $SK_RATE_WINDOW_SCALE (0 < x <= 1) shrinks the rate budgets' windows to match a
// simulator run with --time-scale x; unset: 1. Anything else is a config error.
double rate_window_scale_from_env();
// Splits "a, b,,c" into {"a","b","c"}.
std::vector<std::string> split_ids(const std::string& s);

}  // namespace sk::config
