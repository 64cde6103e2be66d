// The named escape hatches of the stream table (StreamSpec::hooks), each a small function with an
// example of what it does. Everything else about a stream is its row.
// Thread-safe: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "budget/rate_budget.h"
#include "config/config.h"
#include "klaviyo/query.h"
#include "streams/partitions.h"
#include "streams/stream_spec.h"

namespace sk::streams {

// Adjusts query parameters and rate tier before the first request of a partition.
//   ProfileAdditionalFields: adds additional-fields[profile]=subscriptions,predictive_analytics
//   (tier M, Klaviyo's lower limit for predictive data) or =subscriptions when
//   disable_fetching_predictive_analytics is set (tier L).
void apply_request_hooks(const StreamSpec& spec, const config::Config& cfg, klaviyo::Params& params,
                         budget::TierId& tier);

// Transforms one record before it is emitted.
//   CampaignChannel: {"type":"campaign","attributes":{"name":"Spring"}} read from the email
//   partition becomes {"type":"campaign","attributes":{"name":"Spring","channel":"email"}}.
void apply_record_hooks(const StreamSpec& spec, const Partition& part, nlohmann::json& record);

}  // namespace sk::streams
