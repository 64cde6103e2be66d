// Reading Airbyte's state shapes and writing ours (see stream_state.h for the shapes).
#include "source/state/stream_state.h"

#include "core/util/datetime.h"
#include "core/util/error.h"

namespace sk::state {

using nlohmann::json;

namespace {

std::string as_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// Does a saved partition object select the same partition as `key`?
bool same_partition(const json& saved, const json& key) {
  if (key.empty()) return saved.is_null() || (saved.is_object() && saved.empty());
  if (!saved.is_object()) return false;
  for (const auto& [k, v] : key.items()) {
    auto it = saved.find(k);
    if (it == saved.end() || as_text(*it) != as_text(v)) return false;
  }
  return true;
}

std::string key_text(const json& key, const char* name) {
  auto it = key.find(name);
  return it == key.end() ? std::string() : as_text(*it);
}

}  // namespace

StreamState::StreamState(std::string stream, std::string cursor_field, bool partitioned, bool global_summary,
                         int lookback_days)
    : stream_(std::move(stream)),
      field_(std::move(cursor_field)),
      partitioned_(partitioned),
      global_summary_(global_summary),
      lookback_days_(lookback_days) {}

std::optional<SysTime> StreamState::parse_cursor(const json& v) const {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) {
    if (auto t = sk::parse_datetime(v.get<std::string>())) return t;
  }
  throw config_error("The saved state of stream '" + stream_ + "' has a cursor that is not a datetime: " + v.dump() +
                     ". Reset the stream (or fix the state) and sync again.");
}

std::optional<SysTime> StreamState::find_saved(const json& blob, const json& key) const {
  if (!blob.is_object()) return std::nullopt;
  auto cursor_of = [&](const json& entry) -> std::optional<SysTime> {
    auto c = entry.find("cursor");
    if (c == entry.end() || !c->is_object()) return std::nullopt;
    auto f = c->find(field_);
    return f == c->end() ? std::nullopt : parse_cursor(*f);
  };
  if (auto states = blob.find("states"); states != blob.end() && states->is_array()) {
    for (const auto& entry : *states) {
      if (!entry.is_object()) continue;
      auto p = entry.find("partition");
      if (same_partition(p == entry.end() ? json() : *p, key)) return cursor_of(entry);
    }
    if (key.empty()) {  // per-partition state for a stream now read as one: the minimum loses nothing
      std::optional<SysTime> lowest;
      for (const auto& entry : *states) {
        if (!entry.is_object()) continue;
        if (auto t = cursor_of(entry); t && (!lowest || *t < *lowest)) lowest = t;
      }
      if (lowest) return lowest;
    }
  }
  if (auto global = blob.find("state"); global != blob.end() && global->is_object()) {
    if (auto f = global->find(field_); f != global->end()) return parse_cursor(*f);
  }
  const bool archived = key_text(key, "archived") == "true";
  const std::string channel = key_text(key, "campaign_type");
  if (!channel.empty() && channel != "email") return std::nullopt;  // legacy states predate sms / push
  if (archived) {
    if (auto a = blob.find("archived"); a != blob.end() && a->is_object()) {
      if (auto f = a->find(field_); f != a->end()) return parse_cursor(*f);
    }
    return std::nullopt;
  }
  if (auto f = blob.find(field_); f != blob.end()) return parse_cursor(*f);
  return std::nullopt;
}

namespace {
// The extra members load() carries over from a saved state.
constexpr const char* kExtraMembers[] = {"unsupported_metrics"};
}  // namespace

void StreamState::set_extra(const std::string& key, json value) { extras_[key] = std::move(value); }

const json* StreamState::extra(const std::string& key) const {
  auto it = extras_.find(key);
  return it == extras_.end() ? nullptr : &*it;
}

void StreamState::load(const json& blob, const std::vector<json>& partition_keys) {
  cursors_.clear();
  extras_ = json::object();
  if (blob.is_object())
    for (const char* member : kExtraMembers)
      if (auto it = blob.find(member); it != blob.end() && it->is_object()) extras_[member] = *it;
  for (const auto& key : partition_keys) cursors_.emplace_back(key, find_saved(blob, key));
}

std::optional<SysTime> StreamState::get(const json& key) const {
  for (const auto& [k, v] : cursors_)
    if (k == key) return v;
  return std::nullopt;
}

void StreamState::advance(const json& key, SysTime t) {
  for (auto& [k, v] : cursors_) {
    if (k == key) {
      if (!v || *v < t) v = t;
      return;
    }
  }
  cursors_.emplace_back(key, t);
}

json StreamState::to_json() const {
  if (!partitioned_) {
    json out = json::object();
    if (!cursors_.empty() && cursors_.front().second) out[field_] = sk::format_iso(*cursors_.front().second);
    for (const auto& [k, v] : extras_.items()) out[k] = v;
    return out;
  }
  json states = json::array();
  std::optional<SysTime> lowest;
  bool all = !cursors_.empty();
  for (const auto& [k, v] : cursors_) {
    if (!v) {
      all = false;
      continue;
    }
    states.push_back({{"partition", k}, {"cursor", {{field_, sk::format_iso(*v)}}}});
    if (!lowest || *v < *lowest) lowest = v;
  }
  json out = {{"states", std::move(states)}};
  if (global_summary_) {
    out["use_global_cursor"] = false;
    out["lookback_window"] = lookback_days_;
    if (all && lowest) out["state"] = {{field_, sk::format_iso(*lowest)}};
  }
  for (const auto& [k, v] : extras_.items()) out[k] = v;
  return out;
}

}  // namespace sk::state
