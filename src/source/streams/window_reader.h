// Reading one window of one partition: page through it, emit its records (as text when no hook
// transforms them), and checkpoint after every page of a sorted row and when the window is done.
// Thread-safety: called by a worker; takes the run's mutex to touch shared state.
#pragma once

#include "core/klaviyo/api.h"
#include "source/streams/run.h"

namespace sk::streams {

void read_window(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, std::size_t partition, std::size_t window);

}  // namespace sk::streams
