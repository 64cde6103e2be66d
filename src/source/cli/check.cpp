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
  bool required;  // false: only optional parts need it; a missing scope is a warning
};

std::string joined(const std::vector<std::string>& items, std::string_view last_sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? std::string(last_sep) : std::string(", ")) + items[i];
  return out;
}

// The names of the rows for which `pick` is true.
template <class Pick>
std::vector<std::string> stream_names(Pick pick) {
  std::vector<std::string> out;
  for (const auto& s : streams::all_streams())
    if (pick(s)) out.emplace_back(s.name);
  return out;
}

// One probe per read scope the streams need, from the stream table: the first row of each scope
// that has no parent, its first request for its first partition (Klaviyo requires a channel on
// /api/campaigns), asking for one record; the row says whether the scope is required. Then
// accounts:read, which only the report streams' timezone needs (they fall back to UTC days). The
// table starts with metrics, so a bad key shows first.
std::vector<Probe> probes(const config::Config& cfg) {
  std::vector<Probe> out;
  std::set<std::string_view> seen;
  for (const auto& s : streams::all_streams()) {
    if (s.partitions == streams::Partitioning::Parent || !seen.insert(s.scope).second) continue;
    klaviyo::Call call = streams::one_record(streams::build_call(s, cfg, streams::partitions_for(s, cfg).front(), {}));
    call.kind = klaviyo::CallKind::Probe;
    out.push_back({s.scope, std::move(call), s.scope_need == streams::ScopeNeed::Required});
  }
  klaviyo::Call account = streams::account_call();
  account.kind = klaviyo::CallKind::Probe;
  out.push_back({account.info.scope, std::move(account), false});
  return out;
}

// The SUCCEEDED message: what the key can read, then a warning per optional scope it lacks.
std::string success_message(const std::vector<Probe>& probes, const std::vector<std::string>& optional_missing) {
  std::vector<std::string> required;
  for (const auto& p : probes)
    if (p.required) required.emplace_back(p.scope);
  std::string message = "Connected to Klaviyo: the key can read " + joined(required, " and ") + ".";
  for (const auto& scope : optional_missing) {
    const auto needing = stream_names([&](const streams::StreamSpec& s) { return s.scope == scope; });
    if (needing.empty()) {  // accounts: the report streams' timezone
      const auto reports = stream_names([](const streams::StreamSpec& s) { return s.report != nullptr; });
      message += " It lacks the read scope " + scope + ":read: the report streams (" + joined(reports, ", ") +
                 ") will split days at UTC midnight instead of the account's timezone unless you grant it.";
    } else {
      message += " It lacks the read scope for " + scope + ": the " + joined(needing, " and ") +
                 (needing.size() == 1 ? " stream" : " streams") + " will fail unless you grant it or deselect it.";
    }
  }
  return message;
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
  http::Client client(transports(), clock, http::check_policy(), protocol::log_to(out));
  budget::BudgetSet budgets(clock, cfg.rate_window_scale);
  klaviyo::Api api(client, budgets, cfg.api_key, cfg.base_url);

  std::vector<std::string> missing, optional_missing;
  const std::vector<Probe> all = probes(cfg);
  for (const auto& p : all) {
    klaviyo::Reply reply;
    try {
      reply = api.get_raw(api.first_url(p.call), p.call.info);
    } catch (const SourceError& e) {
      out.connection_status(false, klaviyo::unreachable_message(cfg.base_url, e.failure()));
      return 0;
    }
    if (reply.status >= 200 && reply.status < 300) continue;
    const klaviyo::Verdict v = klaviyo::judge(reply.status, reply.doc, "GET " + p.call.path, p.scope, p.call.kind);
    if (v.action == klaviyo::Action::MissingScope) {
      (p.required ? missing : optional_missing).emplace_back(p.scope);
      continue;
    }
    out.connection_status(false, v.failure.message);
    return 0;
  }
  if (!missing.empty()) {
    out.connection_status(false, "The API key lacks the read scope for: " + joined(missing, ", ") +
                                     ". Edit the key in Klaviyo (Settings > API keys) and give it read access to "
                                     "these, or deselect the streams that need them.");
    return 0;
  }
  out.connection_status(true, success_message(all, optional_missing));
  return 0;
}

}  // namespace sk::cli
