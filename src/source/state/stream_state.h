// A stream's incremental state: one cursor per partition. Reads every shape Airbyte's
// source-klaviyo has saved, and writes Airbyte's current shapes, so states carry over both ways:
//   unpartitioned     {"updated": "2024-05-31T10:00:00+0000"}
//   partitioned       {"states": [{"partition": {"archived": "true"}, "cursor": {"updated": "..."}}, ...]}
//   events by metric  {"states": [...], "state": {"datetime": <min>}, "use_global_cursor": false, "lookback_window": N}
//   legacy archived   {"updated_at": X, "archived": {"updated_at": Y}}   -> archived=false: X, archived=true: Y
//                     (campaigns: email partitions only; the legacy API had no SMS campaigns)
//   legacy per-partition states for an unpartitioned stream -> the minimum cursor (no data skipped)
// Cursors are written as ISO-8601 with +00:00 and whole seconds.
// Thread-safety: none; the engine guards each StreamState with the stream's mutex.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/util/clock.h"

namespace sk::state {

class StreamState {
 public:
  StreamState(std::string stream, std::string cursor_field, bool partitioned, bool global_summary,
              int lookback_days = 0);

  // Loads the saved state for the partitions with these keys (in partition order). Throws
  // SourceError(Config) on an unreadable cursor.
  void load(const nlohmann::json& blob, const std::vector<nlohmann::json>& partition_keys);

  std::optional<SysTime> get(const nlohmann::json& key) const;
  // Moves the partition's cursor forward to t (never backward).
  void advance(const nlohmann::json& key, SysTime t);
  nlohmann::json to_json() const;

  // Members kept beside the cursors (report streams: "unsupported_metrics" {metric id: date}),
  // read from the saved state by load() and written back by to_json().
  void set_extra(const std::string& key, nlohmann::json value);
  const nlohmann::json* extra(const std::string& key) const;

 private:
  std::optional<SysTime> find_saved(const nlohmann::json& blob, const nlohmann::json& key) const;
  std::optional<SysTime> parse_cursor(const nlohmann::json& v) const;

  std::string stream_, field_;
  bool partitioned_, global_summary_;
  int lookback_days_;
  std::vector<std::pair<nlohmann::json, std::optional<SysTime>>> cursors_;  // in partition order
  nlohmann::json extras_ = nlohmann::json::object();
};

}  // namespace sk::state
