// Planning a read (see planner.h): partitions, lower bounds and windows.
#include "streams/planner.h"

#include "klaviyo/datetime.h"
#include "klaviyo/page.h"
#include "klaviyo/pager.h"
#include "streams/hooks.h"

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
  budget::TierId tier = run.spec->tier;
  auto params = window_params(ctx, run, part, Window{std::nullopt, ctx.sync_start}, tier);
  for (auto& [k, v] : params)
    if (k == "page[size]") v = "1";
  std::string path(run.spec->path);
  klaviyo::Pager pager(api, api.url(path, params), {tier, run.spec->scope});
  const klaviyo::Page* page = pager.next();
  for (simdjson::dom::element rec : page->data) {
    std::string_view v;
    if (!rec["attributes"][run.spec->cursor_field].get(v)) return klaviyo::parse_datetime(v);
    break;
  }
  return std::nullopt;
}

}  // namespace

std::vector<ParentRef> list_parent_ids(ReadContext& ctx, klaviyo::Api& api, const StreamSpec& parent) {
  std::vector<ParentRef> ids;
  for (const auto& part : partitions_for(parent, ctx.cfg)) {
    klaviyo::Params params;
    if (!part.clauses.empty()) params.emplace_back("filter", klaviyo::all_of(part.clauses));
    if (parent.page_size > 0) params.emplace_back("page[size]", std::to_string(parent.page_size));
    klaviyo::Pager pager(api, api.url(parent.path, params), {parent.tier, parent.scope});
    while (const klaviyo::Page* page = pager.next()) {
      for (simdjson::dom::element rec : page->data) {
        std::string_view id;
        if (rec["id"].get(id)) continue;
        ParentRef ref{std::string(id), std::nullopt};
        std::string_view cursor;
        if (parent.incremental() && !rec["attributes"][parent.cursor_field].get(cursor))
          ref.cursor = klaviyo::parse_datetime(cursor);
        ids.push_back(std::move(ref));
      }
    }
  }
  return ids;
}

std::optional<SysTime> lower_bound(ReadContext& ctx, const StreamRun& run, const Partition& part) {
  const StreamSpec& spec = *run.spec;
  if (!spec.incremental()) return std::nullopt;
  std::optional<SysTime> lower;
  if (run.mode == protocol::SyncMode::Incremental) lower = run.state.get(part.key);
  if (lower && spec.lookback && ctx.cfg.lookback_window_days > 0)
    lower = klaviyo::days_before(*lower, ctx.cfg.lookback_window_days);
  const bool uses_start_date = spec.lower != Lower::None || !spec.detail_key.empty();  // detail rows: as their parent
  if (ctx.cfg.start_date && uses_start_date && (!lower || *lower < *ctx.cfg.start_date))
    lower = ctx.cfg.start_date;
  return lower;
}

std::vector<Window> split(SysTime start, SysTime end, std::chrono::seconds min_span, std::size_t max_windows) {
  using std::chrono::seconds;
  const auto span = std::chrono::duration_cast<seconds>(end - klaviyo::floor_seconds(start));
  std::size_t count = 1;
  if (min_span.count() > 0 && span > min_span)
    count = static_cast<std::size_t>((span.count() + min_span.count() - 1) / min_span.count());
  count = std::clamp<std::size_t>(count, 1, std::max<std::size_t>(1, max_windows));
  const seconds step{(span.count() + static_cast<long long>(count) - 1) / static_cast<long long>(count)};
  std::vector<Window> out;
  SysTime lo = start;
  for (std::size_t i = 1; i <= count; ++i) {
    SysTime hi = end;
    if (i < count) hi = klaviyo::floor_seconds(start) + std::chrono::duration_cast<SysTime::duration>(step * static_cast<long long>(i));
    if (hi >= end) hi = end;
    if (hi <= lo) continue;
    out.push_back(Window{lo, hi});
    lo = hi;
    if (hi == end) break;
  }
  return out;
}

klaviyo::Params window_params(const ReadContext& ctx, const StreamRun& run, const Partition& part, const Window& w,
                              budget::TierId& tier) {
  const StreamSpec& spec = *run.spec;
  const std::string field(spec.cursor_field);
  std::vector<std::string> clauses = part.clauses;
  if (w.start && spec.lower == Lower::Gt)
    clauses.push_back(klaviyo::clause("greater-than", field,
                                      klaviyo::dt(klaviyo::floor_seconds(*w.start) - std::chrono::seconds(1))));
  if (w.start && spec.lower == Lower::Ge)
    clauses.push_back(klaviyo::clause("greater-or-equal", field, klaviyo::dt(klaviyo::floor_seconds(*w.start))));
  if (w.end) clauses.push_back(klaviyo::clause("less-than", field, klaviyo::dt(*w.end)));

  klaviyo::Params params;
  if (!clauses.empty()) params.emplace_back("filter", klaviyo::all_of(clauses));
  if (spec.sorted && spec.incremental()) params.emplace_back("sort", field);
  if (spec.page_size > 0) params.emplace_back("page[size]", std::to_string(spec.page_size));
  for (const auto& p : spec.params) params.emplace_back(p.key, p.value);
  tier = spec.tier;
  apply_request_hooks(spec, ctx.cfg, params, tier);
  return params;
}

void plan_windows(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, std::size_t p) {
  const StreamSpec& spec = *run.spec;
  const Partition& part = run.partitions[p];
  const SysTime now = ctx.sync_start;
  std::optional<SysTime> lower = lower_bound(ctx, run, part);
  if (lower && (*lower > now || (spec.upper && *lower >= now))) {
    ctx.out.log(LogLevel::Info, std::string(spec.name) + ": the saved cursor " + klaviyo::format_iso(*lower) +
                                    " is not before the sync start; nothing to read for partition " + part.key.dump());
    return;
  }
  if (!spec.detail_key.empty() && lower && part.parent_cursor && *part.parent_cursor <= *lower) {
    // A detail row reads the parent resource itself: nothing newer than the saved cursor to fetch.
    ctx.out.log(LogLevel::Debug, std::string(spec.name) + ": " + part.parent_id + " has not changed since " +
                                     klaviyo::format_iso(*lower) + "; not read");
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
  if (!lower) {
    lower = oldest(ctx, api, run, part);
    if (!lower || *lower >= now) {  // nothing before the sync start: the partition is read up to it
      run.state.advance(part.key, now);
      return;
    }
  }
  run.windows[p] = split(*lower, now, std::chrono::hours(24 * spec.window_days),
                         kWindowsPerWorker * static_cast<std::size_t>(ctx.cfg.num_workers));
}

}  // namespace sk::streams
