// Partitions of a stream: the independent slices the engine reads (and checkpoints) separately.
// Each has a key (as it appears in state, Airbyte's shape: {"archived":"true","campaign_type":"email"})
// and the filter clauses that select it.
// Thread-safe: pure functions returning values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "streams/stream_spec.h"
#include "util/clock.h"

namespace sk::streams {

struct Partition {
  nlohmann::json key = nlohmann::json::object();  // {} for a stream without partitions
  std::vector<std::string> clauses;               // filter clauses selecting this partition
  std::string channel;                            // campaigns: email | sms | mobile_push
  std::string parent_id;                          // Partitioning::Parent: substituted for {parent_id}
  std::optional<SysTime> parent_cursor;           // ... and the parent record's cursor, when it has one
};

// One record of a parent stream, as listed for its children's partitions.
struct ParentRef {
  std::string id;
  std::optional<SysTime> cursor;  // the parent's cursor value (e.g. a list's `updated`), if any
};

// Partitions known from the row and the config. For Partitioning::Parent pass the parent's records
// (see engine.cpp, which lists them when the read starts); the key field is parent_key, or
// detail_key for detail rows.
std::vector<Partition> partitions_for(const StreamSpec& spec, const config::Config& cfg,
                                      const std::vector<ParentRef>& parents = {});

}  // namespace sk::streams
