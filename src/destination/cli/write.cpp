// write: stdin -> Klaviyo. The reading thread maps lines into batches (Session), the senders
// write them, the ledger prints each STATE once its records settle. At the end of the input the
// open batches go out and every STATE is printed; exit 0. On a failure (401/403, retries
// exhausted, a 400 Klaviyo explains with no pointer) reading stops, the batches in flight finish,
// every STATE whose records were accepted has been printed, then one TRACE error; exit 1.
#include <chrono>

#include "core/util/stop.h"
#include "destination/catalog.h"
#include "destination/cli/commands.h"
#include "destination/config.h"
#include "destination/input.h"
#include "destination/ledger.h"
#include "destination/senders.h"
#include "destination/session.h"

namespace sk::destination::cli {

namespace {

using std::chrono::milliseconds;

// How long to wait for input: until the open batch is flush_seconds old, else a second (to notice
// a stop request or a failure).
milliseconds wait_for_input(const Session& session, const Config& cfg) {
  auto oldest = session.oldest_open();
  if (!oldest) return milliseconds(1000);
  auto due = *oldest + std::chrono::seconds(cfg.flush_seconds) - std::chrono::steady_clock::now();
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(due));
}

bool due(const Session& session, const Config& cfg) {
  auto oldest = session.oldest_open();
  return oldest && std::chrono::steady_clock::now() - *oldest >= std::chrono::seconds(cfg.flush_seconds);
}

// Reads until the input ends, a stop is requested or a sender failed.
void pump(LineReader& in, Session& session, Senders& senders, const Config& cfg) {
  std::string_view line;
  for (std::uint64_t n = 0;; ++n) {
    if (stop_requested() || ((n & 63) == 0 && senders.failure())) return;
    switch (in.next(line, wait_for_input(session, cfg))) {
      case LineReader::Got::Line:
        session.line(line, in.line_number());
        if ((n & 255) == 0 && due(session, cfg)) session.flush();
        break;
      case LineReader::Got::Quiet:
        if (due(session, cfg)) session.flush();
        break;
      case LineReader::Got::End:
        session.flush();
        return;
    }
  }
}

}  // namespace

int run_write(const std::string& config_path, const std::string& catalog_path, int input_fd, protocol::Emitter& out,
              Clock& clock, http::TransportFactory transports) {
  Config cfg;
  Catalog catalog;
  try {
    cfg = load_config(config_path);
    out.add_secret(cfg.api_key);
    catalog = Catalog::load(catalog_path);
  } catch (const SourceError& e) {
    out.error(e.failure());
    return 1;
  }
  Ledger ledger(out);
  std::optional<Failure> failure;
  {
    Senders senders(cfg, ledger, out, clock, std::move(transports));
    Session session(cfg, catalog, ledger, senders, out, clock);
    LineReader in(input_fd);
    try {
      pump(in, session, senders, cfg);
    } catch (const SourceError& e) {
      failure = e.failure();
    }
    senders.drain();
    if (!failure) failure = senders.failure();
    session.summarise();
    out.log(protocol::LogLevel::Info, "Klaviyo requests: " + std::to_string(senders.requests()) + ", throttled (429): " +
                                          std::to_string(senders.throttled()) + ".");
  }
  if (!failure && stop_requested())
    failure = Failure{FailureType::Transient, "The write was cancelled before the input ended.", "stop requested"};
  if (failure) {
    out.error(*failure);
    out.flush();
    return 1;
  }
  out.flush();
  return 0;
}

}  // namespace sk::destination::cli
