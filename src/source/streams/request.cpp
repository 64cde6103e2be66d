// Building requests from rows (see request.h).
#include "source/streams/request.h"

#include <nlohmann/json.hpp>

#include "core/klaviyo/query.h"
#include "core/util/datetime.h"

namespace sk::streams {

namespace {

// The body of a reporting-API request for one conversion metric and timeframe (the row's ReportSpec).
std::string report_body(const ReportSpec& report, std::string_view metric_id, const Timeframe& tf) {
  nlohmann::json statistics = nlohmann::json::array();
  for (std::string_view s : report.statistics) statistics.push_back(s);
  nlohmann::json attrs = {{"statistics", std::move(statistics)},
                          {"timeframe", {{"start", tf.start}, {"end", tf.end}}},
                          {"conversion_metric_id", metric_id}};
  if (!report.interval.empty()) attrs["interval"] = report.interval;
  return nlohmann::json{{"data", {{"type", report.type}, {"attributes", std::move(attrs)}}}}.dump();
}

}  // namespace

klaviyo::Call build_call(const StreamSpec& spec, const config::Config& cfg, const Partition& part, Bounds b) {
  const std::string field(spec.cursor_field);
  std::vector<std::string> clauses = part.clauses;
  if (b.start && spec.lower == Lower::Gt)
    clauses.push_back(klaviyo::clause("greater-than", field, klaviyo::dt(floor_seconds(*b.start) - std::chrono::seconds(1))));
  if (b.start && spec.lower == Lower::Ge)
    clauses.push_back(klaviyo::clause("greater-or-equal", field, klaviyo::dt(floor_seconds(*b.start))));
  if (b.end && spec.upper) clauses.push_back(klaviyo::clause("less-than", field, klaviyo::dt(*b.end)));

  klaviyo::Call call;
  constexpr std::string_view kParentId = "{parent_id}";
  const std::string_view path = spec.path;
  if (auto pos = path.find(kParentId); pos != std::string_view::npos) {
    call.path.append(path.substr(0, pos));
    call.path.append(klaviyo::percent_encode(part.parent_id()));
    call.path.append(path.substr(pos + kParentId.size()));
  } else {
    call.path.assign(path);
  }
  if (!clauses.empty()) call.params.emplace_back("filter", klaviyo::all_of(clauses));
  if (spec.sorted && spec.incremental()) call.params.emplace_back("sort", field);
  if (spec.page_size > 0) call.params.emplace_back("page[size]", std::to_string(spec.page_size));
  const bool predictive = spec.predictive_for(cfg.disable_fetching_predictive_analytics);
  for (const auto& p : predictive ? spec.predictive_params : spec.params) call.params.emplace_back(p.key, p.value);
  call.info = {spec.tier_for(cfg.disable_fetching_predictive_analytics), spec.scope};
  call.kind = spec.partitions == Partitioning::Parent ? klaviyo::CallKind::ChildPartition : klaviyo::CallKind::Plain;
  if (spec.report) {
    call.method = "POST";
    call.body = report_body(*spec.report, part.parent_id(), b.timeframe);
    call.kind = klaviyo::CallKind::ReportPartition;
  }
  return call;
}

klaviyo::Call one_record(klaviyo::Call call) {
  static const std::string kOne = "1";
  for (auto& [k, v] : call.params)
    if (k == "page[size]") v.assign(kOne);
  return call;
}

klaviyo::Call account_call() {
  klaviyo::Call call;
  call.path = "/api/accounts";
  call.info = {budget::TierId::XS, "accounts"};
  return call;
}

klaviyo::Shape shape_of(const StreamSpec& spec) {
  switch (spec.records) {
    case Records::List: return klaviyo::Shape::List;
    case Records::Single: return klaviyo::Shape::Single;
    case Records::ReportResults: return klaviyo::Shape::Report;
    case Records::SeriesPerDay: return klaviyo::Shape::Series;
  }
  return klaviyo::Shape::List;
}

}  // namespace sk::streams
