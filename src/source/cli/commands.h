// The four verbs. Each takes parsed inputs and the emitter and returns the process exit code;
// none prints anything except through the emitter.
//   spec      -> one SPEC; 0
//   check     -> one CONNECTION_STATUS whenever a verdict is reached; 0 (non-zero only on a bug)
//   discover  -> one CATALOG; 0. A bad config: TRACE config_error; 1
//   read      -> records, states, stream statuses; 0 if every stream completed, else TRACE + 1
#pragma once

#include <optional>
#include <string>

#include "core/protocol/emitter.h"
#include "source/streams/engine.h"
#include "core/util/clock.h"

namespace sk::cli {

int run_spec(protocol::Emitter& out);
int run_check(const std::string& config_path, protocol::Emitter& out, Clock& clock,
              streams::TransportFactory transports);
int run_discover(const std::string& config_path, protocol::Emitter& out);
int run_read(const std::string& config_path, const std::string& catalog_path,
             const std::optional<std::string>& state_path, protocol::Emitter& out, Clock& clock,
             streams::TransportFactory transports);

}  // namespace sk::cli
