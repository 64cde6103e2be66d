// The status -> action table (see errors.h). Each number and each message is stated here once.
#include "core/klaviyo/errors.h"

namespace sk::klaviyo {

namespace {

// Klaviyo's words for a conversion metric the reporting API cannot use.
constexpr std::string_view kUnsupportedMetric = "does not support querying for values data";

struct Rule {
  long status;                  // 0: any status not matched above it
  std::string_view detail;      // substring of Klaviyo's error detail; "" matches any
  CallKind kind;                // the kind of call the rule applies to
  bool any_kind;                // true: applies to every kind
  Action action;
  FailureType type;             // for Fail
};

// First match wins. Messages are built by message_for() from the rule's position.
constexpr Rule kRules[] = {
    {401, "", CallKind::Plain, true, Action::ConfigError, FailureType::Config},
    {403, "", CallKind::Plain, true, Action::ConfigError, FailureType::Config},
    {404, "", CallKind::ChildPartition, false, Action::SkipPartition, FailureType::System},
    {400, kUnsupportedMetric, CallKind::ReportPartition, false, Action::SkipPartition, FailureType::System},
    {400, "", CallKind::Plain, true, Action::Fail, FailureType::System},
    {404, "", CallKind::Plain, true, Action::Fail, FailureType::System},
    {0, "", CallKind::Plain, true, Action::Fail, FailureType::System},
};

std::string with_detail(const std::string& detail) { return detail.empty() ? "." : ": " + detail; }

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
  const std::string w(what), sc(scope);
  const std::string internal = w + " returned HTTP " + std::to_string(status) + (detail.empty() ? "" : ": " + detail);
  for (const Rule& r : kRules) {
    if (r.status != 0 && r.status != status) continue;
    if (!r.any_kind && r.kind != kind) continue;
    if (!r.detail.empty() && detail.find(r.detail) == std::string::npos) continue;
    Verdict v{r.action, {r.action == Action::ConfigError ? FailureType::Config : r.type, "", internal, status}};
    const bool skip = r.action == Action::SkipPartition;
    if (status == 401) {
      v.failure.message =
          "Klaviyo rejected the API key (HTTP 401): it is invalid, revoked or deleted. Create a private API key in "
          "Klaviyo (Settings > API keys) and update 'api_key'.";
    } else if (status == 403) {
      v.failure.message = "The API key lacks the read scope '" + sc + ":read' needed for " + w +
                          " (HTTP 403). Edit the key in Klaviyo (Settings > API keys) to grant read access to " + sc +
                          ", or remove the streams that need it.";
    } else if (status == 404) {
      v.failure.message = skip ? w + " answered 'not found' (HTTP 404): its parent was deleted during the sync; "
                                     "this partition is skipped."
                               : "Klaviyo answered 'not found' (HTTP 404) for " + w + ".";
    } else if (status == 400) {
      v.failure.message = skip ? "Klaviyo cannot report on this conversion metric (" + w + ": " + detail +
                                     "); the metric is skipped."
                               : "Klaviyo refused the request " + w + " as invalid (HTTP 400)" + with_detail(detail);
    } else if (status >= 500) {
      v.failure.type = FailureType::Transient;
      v.failure.message = "Klaviyo is failing (HTTP " + std::to_string(status) + ") for " + w +
                          "; this is on Klaviyo's side, try again later.";
    } else {
      v.failure.message = "Unexpected HTTP " + std::to_string(status) + " from Klaviyo for " + w + with_detail(detail);
    }
    return v;
  }
  return {};  // unreachable: the last rule matches everything
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

}  // namespace sk::klaviyo
