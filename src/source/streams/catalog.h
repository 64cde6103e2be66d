// The configured catalog (--catalog): which streams to read and how. Every stream must exist in the
// stream table and its sync mode must be one the stream supports; anything else is a config error
// raised before any request is made.
// Thread-safe: pure functions.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "core/protocol/messages.h"
#include "source/streams/stream_spec.h"

namespace sk::streams {

struct ConfiguredStream {
  const StreamSpec* spec;
  protocol::SyncMode mode;
};

std::vector<ConfiguredStream> parse_configured_catalog(const nlohmann::json& doc);

// The AirbyteCatalog for discover, schemas from the embedded schemas/<name>.json.
nlohmann::json discover_catalog();

}  // namespace sk::streams
