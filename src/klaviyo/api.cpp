// Authenticated calls, JSON parsing with retry on broken bodies, and the status -> failure table.
#include "klaviyo/api.h"

namespace sk::klaviyo {

namespace {

std::string origin_of(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto slash = url.find('/', scheme + 3);
  return std::string(url.substr(0, slash));
}
}  // namespace

Api::Api(http::Client& client, budget::BudgetSet& budgets, const config::Config& cfg)
    : client_(client), budgets_(budgets), base_url_(cfg.base_url), auth_header_("Klaviyo-API-Key " + cfg.api_key) {}

std::string Api::url(std::string_view path, const Params& params) const { return build_url(base_url_, path, params); }

bool Api::same_origin(std::string_view url) const { return origin_of(url) == origin_of(base_url_); }

http::Response Api::send_raw(http::Request& req, CallInfo info) {
  if (!same_origin(req.url))
    throw system_error("Klaviyo returned a pagination link to another host; refusing to send the API key there.",
                       "link origin differs from " + base_url_);
  if (req.headers.empty()) {
    req.headers.emplace_back("Authorization", auth_header_);
    req.headers.emplace_back("revision", kRevision);
    req.headers.emplace_back("Accept", "application/vnd.api+json");
    if (req.method == "POST") req.headers.emplace_back("Content-Type", "application/vnd.api+json");
  }
  return client_.send(req, &budgets_.get(info.tier));
}

std::string Api::get_body(const std::string& url, CallInfo info) {
  http::Request req;
  req.url = url;
  http::Response r = send_raw(req, info);
  if (r.status >= 200 && r.status < 300) return std::move(r.body);
  json doc;
  try {
    doc = json::parse(r.body);
  } catch (const json::parse_error&) {
  }
  throw map_error(r.status, doc, http::describe(req), info.scope);
}

Reply Api::send(http::Request req, CallInfo info) {
  for (int attempt = 1;; ++attempt) {
    http::Response r = send_raw(req, info);
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

Reply Api::get_raw(const std::string& url, CallInfo info) {
  http::Request req;
  req.url = url;
  return send(std::move(req), info);
}

std::string error_detail(const json& doc) {
  if (!doc.is_object()) return {};
  auto errs = doc.find("errors");
  if (errs == doc.end() || !errs->is_array() || errs->empty() || !(*errs)[0].is_object()) return {};
  const json& e = (*errs)[0];
  std::string title = e.value("title", std::string());
  std::string detail = e.value("detail", std::string());
  if (title.empty()) return detail;
  if (detail.empty() || detail == title) return title;
  return title + " " + detail;
}

SourceError map_error(long status, const json& doc, std::string_view what, std::string_view scope) {
  std::string detail = error_detail(doc);
  std::string internal = std::string(what) + " returned HTTP " + std::to_string(status) +
                         (detail.empty() ? "" : ": " + detail);
  if (status == 401)
    return config_error(
        "Klaviyo rejected the API key (HTTP 401): it is invalid, revoked or deleted. Create a private API key in "
        "Klaviyo (Settings > API keys) and update 'api_key'.",
        internal);
  if (status == 403)
    return config_error("The API key lacks the read scope '" + std::string(scope) + ":read' needed for " +
                            std::string(what) + " (HTTP 403). Edit the key in Klaviyo (Settings > API keys) to grant "
                            "read access to " + std::string(scope) + ", or remove the streams that need it.",
                        internal);
  if (status == 400)
    return system_error("Klaviyo refused the request " + std::string(what) + " as invalid (HTTP 400)" +
                            (detail.empty() ? "." : ": " + detail),
                        internal);
  if (status == 404)
    return system_error("Klaviyo answered 'not found' (HTTP 404) for " + std::string(what) + ".", internal);
  if (status >= 500)
    return transient_error("Klaviyo is failing (HTTP " + std::to_string(status) + ") for " + std::string(what) +
                               "; this is on Klaviyo's side, try again later.",
                           internal);
  return system_error("Unexpected HTTP " + std::to_string(status) + " from Klaviyo for " + std::string(what) +
                          (detail.empty() ? "." : ": " + detail),
                      internal);
}

}  // namespace sk::klaviyo
