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

// One window being read: what the row and window decide once, and what the pages move.
class WindowRead {
 public:
  WindowRead(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, std::size_t p, std::size_t wi)
      : ctx_(ctx), api_(api), run_(run), spec_(*run.spec), part_(run.partitions[p]), p_(p), wi_(wi),
        window_(run.windows[p][wi]), field_(spec_.cursor_field),
        // Rows without a server-side filter drop records read before here: the saved cursor is the
        // exact (microsecond) time of the newest one, so only records at or before it are dropped.
        // Detail rows asked to refresh every count keep them (re-emitted with the new profile_count).
        client_filter_(spec_.lower == Lower::None && window_.start.has_value() &&
                       !(!spec_.detail_key.empty() && ctx.cfg.refresh_profile_counts)),
        client_min_(window_.start.value_or(SysTime{})),
        // A strict-greater-than row asks for greater-than(start - 1 s): past the first window, whose
        // start is the lower bound (ties of the saved cursor are re-read on purpose), the records of
        // the second before a split boundary belong to the previous window, which read them with
        // less-than(start). Boundaries are whole seconds, so records at or after the start are this
        // window's.
        split_start_(spec_.lower == Lower::Gt && wi > 0 && window_.start.has_value()),
        as_object_(transforms_records(spec_)),
        may_split_(spec_.sorted && spec_.upper && spec_.window_days > 0 && window_.end && ctx.queue_window) {}

  // Every page of the window, each emitted at once, with checkpoints and re-splits between pages.
  void read_pages() {
    klaviyo::Pager pager(api_, build_call(spec_, ctx_.cfg, part_, window_.bounds()), shape_of(spec_));
    try {
      while (const klaviyo::Page* page = pager.next()) {
        throw_if_stopped();  // this page is not emitted: the state stays at the previous checkpoint
        run_.pages.fetch_add(1, std::memory_order_relaxed);
        if (!read_page(*page)) break;
      }
    } catch (const klaviyo::PartitionSkipped& skipped) {
      ctx_.out.log(protocol::LogLevel::Info, std::string(spec_.name) + ": " + skipped.message);
    }
  }

  // The window is read: its newest cursor, done, the partition's cursor moved over it.
  void finish() {
    std::lock_guard<std::mutex> lock(run_.mu);
    Window& w = run_.windows[p_][wi_];
    w.max_seen = max_seen_;
    w.done = true;
    run_.advance_cursor(p_, ctx_.sync_start);
    if (run_.remaining > 1) run_.checkpoint_covered(ctx_.out);  // the last window's is the stream's final state
  }

 private:
  // Emits one page's records; false once the window reached its cut (the rest is split-off windows').
  bool read_page(const klaviyo::Page& page) {
    json included_doc = json::object();  // the page's included[], only for the hook that merges it
    if (as_object_ && page.included && spec_.has_hook(Hook::MergeIncluded))
      included_doc["included"] = json::parse(klaviyo::to_json_text(*page.included));
    const IncludedIndex included(included_doc);
    protocol::RecordBatch batch(spec_.name, ctx_.out.now_ms());  // the page's records, written at once
    if (!as_object_ && !page.raw.empty())  // the raw texts lie in order in the body
      batch.expect(page.raw.size(),
                   static_cast<std::size_t>(page.raw.back().data() + page.raw.back().size() - page.raw.front().data()));
    std::optional<SysTime> page_first, page_last;
    bool reached_cut = false;
    for (std::size_t i = 0; i < page.data.size(); ++i) {
      const std::optional<SysTime> t = cursor_of(page.data[i]);
      if (t) {
        if (!page_first) page_first = t;
        page_last = t;
      }
      if (cut_ && t && *t >= *cut_) {  // the split-off windows' (sorted: so are the rest)
        reached_cut = true;
        continue;
      }
      if (client_filter_ && t && *t <= client_min_) continue;
      if (split_start_ && t && *t < *window_.start) continue;  // the previous window's (see above)
      if (t && (!max_seen_ || *max_seen_ < *t)) max_seen_ = t;  // read, even if a hook drops it
      add_record(page, i, included, batch);
    }
    const std::uint64_t written = batch.size();
    ctx_.out.write(batch);
    std::lock_guard<std::mutex> lock(run_.mu);
    run_.windows[p_][wi_].emitted += written;
    if (reached_cut) return false;
    after_page(page, page_first, page_last);
    return true;
  }

