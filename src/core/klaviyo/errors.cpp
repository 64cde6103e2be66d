// The status -> action table (see errors.h). Each number and each message is stated here once.
#include "core/klaviyo/errors.h"

#include <limits>
#include <utility>

namespace sk::klaviyo {

namespace {

// Klaviyo's words for a conversion metric the reporting API cannot use.
constexpr std::string_view kUnsupportedMetric = "does not support querying for values data";

// A rule matches a status range, an error detail substring ("" any) and a kind of call (any_kind:
// every kind). Its message is a template: {what} = "GET /api/segments", {scope} = "segments",
// {status} = "403", {detail} = Klaviyo's detail, {: detail} = ": <detail>" or "." when it has none.
struct Rule {
  long status_from, status_to;
  std::string_view detail;
  CallKind kind;
  bool any_kind;
  Action action;
  FailureType type;
  std::string_view message;
};

constexpr long kAnyStatus = std::numeric_limits<long>::max();

// First match wins; the last rule matches every status.
constexpr Rule kRules[] = {
    {401, 401, "", CallKind::Plain, true, Action::ConfigError, FailureType::Config,
     "Klaviyo rejected the API key (HTTP 401): it is invalid, revoked or deleted. Create a private API key in "
     "Klaviyo (Settings > API keys) and update 'api_key'."},
    {403, 403, "", CallKind::WriteProbe, false, Action::MissingScope, FailureType::Config,
     "The API key lacks the write scope '{scope}:write' needed for {what} (HTTP 403)."},
    {403, 403, "", CallKind::Write, false, Action::ConfigError, FailureType::Config,
     "The API key lacks the write scope '{scope}:write' needed for {what} (HTTP 403). Edit the key in Klaviyo "
     "(Settings > API keys) to grant full access to {scope}."},
    {403, 403, "", CallKind::Probe, false, Action::MissingScope, FailureType::Config,
     "The API key lacks the read scope '{scope}:read' needed for {what} (HTTP 403)."},
    {403, 403, "", CallKind::Plain, true, Action::ConfigError, FailureType::Config,
     "The API key lacks the read scope '{scope}:read' needed for {what} (HTTP 403). Edit the key in Klaviyo "
     "(Settings > API keys) to grant read access to {scope}, or remove the streams that need it."},
    {404, 404, "", CallKind::ChildPartition, false, Action::SkipPartition, FailureType::System,
     "{what} answered 'not found' (HTTP 404): its parent was deleted during the sync; this partition is skipped."},
    {404, 404, "", CallKind::Lookup, false, Action::Absent, FailureType::System,
     "{what} answered 'not found' (HTTP 404)."},
    {400, 400, kUnsupportedMetric, CallKind::ReportPartition, false, Action::SkipPartition, FailureType::System,
     "Klaviyo cannot report on this conversion metric ({what}: {detail}); the metric is skipped."},
    {400, 400, "", CallKind::Plain, true, Action::Fail, FailureType::System,
     "Klaviyo refused the request {what} as invalid (HTTP 400){: detail}"},
    {404, 404, "", CallKind::Plain, true, Action::Fail, FailureType::System,
     "Klaviyo answered 'not found' (HTTP 404) for {what}."},
    {500, kAnyStatus, "", CallKind::Plain, true, Action::Fail, FailureType::Transient,
     "Klaviyo is failing (HTTP {status}) for {what}; this is on Klaviyo's side, try again later."},
    {0, kAnyStatus, "", CallKind::Plain, true, Action::Fail, FailureType::System,
     "Unexpected HTTP {status} from Klaviyo for {what}{: detail}"},
};

std::string fill(std::string_view tmpl, std::string_view what, std::string_view scope, long status,
                 const std::string& detail) {
  const std::pair<std::string_view, std::string> vars[] = {
      {"{what}", std::string(what)},
      {"{scope}", std::string(scope)},
      {"{status}", std::to_string(status)},
      {"{detail}", detail},
      {"{: detail}", detail.empty() ? "." : ": " + detail},
  };
  std::string out;  // one pass over the template: values are never scanned for names
  for (std::size_t i = 0; i < tmpl.size();) {
    bool replaced = false;
    for (const auto& [name, value] : vars)
      if (tmpl.substr(i, name.size()) == name) {
        out += value;
        i += name.size();
        replaced = true;
        break;
      }
    if (!replaced) out += tmpl[i++];
  }
  return out;
}

}  // namespace

std::string error_detail(const nlohmann::json& doc) {
  if (!doc.is_object()) return {};
  auto errs = doc.find("errors");
  if (errs == doc.end() || !errs->is_array() || errs->empty() || !(*errs)[0].is_object()) return {};
  const nlohmann::json& e = (*errs)[0];
  auto text = [&](const char* k) {
    auto it = e.find(k);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string title = text("title"), detail = text("detail");
  if (title.empty()) return detail;
  if (detail.empty() || detail == title) return title;
  return title + " " + detail;
}

Verdict judge(long status, const nlohmann::json& doc, std::string_view what, std::string_view scope, CallKind kind) {
  const std::string detail = error_detail(doc);
  const std::string internal =
      std::string(what) + " returned HTTP " + std::to_string(status) + (detail.empty() ? "" : ": " + detail);
  for (const Rule& r : kRules) {
    if (status < r.status_from || status > r.status_to) continue;
    if (!r.any_kind && r.kind != kind) continue;
    if (!r.detail.empty() && detail.find(r.detail) == std::string::npos) continue;
    return Verdict{r.action, {r.type, fill(r.message, what, scope, status, detail), internal, status}};
  }
  return Verdict{Action::Fail, {FailureType::System, internal, internal, status}};  // a negative status
}

SourceError map_error(long status, const nlohmann::json& doc, std::string_view what, std::string_view scope) {
  return SourceError(judge(status, doc, what, scope, CallKind::Plain).failure);
}

std::string unreachable_message(const std::string& base_url, const Failure& f) {
  if (f.http_status >= 500)
    return "Klaviyo is having an outage: " + base_url + " kept answering with server errors (" + f.message +
           "). Nothing is wrong with the config; check https://status.klaviyo.com and try again later.";
  if (f.http_status == 429)
    return "Klaviyo's rate limit for this account is exhausted right now (" + f.message +
           "). Other integrations may be using the quota; try again later.";
  return "Could not reach Klaviyo at " + base_url + ": " + f.message +
         " Check the network connection, proxy or firewall (and KLAVIYO_BASE_URL if it is set).";
}

bool quota_spent(const Failure& f) {
  return (f.http_status == 429 && f.retry_after_seconds > 0) || f.daily_quota_spent;
}

}  // namespace sk::klaviyo
