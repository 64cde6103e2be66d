// Reads one window (see window_reader.h). Records whose stream has no transforming hook never
// become objects: their bytes go out with the cursor (and parent id) spliced in front.
#include "streams/window_reader.h"

#include "klaviyo/datetime.h"
#include "klaviyo/page.h"
#include "klaviyo/pager.h"
#include "streams/hooks.h"
#include "streams/planner.h"

namespace sk::streams {

using nlohmann::json;

void read_window(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, std::size_t p, std::size_t wi) {
  const StreamSpec& spec = *run.spec;
  const Partition& part = run.partitions[p];
  const Window& window = run.windows[p][wi];  // start/end are fixed after planning
  const SysTime now = ctx.sync_start;
  const std::string field(spec.cursor_field);

  budget::TierId tier;
  auto params = window_params(ctx, run, part, window, tier);
  std::string path(spec.path);
  if (auto pos = path.find("{parent_id}"); pos != std::string::npos)
    path.replace(pos, 11, klaviyo::percent_encode(part.parent_id));
  klaviyo::Pager pager(api, api.url(path, params), {tier, spec.scope});

  // Rows without a server-side filter drop records read before here: the saved cursor is the exact
  // (microsecond) time of the newest one, so only records at or before it are dropped.
  const bool client_filter = spec.lower == Lower::None && window.start.has_value();
  const SysTime client_min = window.start.value_or(SysTime{});
  const bool as_object = transforms_records(spec);
  const std::string parent_id_text = json(part.parent_id).dump();  // JSON-escaped
  std::optional<SysTime> max_seen;
  std::string leading;

  while (const klaviyo::Page* page = pager.next()) {
    run.pages.fetch_add(1, std::memory_order_relaxed);
    json included_doc = json::object();  // the page's included[], only for the hook that merges it
    if (as_object && page->included && spec.has_hook(Hook::MergeIncluded))
      included_doc["included"] = json::parse(klaviyo::to_json_text(*page->included));
    const IncludedIndex included(included_doc);
    for (simdjson::dom::element rec : page->data) {
      if (!rec.is_object())
        throw transient_error("Klaviyo returned a record of " + std::string(spec.name) + " that is not an object.");
      std::optional<SysTime> t;
      std::string cursor_text = "null";  // the cursor, copied to the top level, as JSON
      if (spec.incremental()) {
        simdjson::dom::element v;
        if (!rec["attributes"][field].get(v)) {
          cursor_text = klaviyo::to_json_text(v);
          if (v.is_string()) t = klaviyo::parse_datetime(v.get_string().value_unsafe());
        }
      }
      if (client_filter && t && *t <= client_min) continue;
      if (t && (!max_seen || *max_seen < *t)) max_seen = t;  // read, even if a hook drops it
      if (as_object) {
        json obj = json::parse(klaviyo::to_json_text(rec));
        if (spec.incremental()) obj[field] = json::parse(cursor_text);
        if (!spec.parent_key.empty()) obj[std::string(spec.parent_key)] = part.parent_id;
        if (!apply_record_hooks(spec, part, included, obj)) continue;
        apply_call_hooks(spec, api, obj);
        ctx.out.record(spec.name, obj);
      } else {
        leading.clear();
        if (spec.incremental()) leading.append("\"").append(field).append("\":").append(cursor_text);
        if (!spec.parent_key.empty()) {
          if (!leading.empty()) leading.push_back(',');
          leading.append("\"").append(spec.parent_key).append("\":").append(parent_id_text);
        }
        ctx.out.record_text(spec.name, leading, klaviyo::to_json_text(rec));
      }
    }
    // A sorted window checkpoints after each page but its last: the window's end comes right after
    // and is a better cursor (resuming from the last record's time would only re-read its ties).
    if (spec.sorted && max_seen && page->next) {
      std::lock_guard<std::mutex> lock(run.mu);
      run.windows[p][wi].max_seen = max_seen;
      run.advance_cursor(p, now);
      run.checkpoint(ctx.out);
    }
  }
  std::lock_guard<std::mutex> lock(run.mu);
  Window& w = run.windows[p][wi];
  w.max_seen = max_seen;
  w.done = true;
  run.advance_cursor(p, now);
  if (run.remaining > 1) run.checkpoint(ctx.out);  // the last window's is the stream's final state
}

}  // namespace sk::streams
