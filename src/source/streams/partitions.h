// Partitions of a stream: the independent slices the engine reads (and checkpoints) separately.
// Each has a key (as it appears in state, Airbyte's shape: {"archived":"true","campaign_type":"email"})
// and the filter clauses that select it. A child stream's partition also carries its ancestry: the
// ids of its parent, grandparent, ... (flow_messages: flow_id, then flow_action_id).
// Thread-safe: pure functions returning values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "source/config/config.h"
#include "source/streams/stream_spec.h"
#include "core/util/clock.h"

namespace sk::streams {

// One ancestor of a child partition: the field naming it in records ("flow_id"; empty for detail
// rows, whose record is the parent itself) and its id.
struct Ancestor {
  std::string key;
  std::string id;
};

struct Partition {
  nlohmann::json key = nlohmann::json::object();  // {} for a stream without partitions
  std::vector<std::string> clauses;               // filter clauses selecting this partition
  std::string channel;                            // campaigns: email | sms | mobile_push
  std::vector<Ancestor> ancestry;                 // root first; the last one's id fills {parent_id}
  std::optional<SysTime> parent_cursor;           // the immediate parent record's cursor, when it has one

  // The immediate parent's id ("" for a stream without a parent).
  const std::string& parent_id() const;
};

// One record of a parent stream, as listed for its children's partitions.
struct ParentRef {
  std::string id;
  std::optional<SysTime> cursor;    // the parent's cursor value (e.g. a list's `updated`), if any
  std::vector<Ancestor> ancestry;   // the parent record's own ancestors (flow_actions: its flow_id)
};

// Partitions known from the row and the config. For Partitioning::Parent pass the parent's records
// (streams/parents.h lists them); the key field is parent_key, or detail_key for detail rows.
std::vector<Partition> partitions_for(const StreamSpec& spec, const config::Config& cfg,
                                      const std::vector<ParentRef>& parents = {});

}  // namespace sk::streams
