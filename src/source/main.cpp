// source-klaviyo: the verbs spec, check, discover and read of the Airbyte protocol. Parses the
// command line and hands off; a usage error is a TRACE config_error on stdout, like every error.
#include <CLI/CLI.hpp>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <fcntl.h>
#include <unistd.h>

#include "core/protocol/command_line.h"
#include "source/cli/commands.h"
#include "core/http/transport.h"
#include "core/util/stop.h"

int main(int argc, char** argv) {
#ifdef __GLIBC__
  // Page-sized buffers (bodies, parsers, output batches) are pooled and reused (util/buffers.h),
  // so few are ever freed. A fixed mmap threshold keeps each of them in its own mapping instead
  // of in the per-thread arenas, which glibc otherwise grows to the largest it has seen and keeps
  // (bench/memory.py: 84 MB -> 36 MB for the same read, no extra CPU).
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
#ifdef F_SETPIPE_SZ
  // When stdout is a pipe (as under the Airbyte platform), a 1 MiB pipe takes a written chunk of
  // records at once instead of 64 KiB at a time with a wake-up of the reader for each. Best
  // effort: an unprivileged process may be refused, and a file or terminal is left as it is.
  (void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
#endif
  sk::protocol::FileSink sink(stdout);
  sk::protocol::Emitter out(sink, sk::system_clock());
  CLI::App app{"Airbyte source connector for Klaviyo", "source-klaviyo"};
  app.set_version_flag("--version", SK_VERSION);
  app.require_subcommand(1);
  std::string config, catalog, state;
  auto* spec = app.add_subcommand("spec", "Print the connection specification");
  auto* check = app.add_subcommand("check", "Check that the config can read from Klaviyo");
  check->add_option("--config", config, "Path to the config JSON")->required();
  auto* discover = app.add_subcommand("discover", "Print the catalog of streams");
  discover->add_option("--config", config, "Path to the config JSON")->required();
  auto* read = app.add_subcommand("read", "Read records and state messages");
  read->add_option("--config", config, "Path to the config JSON")->required();
  read->add_option("--catalog", catalog, "Path to the configured catalog JSON")->required();
  auto* state_opt = read->add_option("--state", state, "Path to the state JSON");
  if (auto code = sk::protocol::parse_command_line(
          app, argc, argv, out,
          "source-klaviyo spec | check --config F | discover --config F | read --config F --catalog F [--state F]"))
    return *code;
  sk::http::global_init();
  auto transports = sk::http::curl_transports();
  if (*spec) return sk::cli::run_spec(out);
  if (*check) return sk::cli::run_check(config, out, sk::system_clock(), transports);
  if (*discover) return sk::cli::run_discover(config, out);
  std::optional<std::string> state_path;
  if (*state_opt) state_path = state;
  sk::install_stop_handlers();  // SIGTERM / SIGINT: a clean stop (util/stop.h)
  return sk::cli::run_read(config, catalog, state_path, out, sk::system_clock(), transports);
}
