// spec and discover: the compiled-in connection spec, and the two operations (Airbyte's
// data-activation model) with their compiled-in schemas. Neither makes a request.
#include <nlohmann/json.hpp>

#include "core/util/resources.h"
#include "destination/cli/commands.h"
#include "destination/config.h"

namespace sk::destination::cli {

namespace {
nlohmann::json resource(const char* path) {
  auto text = resources::find(path);
  if (!text) throw system_error(std::string("Internal error: ") + path + " is not compiled in.");
  return nlohmann::json::parse(*text);
}
}  // namespace

int run_spec(protocol::Emitter& out) {
  try {
    out.spec(resource("spec/destination_spec.json"));
    return 0;
  } catch (const SourceError& e) {
    out.error(e.failure());
    return 1;
  }
}

int run_discover(const std::string& config_path, protocol::Emitter& out) {
  try {
    Config cfg = load_config(config_path);
    out.add_secret(cfg.api_key);
    nlohmann::json event = {{"object_name", "event"},
                            {"sync_mode", "append"},
                            {"json_schema", resource("schemas/destination/event.json")}};
    nlohmann::json profile = {{"object_name", "profile"},
                              {"sync_mode", "append_dedup"},
                              {"json_schema", resource("schemas/destination/profile.json")},
                              {"matching_keys", nlohmann::json::array({nlohmann::json::array({"email"}), nlohmann::json::array({"phone_number"}),
                                                               nlohmann::json::array({"external_id"})})}};
    out.message({{"type", "DESTINATION_CATALOG"}, {"destination_catalog", {{"operations", nlohmann::json::array({event, profile})}}}});
    return 0;
  } catch (const SourceError& e) {
    out.error(e.failure());
    return 1;
  }
}

}  // namespace sk::destination::cli
