// Config parsing and validation (see config.h). Every message names the field and how to fix it.
#include "config/config.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "util/datetime.h"
#include "util/error.h"

namespace sk::config {

using nlohmann::json;

namespace {

int integer_field(const json& j, const char* name, int lo, int hi, int dflt) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return dflt;
  long long v;
  if (it->is_number_integer()) {
    v = it->get<long long>();
  } else if (it->is_number_float() && it->get<double>() == static_cast<long long>(it->get<double>())) {
    v = static_cast<long long>(it->get<double>());
  } else if (it->is_string() && !it->get<std::string>().empty() &&
             std::regex_match(it->get<std::string>(), std::regex("[0-9]+"))) {
    v = std::stoll(it->get<std::string>());
  } else {
    throw config_error(std::string("Config field '") + name + "' must be a whole number between " +
                       std::to_string(lo) + " and " + std::to_string(hi) + "; got " + it->dump() + ".");
  }
  if (v < lo || v > hi)
    throw config_error(std::string("Config field '") + name + "' must be between " + std::to_string(lo) +
                       " and " + std::to_string(hi) + "; got " + std::to_string(v) + ".");
  return static_cast<int>(v);
}

std::string string_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string())
    throw config_error(std::string("Config field '") + name + "' must be a string; got " + it->type_name() + ".");
  return it->get<std::string>();
}

}  // namespace

std::vector<std::string> split_ids(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto b = item.find_first_not_of(" \t\r\n");
    auto e = item.find_last_not_of(" \t\r\n");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

std::string base_url_from_env() {
  const char* env = std::getenv("KLAVIYO_BASE_URL");
  std::string url = (env && *env) ? env : "https://a.klaviyo.com";
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Config parse(const json& j) {
  if (!j.is_object()) throw config_error("The config must be a JSON object with at least 'api_key'.");
  Config c;
  auto key = j.find("api_key");
  if (key == j.end() || key->is_null() || (key->is_string() && key->get<std::string>().empty()))
    throw config_error("Config field 'api_key' is required: paste a Klaviyo private API key (it starts with 'pk_').");
  if (!key->is_string()) throw config_error("Config field 'api_key' must be a string (a Klaviyo private key, 'pk_...').");
  c.api_key = key->get<std::string>();
  static const std::regex kKey("pk_[A-Za-z0-9_]+");
  if (!std::regex_match(c.api_key, kKey))
    throw config_error(
        "Config field 'api_key' does not look like a Klaviyo private API key: it must start with 'pk_' followed by "
        "letters and digits. Public keys (6 characters) and OAuth tokens do not work; create a private key under "
        "Settings > API keys in Klaviyo.");

  if (auto sd = string_field(j, "start_date"); !sd.empty()) {
    auto t = sk::parse_datetime(sd);
    if (!t)
      throw config_error("Config field 'start_date' must be an RFC 3339 date-time like 2024-01-31T00:00:00Z or a date "
                         "like 2024-01-31; got '" + sd + "'.");
    c.start_date = *t;
  }
  c.lookback_window_days = integer_field(j, "lookback_window", 0, 365, 0);
  c.reporting_lookback_window_days = integer_field(j, "reporting_lookback_window", 0, 90, 0);
  c.num_workers = integer_field(j, "num_workers", 1, 50, 10);
  if (auto it = j.find("disable_fetching_predictive_analytics"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean())
      throw config_error("Config field 'disable_fetching_predictive_analytics' must be true or false.");
    c.disable_fetching_predictive_analytics = it->get<bool>();
  }
  if (auto it = j.find("refresh_profile_counts"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) throw config_error("Config field 'refresh_profile_counts' must be true or false.");
    c.refresh_profile_counts = it->get<bool>();
  }
  c.metric_ids = split_ids(string_field(j, "metric_ids"));
  c.event_metric_ids = split_ids(string_field(j, "event_metric_ids"));
  c.base_url = base_url_from_env();
  return c;
}

json read_json_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(std::string("Cannot read the ") + what + " file '" + path + "': it does not exist or is not readable.");
  std::stringstream ss;
  ss << in.rdbuf();
  // nlohmann parses any depth, but copying, dumping and comparing a value recurse once per level:
  // a file of 100000 nested arrays would overflow the stack later. No config, catalog or state
  // nests anywhere near this deep.
  constexpr int kMaxDepth = 256;
  const json::parser_callback_t depth_guard = [&](int depth, json::parse_event_t, json&) {
    if (depth > kMaxDepth)
      throw config_error(std::string("The ") + what + " file '" + path + "' nests JSON more than " +
                         std::to_string(kMaxDepth) + " levels deep; check that it is the right file.");
    return true;
  };
  try {
    return json::parse(ss.str(), depth_guard);
  } catch (const json::out_of_range& e) {  // a number too large for a double: 1e999
    throw config_error(std::string("The ") + what + " file '" + path + "' holds a number too large to read.",
                       e.what());
  } catch (const json::exception& e) {
    throw config_error(std::string("The ") + what + " file '" + path + "' is not valid JSON.", e.what());
  }
}

Config load(const std::string& path) { return parse(read_json_file(path, "config")); }

}  // namespace sk::config
