// Klaviyo's REST API as the streams see it: authenticated JSON:API calls with the revision header,
// the response parsed, and every failure mapped once to an Airbyte failure type with a message a
// user can act on (401 bad/revoked key, 403 missing scope, 400 bad request, 5xx outage, network).
// A 200 whose body is not JSON (truncated or malformed) is retried a few times, then transient.
// Thread-safety: one Api per worker (it uses that worker's http::Client); budgets are shared.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "budget/rate_budget.h"
#include "config/config.h"
#include "http/client.h"
#include "klaviyo/query.h"
#include "util/error.h"

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

struct Reply {
  long status = 0;
  json doc;  // parsed body (null when the body was empty or not JSON)
};

class Api {
 public:
  Api(http::Client& client, budget::BudgetSet& budgets, const config::Config& cfg);

  // GET without mapping 4xx: for callers that treat some statuses as answers (check, 404 hooks).
  Reply get_raw(const std::string& url, CallInfo info);
  // GET returning the body of a 2xx unparsed (the pager parses it with simdjson); other statuses
  // throw the mapped error.
  std::string get_body(const std::string& url, CallInfo info);

  std::string url(std::string_view path, const Params& params = {}) const;
  // True when `url` points at the configured base URL (we never send the key elsewhere).
  bool same_origin(std::string_view url) const;
  const std::string& base_url() const { return base_url_; }

 private:
  Reply send(http::Request req, CallInfo info);
  http::Response send_raw(http::Request& req, CallInfo info);

  http::Client& client_;
  budget::BudgetSet& budgets_;
  std::string base_url_;
  std::string auth_header_;
};

// The Klaviyo error text of an error document: "title: detail" of errors[0], or "".
std::string error_detail(const json& doc);
// The error for a non-2xx reply of call `what` ("GET /api/segments").
SourceError map_error(long status, const json& doc, std::string_view what, std::string_view scope);

}  // namespace sk::klaviyo
