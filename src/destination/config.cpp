// Destination config parsing (see config.h).
#include "destination/config.h"

#include "core/config/fields.h"
#include "core/util/error.h"

namespace sk::destination {

namespace {

std::vector<std::string> string_list(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return {};
  const std::string fix = std::string("Config field '") + name + "' must be a list of event names, like [\"Viewed Page\"]";
  if (!it->is_array()) throw config_error(fix + ".");
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string()) throw config_error(fix + "; it holds " + v.dump() + ".");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

Config parse_config(const nlohmann::json& j) {
  if (!j.is_object()) throw config_error("The config must be a JSON object with at least 'api_key'.");
  Config c;
  c.api_key = config::klaviyo_api_key(j);
  c.mapping.require_email_or_phone = config::bool_field(j, "require_email_or_phone", true);
  c.mapping.skip_event_names = string_list(j, "skip_event_names");
  c.batch_events = config::integer_field(j, "batch_events", 1, 1000, 1000);
  c.flush_seconds = config::integer_field(j, "flush_seconds", 1, 600, 5);
  c.base_url = config::base_url_from_env();
  c.rate_window_scale = config::rate_window_scale_from_env();
  return c;
}

Config load_config(const std::string& path) { return parse_config(config::read_json_file(path, "config")); }

}  // namespace sk::destination
