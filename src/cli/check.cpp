// check: validates the config, then proves the key works with one cheap call per read scope the
// streams need, and names exactly the scopes that are missing:
//   FAILED: The API key lacks the read scope for: segments, templates. ...
// A malformed key, a rejected (revoked) key, an unreachable server and a Klaviyo outage each get
// their own message. Exits 0 with one CONNECTION_STATUS whenever it reaches a verdict.
#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

#include "budget/rate_budget.h"
#include "cli/commands.h"
#include "config/config.h"
#include "http/client.h"
#include "klaviyo/api.h"
#include "streams/partitions.h"
#include "streams/stream_spec.h"

namespace sk::cli {

namespace {

struct Probe {
  std::string_view scope;
  std::string_view path;
  klaviyo::Params params;
  budget::TierId tier;
  bool core;  // false: only an optional stream needs it; a missing scope is a warning
};

// Scopes only optional streams need (keys made for Airbyte's connector lack tags:read).
constexpr std::string_view kOptionalScopes[] = {"tags"};

// One probe per read scope the streams need, from the stream table: the first row of each scope
// that has no parent, asked for one record with its first partition's filter (Klaviyo requires a
// channel on /api/campaigns). The stream table starts with metrics, so a bad key shows up first.
std::vector<Probe> probes(const config::Config& cfg) {
  std::vector<Probe> out;
  std::set<std::string_view> seen;
  for (const auto& s : streams::all_streams()) {
    if (s.partitions == streams::Partitioning::Parent || !seen.insert(s.scope).second) continue;
    klaviyo::Params params;
    const auto parts = streams::partitions_for(s, cfg);
    if (!parts.front().clauses.empty()) params.emplace_back("filter", klaviyo::all_of(parts.front().clauses));
    if (s.page_size > 0) params.emplace_back("page[size]", "1");
    const bool optional = std::find(std::begin(kOptionalScopes), std::end(kOptionalScopes), s.scope) !=
                          std::end(kOptionalScopes);
    out.push_back({s.scope, s.path, std::move(params), s.tier, !optional});
  }
  return out;
}

// The http::Client gave up: tell an outage (Klaviyo kept answering 5xx), an exhausted rate limit
// and an unreachable server apart. The client's internal message ends with "(HTTP <status>)"
// when the last attempt got an HTTP answer.
std::string unreachable_message(const std::string& base_url, const Failure& f) {
  if (f.internal_message.find("(HTTP 5") != std::string::npos)
    return "Klaviyo is having an outage: " + base_url + " kept answering with server errors (" + f.message +
           "). Nothing is wrong with the config; check https://status.klaviyo.com and try again later.";
  if (f.internal_message.find("(HTTP 429)") != std::string::npos)
    return "Klaviyo's rate limit for this account is exhausted right now (" + f.message +
           "). Other integrations may be using the quota; try again later.";
  return "Could not reach Klaviyo at " + base_url + ": " + f.message +
         " Check the network connection, proxy or firewall (and KLAVIYO_BASE_URL if it is set).";
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
  http::Client client(transports(), clock, policy, streams::log_to(out));
  budget::BudgetSet budgets(clock);
  klaviyo::Api api(client, budgets, cfg);

  std::vector<std::string> missing, optional_missing;
  for (const auto& p : probes(cfg)) {
    klaviyo::Reply reply;
    try {
      reply = api.get_raw(api.url(p.path, p.params), {p.tier, p.scope});
    } catch (const SourceError& e) {
      out.connection_status(false, unreachable_message(cfg.base_url, e.failure()));
      return 0;
    }
    if (reply.status == 401) {
      out.connection_status(false,
                            "Klaviyo rejected the API key (HTTP 401): it is not a valid key for any account, or it "
                            "was revoked or deleted. Create a new private API key in Klaviyo (Settings > API keys) "
                            "and update 'api_key'.");
      return 0;
    }
    if (reply.status == 403) {
      (p.core ? missing : optional_missing).push_back(std::string(p.scope));
    } else if (reply.status < 200 || reply.status >= 300) {
      auto err = klaviyo::map_error(reply.status, reply.doc, "GET " + std::string(p.path), p.scope);
      out.connection_status(false, err.failure().message);
      return 0;
    }
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
  for (const auto& s : optional_missing)
    message += " It lacks the read scope for " + s + ": the " + s + " stream will fail unless you grant it or deselect it.";
  out.connection_status(true, message);
  return 0;
}

}  // namespace sk::cli
