// Planning a read (see planner.h): partitions, lower bounds and windows.
#include "source/streams/planner.h"

#include "core/klaviyo/page.h"
#include "core/klaviyo/pager.h"
#include "core/util/datetime.h"

namespace sk::streams {

using nlohmann::json;
using protocol::LogLevel;

namespace {

// Windows per partition at most, per worker: enough to keep every worker busy without turning a
// long history into thousands of tiny requests.
constexpr std::size_t kWindowsPerWorker = 4;

bool windowed(const StreamSpec& spec) { return spec.incremental() && spec.upper && spec.lower != Lower::None; }

// The cursor of the partition's oldest record before the sync start, or nullopt if it has none.
std::optional<SysTime> oldest(ReadContext& ctx, klaviyo::Api& api, const StreamRun& run, const Partition& part) {
  klaviyo::Pager pager(api, one_record(build_call(*run.spec, ctx.cfg, part, {std::nullopt, ctx.sync_start})),
                       shape_of(*run.spec));
  const klaviyo::Page* page = pager.next();
  for (simdjson::dom::element rec : page->data) {
    std::string_view v;
    if (!rec["attributes"][run.spec->cursor_field].get(v)) return parse_datetime(v);
    break;
  }
  return std::nullopt;
}

// Fills run.windows[p] for partition p. May call Klaviyo (the oldest record of the partition).
void plan_windows(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, std::size_t p);

}  // namespace

void plan_stream(ReadContext& ctx, klaviyo::Api& api, StreamRun& run) {
  const StreamSpec& spec = *run.spec;
  std::vector<Partition> parts = partitions_of(spec, ctx.cfg, ctx.parents, api);
  state::StreamState state = load_state(run, parts, spec.lookback ? ctx.cfg.lookback_window_days : 0);
  {
    std::lock_guard<std::mutex> lock(run.mu);
    run.partitions = std::move(parts);
    run.windows.assign(run.partitions.size(), {});
    run.state = std::move(state);
    run.last_checkpoint = run.state.to_json();
    run.planned = true;
  }
  // Only this worker touches the windows until the plan is published (the engine queues them after).
  for (std::size_t p = 0; p < run.partitions.size(); ++p) plan_windows(ctx, api, run, p);
}

state::StreamState load_state(const StreamRun& run, const std::vector<Partition>& parts, int lookback_days) {
  const StreamSpec& spec = *run.spec;
  const bool single_unkeyed = parts.size() == 1 && parts.front().key.empty();
  bool partitioned = false, global = false;
  switch (spec.state) {
    case StateShape::Flat:
      break;
    case StateShape::PerPartition:
      partitioned = !single_unkeyed;
      break;
    case StateShape::Global:
      partitioned = global = !single_unkeyed;
      break;
  }
  state::StreamState state(std::string(spec.name), std::string(spec.cursor_field), partitioned, global,
                           lookback_days);
  std::vector<json> keys;
  keys.reserve(parts.size());
  for (const auto& part : parts) keys.push_back(part.key);
  state.load(run.mode == protocol::SyncMode::Incremental ? run.saved : json::object(), keys);
  return state;
}

std::optional<SysTime> lower_bound(ReadContext& ctx, const StreamRun& run, const Partition& part) {
  const StreamSpec& spec = *run.spec;
  if (!spec.incremental()) return std::nullopt;
  std::optional<SysTime> lower;
  if (run.mode == protocol::SyncMode::Incremental) lower = run.state.get(part.key);
  if (lower && spec.lookback && ctx.cfg.lookback_window_days > 0)
    lower = days_before(*lower, ctx.cfg.lookback_window_days);
  const std::optional<SysTime> start = configured_start(spec, ctx.cfg);
  if (start && (!lower || *lower < *start)) lower = start;
  return lower;
}

std::optional<SysTime> configured_start(const StreamSpec& spec, const config::Config& cfg) {
  switch (spec.start_date) {
    case StartDate::Honoured: return cfg.start_date;
    case StartDate::Ignored: return std::nullopt;
  }
  return std::nullopt;
}

Windows split(SysTime start, SysTime end, std::chrono::seconds min_span, std::size_t max_windows) {
  using std::chrono::seconds;
  const auto span = std::chrono::duration_cast<seconds>(end - sk::floor_seconds(start));
  std::size_t count = 1;
  if (min_span.count() > 0 && span > min_span)
    count = static_cast<std::size_t>((span.count() + min_span.count() - 1) / min_span.count());
  count = std::clamp<std::size_t>(count, 1, std::max<std::size_t>(1, max_windows));
  const seconds step{(span.count() + static_cast<long long>(count) - 1) / static_cast<long long>(count)};
  Windows out;
  SysTime lo = start;
  for (std::size_t i = 1; i <= count; ++i) {
    SysTime hi = end;
    if (i < count) hi = sk::floor_seconds(start) + std::chrono::duration_cast<SysTime::duration>(step * static_cast<long long>(i));
    if (hi >= end) hi = end;
    if (hi <= lo) continue;
    out.push_back(Window{lo, hi});
    lo = hi;
    if (hi == end) break;
  }
  return out;
}

namespace {

void plan_windows(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, std::size_t p) {
  const StreamSpec& spec = *run.spec;
  const Partition& part = run.partitions[p];
  const SysTime now = ctx.sync_start;
  std::optional<SysTime> lower = lower_bound(ctx, run, part);
  if (lower && (*lower > now || (spec.upper && *lower >= now))) {
    ctx.out.log(LogLevel::Info, std::string(spec.name) + ": the saved cursor " + sk::format_iso(*lower) +
                                    " is not before the sync start; nothing to read for partition " + part.key.dump());
    return;
  }
  if (!spec.detail_key.empty() && !ctx.cfg.refresh_profile_counts && lower && part.parent_cursor &&
      *part.parent_cursor <= *lower) {
    // A detail row reads the parent resource itself: nothing newer than the saved cursor to fetch.
    ctx.out.log(LogLevel::Debug, std::string(spec.name) + ": " + part.parent_id() + " has not changed since " +
                                     sk::format_iso(*lower) + "; not read");
    return;
  }
  if (!windowed(spec)) {
    run.windows[p].push_back(Window{lower, std::nullopt});
    return;
  }
  if (spec.window_days == 0) {
    run.windows[p].push_back(Window{lower, now});
    return;
  }
  // Parent partitions (the lists of list_memberships) share the stream's windows: one big list gets
  // them all, many small lists one or two each, so small lists do not cost dozens of empty requests.
  std::size_t max_windows = kWindowsPerWorker * static_cast<std::size_t>(ctx.cfg.num_workers);
  if (spec.partitions == Partitioning::Parent) max_windows = std::max<std::size_t>(1, max_windows / run.partitions.size());
  if (max_windows == 1) {  // one window: no need to find where the partition's records begin
    run.windows[p].push_back(Window{lower, now});
    return;
  }
  if (!lower) {
    lower = oldest(ctx, api, run, part);
    if (!lower || *lower >= now) {  // nothing before the sync start: the partition is read up to it
      run.state.advance(part.key, now);
      return;
    }
  }
  run.windows[p] = split(*lower, now, std::chrono::hours(24 * spec.window_days), max_windows);
}

}  // namespace

}  // namespace sk::streams
