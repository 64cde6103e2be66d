// A check of the stream table as a whole, run by the unit tests (and cheap enough to run anywhere):
// every parent exists and the chain ends, every path template matches its partitioning, every row
// has a schema in which its primary key and cursor fields exist, and the row's fields agree with
// each other (detail rows read single resources, windowed rows have a server-side filter, ...).
// Thread-safe: pure function.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "source/streams/stream_spec.h"

namespace sk::streams {

// The schema text of a stream, or nullopt (default: the compiled-in schemas/<name>.json).
using SchemaLookup = std::function<std::optional<std::string_view>(std::string_view stream)>;

// One line per problem, naming the row; empty when the table is sound.
std::vector<std::string> table_problems(std::span<const StreamSpec> rows, const SchemaLookup& schema = {});

}  // namespace sk::streams
