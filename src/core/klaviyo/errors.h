// What a Klaviyo answer that is not a 2xx means, stated once: one table of (status, error detail,
// kind of call) -> action and the user's message. http::Client has already waited out 429s
// (Retry-After) and retried 5xx and network errors by then; what reaches this table is final.
//   401                          -> config error: the key is invalid or revoked
//   403 on a scope probe         -> missing scope (check lists every missing one in one verdict)
//   403 on a write (or its probe) -> the same, naming the write scope '{scope}:write'
//   403                          -> config error naming the read scope the call needs
//   404 on a child partition     -> skip the partition (its parent was deleted mid-sync), one LOG line
//   404 on a lookup              -> absent (campaigns_detailed's estimation / messages: 0 and [])
//   400 "does not support querying for values data" on a report partition
//                                -> skip the partition (Klaviyo cannot report on that metric)
//   400 / 404 otherwise          -> system error with Klaviyo's detail
//   5xx / 429 after the retries  -> transient error (outage / quota), so the platform retries later
// Every caller (api.cpp for pages, check's probes, the hooks' lookups, the report streams' account
// call) reads this table, so no two places word the same failure differently.
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace sk::klaviyo {

// Which calls a rule applies to.
enum class CallKind {
  Plain,            // a listing or a single resource with no parent
  ChildPartition,   // a partition of a child stream: /api/lists/{id}/profiles, /api/flow-actions/{id}/...
  ReportPartition,  // a reporting-API POST for one conversion metric
  Lookup,           // a GET of a related resource that may not exist (campaign recipient estimations)
  Probe,            // a one-record GET proving a scope (check, the report streams' account call)
  WriteProbe,       // an intentionally invalid write proving a write scope (the destination's check)
  Write,            // a write (the destination's bulk events, profile imports and their jobs)
};

enum class Action {
  ConfigError,    // the user must change the config or the key
  SkipPartition,  // log and treat the partition as read (no records)
  Absent,         // the resource does not exist: the caller uses its default
  MissingScope,   // the key lacks the call's scope: the caller decides how much that matters
  Fail,           // the stream fails with the failure type of the rule
};

struct Verdict {
  Action action = Action::Fail;
  Failure failure;  // the error; for SkipPartition the LOG line; for MissingScope the config error
};

// The Klaviyo error text of an error document: "title detail" of errors[0], or "".
std::string error_detail(const nlohmann::json& doc);

// The verdict for a final non-2xx answer to call `what` ("GET /api/segments") needing `scope`.
Verdict judge(long status, const nlohmann::json& doc, std::string_view what, std::string_view scope,
              CallKind kind = CallKind::Plain);

// judge() for callers that cannot skip: the failure as an exception.
SourceError map_error(long status, const nlohmann::json& doc, std::string_view what, std::string_view scope);

// Thrown by the pager when judge() says SkipPartition; the reader catches it per partition.
struct PartitionSkipped {
  std::string message;
};

// Messages for the ways a call can fail before Klaviyo gives a final answer (http::Client gave up),
// keyed by the last HTTP status it saw (0 = none: the network). Used by check.
std::string unreachable_message(const std::string& base_url, const Failure& f);

// True for a failure that means a daily quota is spent: Klaviyo's 429 whose Retry-After was longer
// than the caller would wait (http::Client gave up on it), or the connector's own daily budget.
bool quota_spent(const Failure& f);

}  // namespace sk::klaviyo
