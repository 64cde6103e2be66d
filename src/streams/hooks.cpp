// Named hooks of the stream table (see hooks.h). Switches are exhaustive over Hook.
#include "streams/hooks.h"

namespace sk::streams {

void apply_request_hooks(const StreamSpec& spec, const config::Config& cfg, klaviyo::Params& params,
                         budget::TierId& tier) {
  for (Hook h : spec.hooks) {
    switch (h) {
      case Hook::ProfileAdditionalFields:
        if (cfg.disable_fetching_predictive_analytics) {
          params.emplace_back("additional-fields[profile]", "subscriptions");
        } else {
          params.emplace_back("additional-fields[profile]", "subscriptions,predictive_analytics");
          tier = budget::TierId::M;
        }
        break;
      case Hook::CampaignChannel:
        break;
    }
  }
}

void apply_record_hooks(const StreamSpec& spec, const Partition& part, nlohmann::json& record) {
  for (Hook h : spec.hooks) {
    switch (h) {
      case Hook::ProfileAdditionalFields:
        break;
      case Hook::CampaignChannel: {
        auto& attrs = record["attributes"];
        if (attrs.is_null()) attrs = nlohmann::json::object();
        if (attrs.is_object()) attrs["channel"] = part.channel;
        break;
      }
    }
  }
}

}  // namespace sk::streams
