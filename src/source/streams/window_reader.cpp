// Reads one window (see window_reader.h). Records whose stream has no transforming hook never
// become objects: their bytes go out with the cursor (and ancestor ids) spliced in front.
#include "source/streams/window_reader.h"

#include <algorithm>

#include "core/klaviyo/page.h"
#include "core/klaviyo/pager.h"
#include "source/streams/hooks.h"
#include "source/streams/planner.h"
#include "core/util/datetime.h"
#include "core/util/stop.h"

namespace sk::streams {

using nlohmann::json;

namespace {

// The fields a record of this partition gets in front of its own: the cursor, then each ancestor's
// id under its key ("flow_id":"F1","flow_action_id":"A1"). cursor_text is JSON.
void leading_fields(const StreamSpec& spec, const Partition& part, const std::string& cursor_text, std::string& out) {
  out.clear();
  if (spec.incremental()) out.append("\"").append(spec.cursor_field).append("\":").append(cursor_text);
  for (const auto& a : part.ancestry) {
    if (a.key.empty()) continue;
    if (!out.empty()) out.push_back(',');
    out.append(json(a.key).dump()).push_back(':');
    out.append(json(a.id).dump());
  }
}

// `text` as a JSON string: quoted as it is when nothing in it needs escaping (a datetime), else
// through the JSON library.
void json_string(std::string_view text, std::string& out) {
  for (const char c : text)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      out = json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
  out.assign(1, '"').append(text).push_back('"');
}

// Dense windows are re-split while they are read (sorted rows with an upper bound): a full page's
// first and last record times tell how much of the window one page covers; when the rest would take
// kResplitPages pages or more, the window keeps [start, cut) and [cut, end) becomes up to
// kMaxNewWindows new windows that other workers start on at once (and may split again). Its pager
// has already asked for records up to the old end, so the window drops records at or after the
// cut and stops at the first page that reaches it. Called with run.mu held; returns the cut.
constexpr double kResplitPages = 8;
constexpr std::size_t kMaxNewWindows = 8;
constexpr std::chrono::seconds kMinWindow{60};
constexpr std::size_t kMaxWindowsPerWorker = 64;  // a run's windows, planned and split off

std::optional<SysTime> resplit(ReadContext& ctx, StreamRun& run, std::size_t p, std::size_t wi, SysTime first,
                               SysTime last) {
  using Sec = std::chrono::duration<double>;
  Window& w = run.windows[p][wi];
  if (!w.end || *w.end <= last) return std::nullopt;
  const double page_span = std::max(1.0, Sec(last - first).count());
  const double rest = Sec(*w.end - last).count();
  const double pages_left = rest / page_span;
  if (pages_left < kResplitPages) return std::nullopt;
  std::size_t total = 0;
  for (const auto& part_windows : run.windows) total += part_windows.size();
  const std::size_t cap = kMaxWindowsPerWorker * static_cast<std::size_t>(std::max(1, ctx.cfg.num_workers));
  if (total >= cap) return std::nullopt;
  const std::size_t k = std::min({kMaxNewWindows, static_cast<std::size_t>(pages_left / 4), cap - total});
  // This window keeps about 1/(k+1) of the rest; the cut is a whole second after its last record.
  const auto keep = std::chrono::duration_cast<SysTime::duration>(Sec(rest / static_cast<double>(k + 1)));
  const SysTime cut = floor_seconds(last + keep) + std::chrono::seconds(1);
  if (cut >= *w.end || *w.end - cut < kMinWindow) return std::nullopt;
  const auto step = std::chrono::duration_cast<std::chrono::seconds>(*w.end - cut) / static_cast<long long>(k);
  const std::chrono::seconds span = std::max<std::chrono::seconds>(kMinWindow, step + std::chrono::seconds(1));
  Windows added = split(cut, *w.end, span, k);
  w.end = cut;
  for (Window& nw : added) {
    run.windows[p].push_back(nw);
    ++run.remaining;
    ctx.queue_window(run, p, run.windows[p].size() - 1);
  }
  ctx.out.log(protocol::LogLevel::Debug, std::string(run.spec->name) + ": a dense window was split at " +
                                             format_iso(cut) + " into " + std::to_string(added.size() + 1));
  return cut;
}

}  // namespace

void read_window(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, std::size_t p, std::size_t wi) {
  const StreamSpec& spec = *run.spec;
  const Partition& part = run.partitions[p];
  const Window& window = run.windows[p][wi];  // its start is fixed; its end moves only here (resplit)
  const SysTime now = ctx.sync_start;
  const std::string field(spec.cursor_field);

  klaviyo::Pager pager(api, build_call(spec, ctx.cfg, part, window.bounds()), shape_of(spec));

  // Rows without a server-side filter drop records read before here: the saved cursor is the exact
  // (microsecond) time of the newest one, so only records at or before it are dropped. Detail rows
  // asked to refresh every count keep them (the record is re-emitted with its new profile_count).
  const bool refresh = !spec.detail_key.empty() && ctx.cfg.refresh_profile_counts;
  const bool client_filter = spec.lower == Lower::None && window.start.has_value() && !refresh;
  const SysTime client_min = window.start.value_or(SysTime{});
  // A strict-greater-than row asks for greater-than(start - 1 s): past the first window, whose start
  // is the lower bound (ties of the saved cursor are re-read on purpose), the records of the second
  // before a split boundary belong to the previous window, which read them with less-than(start).
  // Boundaries are whole seconds, so records at or after the start are this window's.
  const bool split_start = spec.lower == Lower::Gt && wi > 0 && window.start.has_value();
  const bool as_object = transforms_records(spec);
  const bool may_split = spec.sorted && spec.upper && spec.window_days > 0 && window.end && ctx.queue_window;
  std::optional<SysTime> cut;  // set once the window was re-split: records from here on are not its
  std::optional<SysTime> max_seen;
  std::string leading, cursor_text;

  try {
    while (const klaviyo::Page* page = pager.next()) {
      throw_if_stopped();  // this page is not emitted: the state stays at the previous checkpoint
      run.pages.fetch_add(1, std::memory_order_relaxed);
      json included_doc = json::object();  // the page's included[], only for the hook that merges it
      if (as_object && page->included && spec.has_hook(Hook::MergeIncluded))
        included_doc["included"] = json::parse(klaviyo::to_json_text(*page->included));
      const IncludedIndex included(included_doc);
      protocol::RecordBatch batch(spec.name, ctx.out.now_ms());  // the page's records, written at once
      if (!as_object && !page->raw.empty())  // the raw texts lie in order in the body
        batch.expect(page->raw.size(),
                     static_cast<std::size_t>(page->raw.back().data() + page->raw.back().size() - page->raw.front().data()));
      std::optional<SysTime> page_first, page_last;
      bool reached_cut = false;
      for (std::size_t i = 0; i < page->data.size(); ++i) {
        const simdjson::dom::element rec = page->data[i];
        std::optional<SysTime> t;
        cursor_text = "null";  // the cursor, copied to the top level, as JSON
        if (spec.incremental()) {
          simdjson::dom::element v;
          if (!rec["attributes"][field].get(v)) {
            if (v.is_string()) {
              const std::string_view text = v.get_string().value_unsafe();
              t = parse_datetime(text);
              json_string(text, cursor_text);
            } else {
              cursor_text = klaviyo::to_json_text(v);
            }
          }
        }
        if (t) {
          if (!page_first) page_first = t;
          page_last = t;
        }
        if (cut && t && *t >= *cut) {  // the split-off windows' (sorted: so are the rest)
          reached_cut = true;
          continue;
        }
        if (client_filter && t && *t <= client_min) continue;
        if (split_start && t && *t < *window.start) continue;  // the previous window's (see above)
        if (t && (!max_seen || *max_seen < *t)) max_seen = t;  // read, even if a hook drops it
        if (as_object) {
          json obj = json::parse(klaviyo::to_json_text(rec));
          if (spec.incremental()) obj[field] = json::parse(cursor_text);
          for (const auto& a : part.ancestry)
            if (!a.key.empty()) obj[a.key] = a.id;
          if (!apply_record_hooks(spec, part, included, obj)) continue;
          apply_call_hooks(spec, api, obj);
          batch.add(obj);
        } else {
          leading_fields(spec, part, cursor_text, leading);
          if (page->raw.size() == page->data.size()) {
            batch.add_text(leading, page->raw[i]);  // the bytes as Klaviyo sent them
          } else {
            batch.add_text(leading, klaviyo::to_json_text(rec));
          }
        }
      }
      const std::uint64_t written = batch.size();
      ctx.out.write(batch);
      std::lock_guard<std::mutex> lock(run.mu);
      run.windows[p][wi].emitted += written;
      if (reached_cut) break;
      // Only a full page tells the density (a server may send fewer), and only from its own records.
      if (may_split && !cut && page->next && page->data.size() >= static_cast<std::size_t>(spec.page_size) &&
          page_first && page_last && (!window.start || *page_first >= *window.start))
        cut = resplit(ctx, run, p, wi, *page_first, *page_last);
      // A sorted window checkpoints after each page but its last: the window's end comes right after
      // and is a better cursor (resuming from the last record's time would only re-read its ties).
      if (spec.sorted && max_seen && page->next) {
        run.windows[p][wi].max_seen = max_seen;
        run.advance_cursor(p, now);
        run.checkpoint_covered(ctx.out);
      }
    }
  } catch (const klaviyo::PartitionSkipped& skipped) {
    ctx.out.log(protocol::LogLevel::Info, std::string(spec.name) + ": " + skipped.message);
  }
  std::lock_guard<std::mutex> lock(run.mu);
  Window& w = run.windows[p][wi];
  w.max_seen = max_seen;
  w.done = true;
  run.advance_cursor(p, now);
  if (run.remaining > 1) run.checkpoint_covered(ctx.out);  // the last window's is the stream's final state
}

}  // namespace sk::streams
