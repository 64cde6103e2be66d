// StreamRun's cursor bookkeeping (see run.h): advance over the completed prefix of windows, and
// emit a checkpoint only when the state moved.
#include "source/streams/run.h"

#include <algorithm>

#include "core/util/stop.h"

namespace sk::streams {

void StreamRun::advance_cursor(std::size_t p, SysTime now) {
  std::optional<SysTime> cursor;
  std::uint64_t records = 0;
  // In cursor order: windows split off while reading were appended after later ones.
  std::vector<const Window*> order;
  order.reserve(windows[p].size());
  for (const Window& w : windows[p]) order.push_back(&w);
  std::sort(order.begin(), order.end(), [](const Window* a, const Window* b) { return a->start < b->start; });
  for (const Window* wp : order) {
    const Window& w = *wp;
    if (w.done) {
      // A finished window with an upper bound was read up to it; without one, up to its newest record.
      if (w.end) cursor = *w.end;
      else if (w.max_seen) cursor = w.max_seen;
      records += w.emitted;
      continue;
    }
    if (w.max_seen && spec->sorted) {  // sorted pages: everything before it is out
      cursor = w.max_seen;
      records += w.emitted;
    }
    break;
  }
  if (cursor) state.advance(partitions[p].key, std::min(*cursor, now));
  if (covered.size() < windows.size()) covered.resize(windows.size(), 0);
  if (records > covered[p]) {
    covered_total += records - covered[p];
    covered[p] = records;
  }
}

void StreamRun::checkpoint(protocol::Emitter& out) {
  nlohmann::json now_state = state.to_json();
  if (now_state == last_checkpoint) return;
  out.state(spec->name, now_state);
  last_checkpoint = std::move(now_state);
}

void StreamRun::checkpoint_covered(protocol::Emitter& out) {
  if (covered_total == covered_at_checkpoint) return;
  covered_at_checkpoint = covered_total;
  checkpoint(out);
}

Failure cancelled(const StreamRun& run) {
  return Failure{FailureType::Transient,
                 "The sync was cancelled (SIGTERM or SIGINT) before " + std::string(run.spec->name) +
                     " finished. Its state covers every record emitted; the next sync resumes from it.",
                 "stop requested", 0, -1};
}

std::optional<Failure> guarded(const StreamRun& run, const std::function<void()>& body) {
  try {
    body();
    return std::nullopt;
  } catch (const SourceError& e) {
    return e.failure();
  } catch (const Cancelled&) {
    return cancelled(run);
  } catch (const std::exception& e) {
    return Failure{FailureType::System, "Unexpected error while reading " + std::string(run.spec->name) + ".",
                   e.what(), 0, -1};
  }
}

}  // namespace sk::streams
