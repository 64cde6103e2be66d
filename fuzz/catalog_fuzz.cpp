// Fuzz target: the configured catalog (--catalog): sk::config::read_json_file +
// sk::streams::parse_configured_catalog. Anything it cannot use must be a SourceError(Config);
// what it accepts must name known streams, once each, in a sync mode the stream supports.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "source/config/config.h"
#include "fuzz_input.h"
#include "source/streams/catalog.h"
#include "core/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using sk_fuzz::violated;
  try {
    const nlohmann::json doc = sk::config::read_json_file(sk_fuzz::as_file(data, size), "catalog");
    const auto streams = sk::streams::parse_configured_catalog(doc);
    std::set<std::string> names;
    for (const auto& s : streams) {
      if (s.spec == nullptr) violated("stream without a spec");
      if (sk::streams::find_stream(s.spec->name) != s.spec) violated("spec not from the stream table");
      if (!names.insert(std::string(s.spec->name)).second) violated("stream listed twice");
      if (s.mode == sk::protocol::SyncMode::Incremental && !s.spec->incremental())
        violated("incremental on a full-refresh-only stream");
    }
  } catch (const sk::SourceError&) {
    // The expected rejection.
  }
  return 0;
}
