// Internal to the engine: the state of one read, shared by its workers.
//   StreamRun   one configured stream: its partitions, their windows, its state and status
//   Window      a half-open slice [start, end) of one partition's cursor range, read by one worker
//   ReadContext what every step of a read is given: config, emitter, clock, budgets, parents
// A partition's saved cursor advances only over the prefix of its windows that are complete (plus
// the progress of the first incomplete one, whose pages arrive sorted), so a state never covers a
// record that was not emitted, however the windows are scheduled.
// Thread-safety: a StreamRun's fields after construction are guarded by its mutex `mu`.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/budget/rate_budget.h"
#include "source/config/config.h"
#include "core/protocol/emitter.h"
#include "source/state/stream_state.h"
#include "source/streams/parents.h"
#include "source/streams/partitions.h"
#include "source/streams/request.h"
#include "source/streams/stream_spec.h"
#include "core/util/clock.h"
#include "core/util/error.h"

namespace sk::streams {

struct Window {
  Window(std::optional<SysTime> s, std::optional<SysTime> e) : start(s), end(e) {}
  std::optional<SysTime> start;  // lower bound; none = from the beginning
  // Exclusive upper bound; none = no upper bound (rows without `upper`). It moves down when the
  // window is re-split while being read (window_reader.cpp); the split-off part is new windows.
  std::optional<SysTime> end;
  bool done = false;
  std::optional<SysTime> max_seen;  // newest cursor emitted so far in this window
  std::uint64_t emitted = 0;        // records written from this window so far
  Bounds bounds() const { return {start, end}; }
};

using Windows = std::deque<Window>;

struct StreamRun {
  StreamRun(const StreamSpec* s, protocol::SyncMode m, nlohmann::json saved_state)
      : spec(s), mode(m), saved(std::move(saved_state)), state(std::string(s->name), std::string(s->cursor_field),
                                                               false, false) {}
  const StreamSpec* spec;
  protocol::SyncMode mode;
  nlohmann::json saved;  // the incoming stream_state ({} for full refresh)
  // The tier its requests are read at: the row's, or its predictive tier (the engine sets it once,
  // from the config; StreamSpec::tier_for).
  budget::TierId tier = spec->tier;
  // What its windows are, for the progress lines: slices of the cursor range, or for a report row
  // its report requests (reports.cpp plans one window without bounds per request, so progress
  // counts them instead of their span).
  std::string_view progress_unit = spec->report ? "report requests" : "windows";
  // A budget whose counts are this stream's alone, read live by the progress lines (a report row's
  // tier serves it alone; its own thread adds its client's counts only when it ends). Else none:
  // workers add each item's counts as it ends.
  const budget::RateBudget* own_budget = nullptr;

  std::mutex mu;
  std::vector<Partition> partitions;         // set when the stream is planned
  // Per partition; planned in cursor order, windows split off while reading are appended (a deque:
  // appending keeps references to the others valid while workers read them).
  std::vector<Windows> windows;
  state::StreamState state;
  bool planned = false;       // partitions, state and windows are set
  bool finished = false;      // its final STATE and status were emitted
  std::size_t remaining = 0;  // work items (its plan, then its windows) not finished yet
  bool started = false;
  std::optional<Failure> failure;
  std::atomic<std::uint64_t> pages{0};
  std::atomic<std::uint64_t> requests{0};   // HTTP attempts its items sent (retries and hook calls too)
  std::atomic<std::uint64_t> throttled{0};  // 429s among them
  std::chrono::steady_clock::time_point began{}, ended{};

  nlohmann::json last_checkpoint;  // the stream_state of the last STATE emitted mid-stream
  // Records the state covers (advance_cursor keeps them per partition), and that number at the
  // last checkpoint of a window.
  std::vector<std::uint64_t> covered;
  std::uint64_t covered_total = 0, covered_at_checkpoint = 0;

  // Moves partition p's cursor over the completed prefix of its windows. Call with `mu` held.
  void advance_cursor(std::size_t p, SysTime now);
  // Emits a STATE if the state moved since the last one. Call with `mu` held.
  void checkpoint(protocol::Emitter& out);
  // A window's checkpoint: only when the state now covers records the last one did not. A state
  // that moved over empty windows only (while other windows' records went out) would claim, by
  // its record count, records that resuming from it reads again. Call with `mu` held.
  void checkpoint_covered(protocol::Emitter& out);
};

// Shared by the workers of one read.
struct ReadContext {
  ReadContext(const config::Config& c, protocol::Emitter& o, Clock& cl, SysTime start)
      : cfg(c), out(o), clock(cl), budgets(cl, c.rate_window_scale), parents(c, o), sync_start(start) {}
  const config::Config& cfg;
  protocol::Emitter& out;
  Clock& clock;
  budget::BudgetSet budgets;
  ParentDirectory parents;
  SysTime sync_start;  // the upper bound of every window, whole seconds
  std::once_flag timezone_once;
  std::string timezone;  // the account's IANA timezone, read once by the report streams
  // Queues window w of partition p (appended to run.windows[p], run.remaining already counted);
  // set by the engine. Called with run.mu held.
  std::function<void(StreamRun& run, std::size_t p, std::size_t w)> queue_window;
};

// The failure of a stream cut short by a stop request (util/stop.h).
Failure cancelled(const StreamRun& run);

// Runs `body` and returns the failure an exception from it stands for: a SourceError's own, a stop
// request's (cancelled), anything else a system error naming the stream. The one catch ladder of
// the engine's items and the report streams.
std::optional<Failure> guarded(const StreamRun& run, const std::function<void()>& body);

}  // namespace sk::streams
