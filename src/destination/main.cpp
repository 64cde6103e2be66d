// destination-klaviyo: the verbs spec, check, discover and write of the Airbyte destination
// protocol. Parses the command line and hands off; a usage error is a TRACE config_error.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "core/http/transport.h"
#include "core/protocol/command_line.h"
#include "core/util/stop.h"
#include "destination/cli/commands.h"

int main(int argc, char** argv) {
  sk::protocol::FileSink sink(stdout);
  sk::protocol::Emitter out(sink, sk::system_clock());
  CLI::App app{"Airbyte destination connector for Klaviyo", "destination-klaviyo"};
  app.set_version_flag("--version", SK_VERSION);
  app.require_subcommand(1);
  std::string config, catalog;
  auto* spec = app.add_subcommand("spec", "Print the connection specification");
  auto* check = app.add_subcommand("check", "Check that the key may write events and profiles");
  check->add_option("--config", config, "Path to the config JSON")->required();
  auto* discover = app.add_subcommand("discover", "Print the destination catalog (event, profile)");
  discover->add_option("--config", config, "Path to the config JSON")->required();
  auto* write = app.add_subcommand("write", "Write the Airbyte messages on stdin to Klaviyo");
  write->add_option("--config", config, "Path to the config JSON")->required();
  write->add_option("--catalog", catalog, "Path to the configured catalog JSON")->required();
  if (auto code = sk::protocol::parse_command_line(
          app, argc, argv, out,
          "destination-klaviyo spec | check --config F | discover --config F | write --config F --catalog F < messages"))
    return *code;
  sk::http::global_init();
  auto transports = sk::http::curl_transports();
  namespace cli = sk::destination::cli;
  if (*spec) return cli::run_spec(out);
  if (*check) return cli::run_check(config, out, sk::system_clock(), transports);
  if (*discover) return cli::run_discover(config, out);
  sk::install_stop_handlers();
  return cli::run_write(config, catalog, STDIN_FILENO, out, sk::system_clock(), transports);
}
