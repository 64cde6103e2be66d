// check: proves the key may write events and profiles without writing anything. Klaviyo checks a
// write's scope before its body, so an intentionally invalid body answers 403 without the scope
// and 400 with it. SUCCEEDED needs events:write and profiles:write; without lists:write the
// message says profiles go one at a time (profile-import) instead of as bulk import jobs.
#include <string_view>
#include <vector>

#include "core/budget/rate_budget.h"
#include "core/http/client.h"
#include "core/klaviyo/api.h"
#include "core/klaviyo/errors.h"
#include "destination/cli/commands.h"
#include "destination/config.h"

namespace sk::destination::cli {

namespace {

struct Probe {
  std::string_view path;
  std::string_view scope;  // "events" for events:write
  std::string_view body;   // invalid on purpose: never creates anything
  bool required;
};

constexpr Probe kProbes[] = {
    {"/api/event-bulk-create-jobs", "events", R"({"data":{"type":"event-bulk-create-job","attributes":{}}})", true},
    {"/api/profile-import", "profiles", R"({"data":{"type":"profile","attributes":{}}})", true},
    {"/api/profile-bulk-import-jobs", "lists", R"({"data":{"type":"profile-bulk-import-job","attributes":{}}})",
     false},
};

enum class Answer { Allowed, MissingScope, Verdict };

// What one probe says; `message` gets the failure when the answer is Verdict (check must fail).
Answer probe(klaviyo::Api& api, budget::RateBudget& budget, const Probe& p, std::string& message) {
  klaviyo::Reply r;
  try {
    r = api.send("POST", api.url(p.path), std::string(p.body), budget);
  } catch (const SourceError& e) {
    message = klaviyo::unreachable_message(api.base_url(), e.failure());
    return Answer::Verdict;
  }
  if (r.status == 400 || r.status == 422) return Answer::Allowed;
  if (r.status >= 200 && r.status < 300) return Answer::Allowed;  // never expected: the body is invalid
  const klaviyo::Verdict v =
      klaviyo::judge(r.status, r.doc, "POST " + std::string(p.path), p.scope, klaviyo::CallKind::WriteProbe);
  if (v.action == klaviyo::Action::MissingScope) return Answer::MissingScope;
  message = v.failure.message;
  return Answer::Verdict;
}

}  // namespace

int run_check(const std::string& config_path, protocol::Emitter& out, Clock& clock, http::TransportFactory transports) {
  Config cfg;
  try {
    cfg = load_config(config_path);
  } catch (const SourceError& e) {
    out.connection_status(false, e.failure().message);
    return 0;
  }
  out.add_secret(cfg.api_key);
  http::Client client(transports(), clock, http::check_policy(), protocol::log_to(out));
  budget::BudgetSet budgets(clock, cfg.rate_window_scale);
  klaviyo::Api api(client, budgets, cfg.api_key, cfg.base_url);
  std::vector<std::string> missing;
  bool bulk = true;
  for (const Probe& p : kProbes) {
    std::string message;
    switch (probe(api, budgets.get(budget::TierId::M), p, message)) {
      case Answer::Allowed: break;
      case Answer::Verdict: out.connection_status(false, message); return 0;
      case Answer::MissingScope:
        if (p.required) missing.push_back(std::string(p.scope) + ":write");
        else bulk = false;
    }
  }
  if (!missing.empty()) {
    std::string list = missing[0] + (missing.size() > 1 ? " and " + missing[1] : "");
    out.connection_status(false, "The API key lacks the write scope " + list +
                                     " (Klaviyo answered 403). Edit the key in Klaviyo (Settings > API keys) to "
                                     "grant full access to Events and Profiles.");
    return 0;
  }
  out.connection_status(true, bulk ? "Connected to Klaviyo: the key may write events and profiles, and run bulk "
                                     "profile imports."
                                   : "Connected to Klaviyo: the key may write events and profiles. It lacks "
                                     "lists:write, so profiles are written one at a time with profile-import "
                                     "instead of as bulk import jobs; grant lists:write for large profile loads.");
  return 0;
}

}  // namespace sk::destination::cli
