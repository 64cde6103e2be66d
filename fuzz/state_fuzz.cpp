// Fuzz target: the --state file. sk::state::parse_state_input reads every shape Airbyte passes
// (STREAM / GLOBAL messages, legacy dict), then each stream's blob is loaded by
// sk::state::StreamState for the partition shapes the connector has: unpartitioned, archived,
// channel x archived (campaigns), per metric with a global summary (events), per parent (lists).
// Unreadable states must be SourceError(Config). A state that loads must survive a round trip:
// what to_json() writes loads back to the same cursors.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "source/config/config.h"
#include "fuzz_input.h"
#include "source/state/state_input.h"
#include "source/state/stream_state.h"
#include "core/util/error.h"

namespace {

using nlohmann::json;

struct Shape {
  const char* stream;
  const char* cursor;
  bool partitioned;
  bool global_summary;
  int lookback_days;
  std::vector<json> keys;
};

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> all = {
      {"profiles", "updated", false, false, 0, {json::object()}},
      {"flows", "updated", true, false, 0, {{{"archived", "false"}}, {{"archived", "true"}}}},
      {"campaigns", "updated_at", true, false, 0,
       {{{"archived", "false"}, {"campaign_type", "email"}},
        {{"archived", "true"}, {"campaign_type", "email"}},
        {{"archived", "false"}, {"campaign_type", "sms"}}}},
      {"events", "datetime", true, true, 7, {{{"metric_id", "RESQ6t"}}, {{"metric_id", "Xyz123"}}}},
      {"list_memberships", "joined_group_at", true, false, 0, {{{"list_id", "L1"}}, {{"list_id", "L2"}}}},
  };
  return all;
}

void load_and_round_trip(const Shape& shape, const json& blob) {
  sk::state::StreamState st(shape.stream, shape.cursor, shape.partitioned, shape.global_summary,
                            shape.lookback_days);
  try {
    st.load(blob, shape.keys);
  } catch (const sk::SourceError&) {
    return;  // an unreadable cursor: the expected rejection
  }
  const json written = st.to_json();
  sk::state::StreamState again(shape.stream, shape.cursor, shape.partitioned, shape.global_summary,
                               shape.lookback_days);
  again.load(written, shape.keys);  // our own output must always load: no catch
  for (const json& key : shape.keys) {
    if (st.get(key) != again.get(key)) sk_fuzz::violated("a cursor changed through to_json and load");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::map<std::string, json> saved;
  try {
    saved = sk::state::parse_state_input(sk::config::read_json_file(sk_fuzz::as_file(data, size), "state"));
  } catch (const sk::SourceError&) {
    return 0;  // the expected rejection
  }
  for (const auto& [name, blob] : saved) {
    for (const Shape& shape : shapes()) load_and_round_trip(shape, blob);
  }
  return 0;
}
