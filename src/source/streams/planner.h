// Planning a stream: its partitions (through the shared parent listings where the row has a
// parent, at any depth), its state loaded in the row's shape, each partition's lower bound (state,
// lookback, start_date) and its windows. Rows with window_days split [lower, sync start) into
// windows that workers read in parallel; a partition without a known lower bound first asks
// Klaviyo for its oldest record.
// Thread-safety: plan_stream runs on one worker per stream, with the run's mutex free; it takes it
// to publish the plan.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/klaviyo/api.h"
#include "source/streams/run.h"

namespace sk::streams {

// Plans `run`: fills partitions, state and windows. Throws SourceError when a parent listing or
// an oldest-record probe fails (the stream then fails before any window is read).
void plan_stream(ReadContext& ctx, klaviyo::Api& api, StreamRun& run);

// The stream's state for the partitions it has this time, in its row's shape (flat, per partition
// or global; a single unkeyed partition keeps the flat shape), loaded from the saved state when the
// stream syncs incrementally (full refresh starts empty). lookback_days: the days its state says are
// re-read (its "lookback_window"; 0 for rows without one). Used by plan_stream and the report
// streams (reports.cpp).
state::StreamState load_state(const StreamRun& run, const std::vector<Partition>& parts, int lookback_days);

// The lower bound of a partition: saved cursor minus lookback, never before configured_start.
std::optional<SysTime> lower_bound(ReadContext& ctx, const StreamRun& run, const Partition& part);

// config.start_date where the row honours it (StreamSpec::start_date), else none: the one place
// that interprets start_date (the report streams take its day).
std::optional<SysTime> configured_start(const StreamSpec& spec, const config::Config& cfg);

// Splits [start, end) into at most max_windows windows of at least `min_span`, whole seconds.
Windows split(SysTime start, SysTime end, std::chrono::seconds min_span, std::size_t max_windows);

}  // namespace sk::streams
