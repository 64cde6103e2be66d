// Command-line parsing for both connectors' main(): CLI11 parses argv; --help and --version print
// as CLI11 does; a usage error becomes a TRACE config_error on stdout (which carries only protocol
// messages) and exit code 2. Thread-safety: called once, before any thread starts.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "core/protocol/emitter.h"

namespace sk::protocol {

// The exit code to return at once (help, version, a usage error), or nullopt to go on.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, Emitter& out,
                                             const std::string& usage) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    out.error({FailureType::Config, std::string("Invalid command line: ") + e.what() + ". Usage: " + usage, ""});
    return 2;
  }
  return std::nullopt;
}

}  // namespace sk::protocol
