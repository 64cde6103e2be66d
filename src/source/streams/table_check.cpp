// Whole-table checks of the stream rows (see table_check.h).
#include "source/streams/table_check.h"

#include <set>

#include <nlohmann/json.hpp>

#include "core/util/resources.h"

namespace sk::streams {

namespace {

const StreamSpec* row_named(std::span<const StreamSpec> rows, std::string_view name) {
  for (const auto& r : rows)
    if (r.name == name) return &r;
  return nullptr;
}

std::vector<std::string> split_key(std::string_view key) {
  std::vector<std::string> out;
  while (!key.empty()) {
    auto comma = key.find(',');
    out.emplace_back(key.substr(0, comma));
    key = comma == std::string_view::npos ? std::string_view() : key.substr(comma + 1);
  }
  return out;
}

void check_parent(std::span<const StreamSpec> rows, const StreamSpec& r, std::vector<std::string>& out) {
  const std::string name(r.name);
  const bool templated = r.path.find("{parent_id}") != std::string_view::npos;
  if (r.partitions == Partitioning::ReportMetrics) {
    if (!r.report) out.push_back(name + ": partitioned by conversion metric but has no report body");
    if (!row_named(rows, r.parent)) out.push_back(name + ": lists its metrics from '" + std::string(r.parent) +
                                                  "', which is not a stream");
    if (templated) out.push_back(name + ": the path has {parent_id} but the row has no parent partitioning");
    return;
  }
  if (r.report) out.push_back(name + ": a report row must be partitioned by conversion metric");
  if (r.partitions != Partitioning::Parent) {
    if (templated) out.push_back(name + ": the path has {parent_id} but the row has no parent partitioning");
    if (!r.parent.empty()) out.push_back(name + ": names a parent but is not partitioned by it");
    return;
  }
  if (!templated) out.push_back(name + ": partitioned by a parent but the path has no {parent_id}");
  if (r.parent_key.empty() == r.detail_key.empty())
    out.push_back(name + ": a child row needs exactly one of parent_key (children) or detail_key (detail rows)");
  if ((r.records == Records::Single) != !r.detail_key.empty())
    out.push_back(name + ": detail rows (detail_key) read single resources, and only they do");
  // Walk the chain: every parent exists, and it ends (no cycle).
  std::set<std::string_view> seen{r.name};
  const StreamSpec* cur = &r;
  while (cur->partitions == Partitioning::Parent) {
    const StreamSpec* up = row_named(rows, cur->parent);
    if (!up) {
      out.push_back(name + ": its parent chain names '" + std::string(cur->parent) + "', which is not a stream");
      return;
    }
    if (!seen.insert(up->name).second) {
      out.push_back(name + ": its parent chain loops back to '" + std::string(up->name) + "'");
      return;
    }
    cur = up;
  }
}

void check_schema(const StreamSpec& r, const SchemaLookup& schema, std::vector<std::string>& out) {
  const std::string name(r.name);
  auto text = schema(r.name);
  if (!text) {
    out.push_back(name + ": no schema schemas/" + name + ".json");
    return;
  }
  auto doc = nlohmann::json::parse(*text, nullptr, false);
  if (!doc.is_object() || !doc.contains("properties") || !doc["properties"].is_object()) {
    out.push_back(name + ": its schema is not a JSON object schema with properties");
    return;
  }
  const auto& props = doc["properties"];
  for (const auto& field : split_key(r.primary_key))
    if (!props.contains(field)) out.push_back(name + ": primary key field '" + field + "' is not in its schema");
  if (r.incremental() && !props.contains(std::string(r.cursor_field)))
    out.push_back(name + ": cursor field '" + std::string(r.cursor_field) + "' is not in its schema");
  if (!r.parent_key.empty() && !props.contains(std::string(r.parent_key)))
    out.push_back(name + ": parent key '" + std::string(r.parent_key) + "' is not in its schema");
}

}  // namespace

std::vector<std::string> table_problems(std::span<const StreamSpec> rows, const SchemaLookup& lookup) {
  SchemaLookup schema = lookup ? lookup : [](std::string_view stream) {
    return resources::find("schemas/" + std::string(stream) + ".json");
  };
  std::vector<std::string> out;
  std::set<std::string_view> names;
  for (const auto& r : rows) {
    const std::string name(r.name);
    if (r.name.empty()) out.push_back("a row has no name");
    if (!names.insert(r.name).second) out.push_back(name + ": listed twice");
    if (r.path.empty() || r.path.front() != '/') out.push_back(name + ": the path must start with '/'");
    if (r.scope.empty()) out.push_back(name + ": no read scope");
    if (r.primary_key.empty()) out.push_back(name + ": no primary key");
    if (r.window_days > 0 && !(r.incremental() && r.upper && r.lower != Lower::None))
      out.push_back(name + ": window_days needs a cursor with a server-side filter and an upper bound");
    if (r.sorted && r.incremental() && r.lower == Lower::None && r.upper)
      out.push_back(name + ": an upper bound needs a server-side filter");
    if (r.state != StateShape::Flat && r.partitions == Partitioning::None)
      out.push_back(name + ": a per-partition state shape for a stream without partitions");
    if (r.has_hook(Hook::CampaignDetails) == r.detail_path.empty())
      out.push_back(name + ": detail_path is for the CampaignDetails hook, which needs one");
    if (!r.predictive_params.empty() && r.params.empty())
      out.push_back(name + ": predictive_params replace params, so the row needs both");
    if ((r.default_history_days > 0) != (r.report != nullptr))
      out.push_back(name + ": default_history_days is for report rows, which need one");
    check_parent(rows, r, out);
    check_schema(r, schema, out);
  }
  return out;
}

}  // namespace sk::streams
