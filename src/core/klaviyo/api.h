// Klaviyo's REST API as the streams see it: authenticated JSON:API calls with the revision header.
// A Call is a request as a value (method, path with its ids filled in, query, JSON body, rate tier,
// scope, and what kind of call it is for the status table of klaviyo/errors.h); streams/request.h
// builds every Call the connector sends. Non-2xx answers are judged once, by klaviyo/errors.h.
// A 200 whose body is not JSON (truncated or malformed) is retried a few times, then transient.
// Thread-safety: one Api per worker (it uses that worker's http::Client); budgets are shared.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/budget/rate_budget.h"
#include "core/http/client.h"
#include "core/klaviyo/errors.h"
#include "core/klaviyo/query.h"
#include "core/util/error.h"

namespace sk::klaviyo {

using nlohmann::json;

inline constexpr const char* kRevision = "2026-07-15";
// Fetches of a 200 whose body is not valid JSON (truncated, malformed) before giving up.
inline constexpr int kBodyAttempts = 3;

// What a call is for: its rate tier and the read scope it needs (e.g. "campaigns" for campaigns:read).
struct CallInfo {
  budget::TierId tier;
  std::string_view scope;
};

// One request as a value. Later pages of the same call repeat method and body with links.next.
struct Call {
  std::string method = "GET";
  std::string path;          // "/api/flow-actions/A1/flow-messages" (ids filled in, percent-encoded)
  Params params;             // query parameters of the first page
  std::string body;          // JSON text for POST; "" for GET
  CallInfo info{budget::TierId::L, {}};
  CallKind kind = CallKind::Plain;
};

struct Reply {
  long status = 0;
  json doc;  // parsed body (null when the body was empty or not JSON)
};

class Api {
 public:
  // `base_url` without a trailing slash (config::base_url_from_env); the key goes only there.
  Api(http::Client& client, budget::BudgetSet& budgets, std::string_view api_key, std::string base_url);

  // Sends `call` to `url` (its first URL, or a links.next of it) and returns the body of a 2xx
  // unparsed (the pager parses it). Other statuses are judged by klaviyo::judge: a skipped
  // partition throws PartitionSkipped, anything else the SourceError.
  std::string fetch(const Call& call, const std::string& url);
  // GET without judging 4xx: for callers that treat some statuses as answers (check, 404 hooks).
  Reply get_raw(const std::string& url, CallInfo info);
  // Any method, paced by `budget` (one per endpoint: the destination's writes), not judged: the
  // status and the parsed body (null when empty; a non-JSON error page is null too). A 2xx whose
  // body is not JSON is retried like get_raw's.
  Reply send(const std::string& method, const std::string& url, std::string body, budget::RateBudget& budget);

  std::string url(std::string_view path, const Params& params = {}) const;
  std::string first_url(const Call& call) const { return url(call.path, call.params); }
  // True when `url` points at the configured base URL (we never send the key elsewhere).
  bool same_origin(std::string_view url) const;
  const std::string& base_url() const { return base_url_; }
  // Requests and 429s its client has sent and met so far (http::Client::stats).
  const http::ClientStats& stats() const { return client_.stats(); }

 private:
  http::Response send_raw(http::Request& req, budget::RateBudget& budget);
  Reply parsed(http::Request& req, budget::RateBudget& budget);

  http::Client& client_;
  budget::BudgetSet& budgets_;
  std::string base_url_;
  std::string auth_header_;
};

}  // namespace sk::klaviyo
