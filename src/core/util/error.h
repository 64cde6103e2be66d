// Errors that cross layers: a failure type Airbyte understands, a message a user can act on, and an
// internal message for engineers. Thrown inside the connector (SourceError) and turned into a TRACE
// ERROR or a FAILED connection status at the edges (cli/). Messages never contain the API key.
// Thread-safe: plain value types.
#pragma once

#include <stdexcept>
#include <string>

namespace sk {

enum class FailureType { Config, System, Transient };

// The protocol's spelling: config_error, system_error, transient_error.
const char* failure_type_name(FailureType t);

struct Failure {
  FailureType type = FailureType::System;
  std::string message;           // for the user: what happened and what to do
  std::string internal_message;  // for engineers: status codes, paths, library errors
  long http_status = 0;          // the last HTTP status behind the failure, 0 when none (network, parsing)
  // Seconds until a request could go again: a 429's Retry-After the connector would not wait out,
  // or (with daily_quota_spent) until the connector's own daily budget has room; else -1.
  long long retry_after_seconds = -1;
  // Set by the connector's own rate budget (budget/rate_budget.h) when it refuses a request because
  // the tier's daily quota is spent, before anything is sent: callers recognise that case by this
  // flag, never by the message's wording.
  bool daily_quota_spent = false;
};

class SourceError : public std::runtime_error {
 public:
  explicit SourceError(Failure f) : std::runtime_error(f.message), failure_(std::move(f)) {}
  SourceError(FailureType t, std::string message, std::string internal = {})
      : SourceError(Failure{t, std::move(message), std::move(internal), 0, -1}) {}
  const Failure& failure() const { return failure_; }

 private:
  Failure failure_;
};

inline SourceError config_error(std::string msg, std::string internal = {}) {
  return SourceError(FailureType::Config, std::move(msg), std::move(internal));
}
inline SourceError transient_error(std::string msg, std::string internal = {}) {
  return SourceError(FailureType::Transient, std::move(msg), std::move(internal));
}
inline SourceError system_error(std::string msg, std::string internal = {}) {
  return SourceError(FailureType::System, std::move(msg), std::move(internal));
}

}  // namespace sk
