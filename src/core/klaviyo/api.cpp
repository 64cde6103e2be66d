// Authenticated calls and JSON parsing with retry on broken bodies (see api.h).
#include "core/klaviyo/api.h"

namespace sk::klaviyo {

namespace {

std::string origin_of(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto slash = url.find('/', scheme + 3);
  return std::string(url.substr(0, slash));
}

json parse_or_null(const std::string& body) {
  try {
    return json::parse(body);
  } catch (const json::parse_error&) {
    return nullptr;
  }
}

}  // namespace

Api::Api(http::Client& client, budget::BudgetSet& budgets, std::string_view api_key, std::string base_url)
    : client_(client), budgets_(budgets), base_url_(std::move(base_url)), auth_header_("Klaviyo-API-Key ") {
  auth_header_.append(api_key);
}

std::string Api::url(std::string_view path, const Params& params) const { return build_url(base_url_, path, params); }

bool Api::same_origin(std::string_view url) const { return origin_of(url) == origin_of(base_url_); }

http::Response Api::send_raw(http::Request& req, budget::RateBudget& budget) {
  if (!same_origin(req.url))
    throw system_error("Klaviyo returned a pagination link to another host; refusing to send the API key there.",
                       "link origin differs from " + base_url_);
  if (req.headers.empty()) {
    req.headers.emplace_back("Authorization", auth_header_);
    req.headers.emplace_back("revision", kRevision);
    req.headers.emplace_back("Accept", "application/vnd.api+json");
    if (req.method == "POST") req.headers.emplace_back("Content-Type", "application/vnd.api+json");
  }
  struct Replied {  // the tier's latency estimate learns from every reply, failed ones too
    budget::RateBudget& b;
    ~Replied() { b.replied(); }
  } replied{budget};
  return client_.send(req, &budget);
}

std::string Api::fetch(const Call& call, const std::string& url) {
  http::Request req;
  req.method = call.method;
  req.url = url;
  req.body = call.body;
  http::Response r = send_raw(req, budgets_.get(call.info.tier));
  if (r.status >= 200 && r.status < 300) return std::move(r.body);
  Verdict v = judge(r.status, parse_or_null(r.body), http::describe(req), call.info.scope, call.kind);
  switch (v.action) {
    case Action::SkipPartition:
      throw PartitionSkipped{std::move(v.failure.message)};
    case Action::Absent:        // no rule gives these for the kinds of call a page is
    case Action::MissingScope:
    case Action::ConfigError:
    case Action::Fail:
      throw SourceError(std::move(v.failure));
  }
  throw SourceError(std::move(v.failure));
}

Reply Api::get_raw(const std::string& url, CallInfo info) {
  http::Request req;
  req.url = url;
  return parsed(req, budgets_.get(info.tier));
}

Reply Api::send(const std::string& method, const std::string& url, std::string body, budget::RateBudget& budget) {
  http::Request req;
  req.method = method;
  req.url = url;
  req.body = std::move(body);
  return parsed(req, budget);
}

Reply Api::parsed(http::Request& req, budget::RateBudget& budget) {
  for (int attempt = 1;; ++attempt) {
    http::Response r = send_raw(req, budget);
    Reply reply{r.status, nullptr};
    if (r.body.empty()) return reply;
    try {
      reply.doc = json::parse(r.body);
      return reply;
    } catch (const json::parse_error& e) {
      if (r.status >= 300) return reply;  // an error page that is not JSON (e.g. an HTML 403)
      if (attempt >= kBodyAttempts)
        throw transient_error("Klaviyo returned a response that is not valid JSON for " + http::describe(req) + " " +
                                  std::to_string(kBodyAttempts) + " times in a row; try the sync again later.",
                              e.what());
    }
  }
}

}  // namespace sk::klaviyo