  // The record's cursor time; cursor_text_ becomes its JSON ("null" when it has none).
  std::optional<SysTime> cursor_of(simdjson::dom::element rec) {
    cursor_text_ = "null";
    if (!spec_.incremental()) return std::nullopt;
    simdjson::dom::element v;
    if (rec["attributes"][field_].get(v)) return std::nullopt;
    if (!v.is_string()) {
      cursor_text_ = klaviyo::to_json_text(v);
      return std::nullopt;
    }
    const std::string_view text = v.get_string().value_unsafe();
    json_string(text, cursor_text_);
    return parse_datetime(text);
  }

  // Adds record i to the batch: as the bytes Klaviyo sent with the leading fields spliced in, or as
  // an object through the row's hooks (which may drop it or call Klaviyo).
  void add_record(const klaviyo::Page& page, std::size_t i, const IncludedIndex& included,
                  protocol::RecordBatch& batch) {
    const simdjson::dom::element rec = page.data[i];
    if (!as_object_) {
      leading_fields(spec_, part_, cursor_text_, leading_);
      if (page.raw.size() == page.data.size()) {
        batch.add_text(leading_, page.raw[i]);  // the bytes as Klaviyo sent them
      } else {
        batch.add_text(leading_, klaviyo::to_json_text(rec));
      }
      return;
    }
    json obj = json::parse(klaviyo::to_json_text(rec));
    if (spec_.incremental()) obj[field_] = json::parse(cursor_text_);
    for (const auto& a : part_.ancestry)
      if (!a.key.empty()) obj[a.key] = a.id;
    if (!apply_record_hooks(spec_, part_, included, obj)) return;
    apply_call_hooks(spec_, api_, obj);
    batch.add(obj);
  }

  // Between pages, with run.mu held: a full page may re-split the window; a sorted window
  // checkpoints after each page but its last (the window's end comes right after and is a better
  // cursor: resuming from the last record's time would only re-read its ties).
  void after_page(const klaviyo::Page& page, std::optional<SysTime> page_first, std::optional<SysTime> page_last) {
    // Only a full page tells the density (a server may send fewer), and only from its own records.
    if (may_split_ && !cut_ && page.next && page.data.size() >= static_cast<std::size_t>(spec_.page_size) &&
        page_first && page_last && (!window_.start || *page_first >= *window_.start))
      cut_ = resplit(ctx_, run_, p_, wi_, *page_first, *page_last);
    if (spec_.sorted && max_seen_ && page.next) {
      run_.windows[p_][wi_].max_seen = max_seen_;
      run_.advance_cursor(p_, ctx_.sync_start);
      run_.checkpoint_covered(ctx_.out);
    }
  }

  ReadContext& ctx_;
  klaviyo::Api& api_;
  StreamRun& run_;
  const StreamSpec& spec_;
  const Partition& part_;
  const std::size_t p_, wi_;
  const Window& window_;  // its start is fixed; its end moves only in resplit (under run.mu)
  const std::string field_;
  const bool client_filter_;
  const SysTime client_min_;
  const bool split_start_, as_object_, may_split_;
  std::optional<SysTime> cut_;  // set once the window was re-split: records from here on are not its
  std::optional<SysTime> max_seen_;
  std::string leading_, cursor_text_;
};

}  // namespace

void read_window(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, std::size_t p, std::size_t wi) {
  WindowRead reader(ctx, api, run, p, wi);
  reader.read_pages();
  reader.finish();
}

}  // namespace sk::streams
