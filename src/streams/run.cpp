// StreamRun's cursor bookkeeping (see run.h): advance over the completed prefix of windows, and
// emit a checkpoint only when the state moved.
#include "streams/run.h"

namespace sk::streams {

void StreamRun::advance_cursor(std::size_t p, SysTime now) {
  std::optional<SysTime> cursor;
  for (const Window& w : windows[p]) {
    if (w.done) {
      // A finished window with an upper bound was read up to it; without one, up to its newest record.
      if (w.end) cursor = *w.end;
      else if (w.max_seen) cursor = w.max_seen;
      continue;
    }
    if (w.max_seen && spec->sorted) cursor = w.max_seen;  // sorted pages: everything before it is out
    break;
  }
  if (cursor) state.advance(partitions[p].key, std::min(*cursor, now));
}

void StreamRun::checkpoint(protocol::Emitter& out) {
  nlohmann::json now_state = state.to_json();
  if (now_state == last_checkpoint) return;
  out.state(spec->name, now_state);
  last_checkpoint = std::move(now_state);
}

}  // namespace sk::streams
