// Planning a read: for each configured stream, its partitions (listing parent ids where the row
// has a parent), each partition's lower bound (state, lookback, start_date) and its windows.
// Rows with window_days split [lower, sync start) into windows that workers read in parallel; a
// partition without a known lower bound first asks Klaviyo for its oldest record.
// Thread-safety: called from the main thread before the workers start.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "klaviyo/api.h"
#include "streams/run.h"

namespace sk::streams {

// The id (and cursor, when `parent` is incremental) of every record of `parent` (all its
// partitions), for a child stream's partitions.
std::vector<ParentRef> list_parent_ids(ReadContext& ctx, klaviyo::Api& api, const StreamSpec& parent);

// The lower bound of a partition: saved cursor minus lookback, never before start_date (rows
// without a server-side filter, i.e. metrics, ignore start_date as Airbyte's connector does;
// detail rows such as lists_detailed honour it, as their parent does).
std::optional<SysTime> lower_bound(ReadContext& ctx, const StreamRun& run, const Partition& part);

// Fills run.windows[p] for partition p. May call Klaviyo (the oldest record of the partition).
void plan_windows(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, std::size_t p);

// Splits [start, end) into at most max_windows windows of at least `min_span`, whole seconds.
std::vector<Window> split(SysTime start, SysTime end, std::chrono::seconds min_span, std::size_t max_windows);

// The filter clauses and query parameters of a window's first request.
klaviyo::Params window_params(const ReadContext& ctx, const StreamRun& run, const Partition& part, const Window& w,
                              budget::TierId& tier);

}  // namespace sk::streams
