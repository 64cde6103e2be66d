// discover: validates the config, then prints the catalog built from the stream table and the
// compiled-in schemas. Makes no request: the streams do not depend on the account.
#include "source/cli/commands.h"
#include "source/config/config.h"
#include "source/streams/catalog.h"

namespace sk::cli {

int run_discover(const std::string& config_path, protocol::Emitter& out) {
  try {
    auto cfg = config::load(config_path);
    out.add_secret(cfg.api_key);
    out.catalog(streams::discover_catalog());
    return 0;
  } catch (const SourceError& e) {
    out.error(e.failure());
    return 1;
  }
}

}  // namespace sk::cli
