// check: validates the config, then proves the key works with one cheap call per read scope the
// streams need, and names exactly the scopes that are missing:
//   FAILED: The API key lacks the read scope for: segments, templates. ...
// A malformed key, a rejected (revoked) key, an unreachable server and a Klaviyo outage each get
// their own message. Exits 0 with one CONNECTION_STATUS whenever it reaches a verdict.
#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

#include "core/budget/rate_budget.h"
#include "source/cli/commands.h"
#include "source/config/config.h"
#include "core/http/client.h"
#include "core/klaviyo/api.h"
#include "source/streams/partitions.h"
#include "source/streams/request.h"
#include "source/streams/stream_spec.h"

namespace sk::cli {

namespace {

struct Probe {
  std::string_view scope;
  klaviyo::Call call;
  bool core;  // false: only an optional stream needs it; a missing scope is a warning
};

// Scopes only optional parts need (keys made for Airbyte's connector lack both): tags:read for the
// tags stream, accounts:read for the report streams' timezone (they fall back to UTC days).
constexpr std::string_view kOptionalScopes[] = {"tags", "accounts"};

// One probe per read scope the streams need, from the stream table: the first row of each scope
// that has no parent, its first request for its first partition (Klaviyo requires a channel on
// /api/campaigns), asking for one record. The table starts with metrics, so a bad key shows first.
std::vector<Probe> probes(const config::Config& cfg) {
  std::vector<Probe> out;
  std::set<std::string_view> seen;
  for (const auto& s : streams::all_streams()) {
    if (s.partitions == streams::Partitioning::Parent || !seen.insert(s.scope).second) continue;
    const auto parts = streams::partitions_for(s, cfg);
    const bool optional = std::find(std::begin(kOptionalScopes), std::end(kOptionalScopes), s.scope) !=
                          std::end(kOptionalScopes);
    out.push_back({s.scope, streams::one_record(streams::build_call(s, cfg, parts.front(), {})), !optional});
  }
  out.push_back({"accounts", streams::account_call(), false});
  return out;
}

}  // namespace

int run_check(const std::string& config_path, protocol::Emitter& out, Clock& clock,
              streams::TransportFactory transports) {
  config::Config cfg;
  try {
    cfg = config::load(config_path);
  } catch (const SourceError& e) {
    out.connection_status(false, e.failure().message);
    return 0;
  }
  out.add_secret(cfg.api_key);
  // A check should answer in seconds, not wait out long outages.
  http::RetryPolicy policy;
  policy.max_attempts = 3;
  policy.max_backoff = std::chrono::milliseconds(2000);
  policy.max_retry_after = std::chrono::seconds(30);
  http::Client client(transports(), clock, policy, protocol::log_to(out));
  budget::BudgetSet budgets(clock, cfg.rate_window_scale);
  klaviyo::Api api(client, budgets, cfg.api_key, cfg.base_url);

  std::vector<std::string> missing, optional_missing;
  for (const auto& p : probes(cfg)) {
    klaviyo::Reply reply;
    try {
      reply = api.get_raw(api.first_url(p.call), p.call.info);
    } catch (const SourceError& e) {
      out.connection_status(false, klaviyo::unreachable_message(cfg.base_url, e.failure()));
      return 0;
    }
    if (reply.status >= 200 && reply.status < 300) continue;
    if (reply.status == 403) {
      (p.core ? missing : optional_missing).push_back(std::string(p.scope));
      continue;
    }
    out.connection_status(false, klaviyo::judge(reply.status, reply.doc, "GET " + p.call.path, p.scope).failure.message);
    return 0;
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& s : missing) list += (list.empty() ? "" : ", ") + s;
    out.connection_status(false, "The API key lacks the read scope for: " + list +
                                     ". Edit the key in Klaviyo (Settings > API keys) and give it read access to "
                                     "these, or deselect the streams that need them.");
    return 0;
  }
  std::string message = "Connected to Klaviyo: the key can read profiles, events, metrics, lists, segments, "
                        "campaigns, flows and templates.";
  for (const auto& s : optional_missing) {
    if (s == "accounts")
      message += " It lacks the read scope accounts:read: the report streams (campaign_values_reports, "
                 "flow_series_reports) will split days at UTC midnight instead of the account's timezone unless "
                 "you grant it.";
    else
      message += " It lacks the read scope for " + s + ": the " + s + " stream will fail unless you grant it or deselect it.";
  }
  out.connection_status(true, message);
  return 0;
}

}  // namespace sk::cli
