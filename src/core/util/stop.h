// Cancellation. The platform cancels a sync with SIGTERM (a user's Ctrl-C is SIGINT): the handler
// only sets a flag, and the connector stops at its next check — before a request, between pages,
// inside every wait (SystemClock sleeps in short slices) and inside a transfer (libcurl's progress
// callback). Workers then stop taking work, each stream's final STATE covers only what was emitted,
// unfinished streams are reported INCOMPLETE, and the process exits within about a second with no
// partial line on stdout.
// The flag is the process's one piece of mutable global state besides the emitter: a signal
// handler can reach nothing else.
// Thread-safety: every function may be called from any thread; request_stop() also from a signal
// handler.
#pragma once

namespace sk {

// Thrown (not a std::exception, so no generic handler turns it into an error) where work stops.
struct Cancelled {};

bool stop_requested() noexcept;
void request_stop() noexcept;
// Throws Cancelled when a stop was requested.
void throw_if_stopped();
// For tests: forget a requested stop.
void clear_stop() noexcept;
// SIGTERM and SIGINT request a stop.
void install_stop_handlers();

}  // namespace sk
