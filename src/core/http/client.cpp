// Client::send: rate budget -> transport -> retry policy, in a loop. See client.h.
#include "core/http/client.h"

#include <cctype>
#include <cstdio>
#include <optional>
#include <utility>

#include "core/util/error.h"
#include "core/util/stop.h"

namespace sk::http {

namespace {

// Leading integer of a RateLimit-* header value ("150", " 42", "150;w=60"); nullopt otherwise.
std::optional<long long> header_int(const Response& r, const std::string& name) {
  const std::string* v = r.header(name);
  if (v == nullptr) return std::nullopt;
  std::size_t i = 0;
  while (i < v->size() && std::isspace(static_cast<unsigned char>((*v)[i]))) ++i;
  long long n = 0;
  bool digits = false;
  for (; i < v->size() && std::isdigit(static_cast<unsigned char>((*v)[i])); ++i) {
    digits = true;
    if (n < 1'000'000'000'000LL) n = n * 10 + ((*v)[i] - '0');
  }
  if (!digits) return std::nullopt;
  return n;
}

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

// What the user can do about a transport failure that is probably not Klaviyo's fault.
std::string hint_for(const Result& r) {
  switch (r.error) {
    case TransportError::Dns:
      return " The host name did not resolve: check the network/DNS of the machine running the "
             "connector and that the base URL is correct.";
    case TransportError::Tls:
      return " The TLS handshake or certificate check failed: check the base URL, and any proxy "
             "or firewall that intercepts HTTPS on this network.";
    default:
      return {};
  }
}

}  // namespace

std::string describe(const Request& req) {
  std::string_view url = req.url;
  const auto scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
    const auto slash = url.find_first_of("/?#");
    url = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  }
  const auto end = url.find_first_of("?#");
  if (end != std::string_view::npos) url = url.substr(0, end);
  std::string path(url);
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  return req.method + " " + path;
}

Client::Client(std::unique_ptr<Transport> transport, Clock& clock, RetryPolicy policy, LogFn log,
               std::uint64_t seed)
    : transport_(std::move(transport)),
      clock_(clock),
      policy_(policy),
      log_(std::move(log)),
      rng_(seed) {}

Response Client::send(const Request& req, budget::RateBudget* budget) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int max_attempts = policy_.max_attempts < 1 ? 1 : policy_.max_attempts;
  RetryPolicy policy = policy_;
  policy.max_attempts = max_attempts;

  for (int attempt = 1;; ++attempt) {
    throw_if_stopped();
    if (budget != nullptr) budget->acquire();
    ++stats_.requests;
    if (attempt > 1) ++stats_.retries;

    Result result = transport_->perform(req);
    throw_if_stopped();  // an aborted transfer is not an error to retry

    if (result.error == TransportError::None) {
      if (result.response.status == 429) {
        ++stats_.throttled;
      } else if (budget != nullptr) {
        const auto remaining = header_int(result.response, "ratelimit-remaining");
        const auto reset = rate_limit_reset(result.response);
        if (remaining && reset) {
          const auto limit = header_int(result.response, "ratelimit-limit");
          budget->observe(limit.value_or(-1), *remaining, *reset);
        }
      }
    }

    const Decision d = decide(result, attempt, policy, unit(rng_), clock_.now());
    switch (d.action) {
      case Action::Return:
        return std::move(result.response);

      case Action::Retry: {
        if (log_) {
          log_("WARN", describe(req) + ": " + d.reason + ", retry " + std::to_string(attempt) + "/" +
                           std::to_string(max_attempts - 1) + " in " + seconds_text(d.delay));
        }
        if (d.throttled && budget != nullptr) budget->throttled(d.delay);
        clock_.sleep_for(d.delay);
        break;
      }

      case Action::GiveUp: {
        std::string message = "Klaviyo request " + describe(req) + " failed: " + d.reason;
        const bool quota = result.error == TransportError::None && result.response.status == 429 &&
                           attempt < max_attempts;
        if (quota) {
          message += ". Sync again once the quota has reset.";
        } else {
          message += " (gave up after " + std::to_string(attempt) +
                     (attempt == 1 ? " attempt)." : " attempts).");
          message += hint_for(result);
        }
        std::string internal = describe(req) + ": attempt " + std::to_string(attempt) + " of " +
                               std::to_string(max_attempts) + ", last outcome: " + d.reason;
        if (result.error == TransportError::None) {
          internal += " (HTTP " + std::to_string(result.response.status) + ")";
        }
        Failure failure{FailureType::Transient, std::move(message), std::move(internal), 0, -1};
        if (result.error == TransportError::None) failure.http_status = result.response.status;
        // The wait the server asked for (Retry-After in either form, else RateLimit-Reset), whole
        // seconds rounded up; -1 when it said none.
        if (quota && d.server_wait.count() >= 0) {
          failure.retry_after_seconds = (d.server_wait.count() + 999) / 1000;
        }
        throw SourceError(std::move(failure));
      }
    }
  }
}

}  // namespace sk::http
