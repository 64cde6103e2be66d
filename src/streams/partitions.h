// Partitions of a stream: the independent slices the engine reads (and checkpoints) separately.
// Each has a key (as it appears in state, Airbyte's shape: {"archived":"true","campaign_type":"email"})
// and the filter clauses that select it.
// Thread-safe: pure functions returning values.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "streams/stream_spec.h"

namespace sk::streams {

struct Partition {
  nlohmann::json key = nlohmann::json::object();  // {} for a stream without partitions
  std::vector<std::string> clauses;               // filter clauses selecting this partition
  std::string channel;                            // campaigns: email | sms | mobile_push
};

std::vector<Partition> partitions_for(const StreamSpec& spec, const config::Config& cfg);

}  // namespace sk::streams
