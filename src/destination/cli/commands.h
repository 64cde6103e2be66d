// The destination's verbs. Each takes parsed inputs and the emitter and returns the exit code;
// none prints anything except through the emitter.
//   spec      -> one SPEC; 0
//   check     -> one CONNECTION_STATUS whenever a verdict is reached; 0
//   discover  -> one DESTINATION_CATALOG (operations event and profile); 0. Bad config: TRACE; 1
//   write     -> STATEs (and LOGs) as records settle; 0 when the input was written, else TRACE + 1
#pragma once

#include <string>

#include "core/http/transport.h"
#include "core/protocol/emitter.h"
#include "core/util/clock.h"

namespace sk::destination::cli {

int run_spec(protocol::Emitter& out);
int run_check(const std::string& config_path, protocol::Emitter& out, Clock& clock, http::TransportFactory transports);
int run_discover(const std::string& config_path, protocol::Emitter& out);
int run_write(const std::string& config_path, const std::string& catalog_path, int input_fd, protocol::Emitter& out,
              Clock& clock, http::TransportFactory transports);

}  // namespace sk::destination::cli
