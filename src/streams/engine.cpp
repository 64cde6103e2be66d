// The read engine (see engine.h). A partition is read as one half-open window [lower, sync start)
// when the row has an upper bound; sorted rows checkpoint after every page, the others when the
// partition is done. Each stream's STATE is emitted after the records it covers, and at the end.
#include "streams/engine.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "budget/rate_budget.h"
#include "http/client.h"
#include "klaviyo/api.h"
#include "klaviyo/datetime.h"
#include "klaviyo/page.h"
#include "klaviyo/pager.h"
#include "state/stream_state.h"
#include "streams/hooks.h"
#include "streams/partitions.h"

namespace sk::streams {

using nlohmann::json;
using protocol::LogLevel;
using protocol::StreamStatus;
using protocol::SyncMode;

namespace {

struct StreamRun {
  StreamRun(const StreamSpec* s, SyncMode m, std::vector<Partition> p, state::StreamState st)
      : spec(s), mode(m), partitions(std::move(p)), state(std::move(st)), remaining(partitions.size()) {}
  const StreamSpec* spec;
  SyncMode mode;
  std::vector<Partition> partitions;
  state::StreamState state;
  std::mutex mu;
  std::size_t remaining;
  bool started = false;
  std::optional<Failure> failure;
  std::atomic<std::uint64_t> pages{0};
  std::chrono::steady_clock::time_point began{}, ended{};
};

struct Item {
  StreamRun* run;
  std::size_t partition;
};

// Shared by the workers of one read.
struct ReadContext {
  const config::Config& cfg;
  protocol::Emitter& out;
  Clock& clock;
  budget::BudgetSet budgets;
  SysTime sync_start;  // the upper bound of every window, whole seconds
};

// The lower bound of a partition's window: saved cursor minus lookback, never before start_date
// (rows without a server-side filter, i.e. metrics, ignore start_date as Airbyte's connector does).
std::optional<SysTime> lower_bound(ReadContext& ctx, StreamRun& run, const Partition& part) {
  const StreamSpec& spec = *run.spec;
  if (!spec.incremental()) return std::nullopt;
  std::optional<SysTime> lower;
  if (run.mode == SyncMode::Incremental) {
    std::lock_guard<std::mutex> lock(run.mu);
    lower = run.state.get(part.key);
  }
  if (lower && spec.lookback && ctx.cfg.lookback_window_days > 0)
    lower = klaviyo::days_before(*lower, ctx.cfg.lookback_window_days);
  if (ctx.cfg.start_date && spec.lower != Lower::None && (!lower || *lower < *ctx.cfg.start_date))
    lower = ctx.cfg.start_date;
  return lower;
}

void read_partition(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, const Partition& part) {
  const StreamSpec& spec = *run.spec;
  const SysTime now = ctx.sync_start;
  const std::optional<SysTime> lower_opt = lower_bound(ctx, run, part);
  const bool has_lower = lower_opt.has_value();
  const SysTime lower = lower_opt.value_or(SysTime{});
  if (has_lower && (lower > now || (spec.upper && lower >= now))) {
    ctx.out.log(LogLevel::Info, std::string(spec.name) + ": saved cursor " + klaviyo::format_iso(lower) +
                                    " is not before the sync start; nothing to read for partition " + part.key.dump());
    return;
  }

  std::vector<std::string> clauses = part.clauses;
  const std::string field(spec.cursor_field);
  if (has_lower && spec.lower == Lower::Gt)
    clauses.push_back(klaviyo::clause("greater-than", field, klaviyo::dt(klaviyo::floor_seconds(lower) - std::chrono::seconds(1))));
  if (has_lower && spec.lower == Lower::Ge)
    clauses.push_back(klaviyo::clause("greater-or-equal", field, klaviyo::dt(klaviyo::floor_seconds(lower))));
  const bool windowed = spec.incremental() && spec.upper && spec.lower != Lower::None;
  if (windowed) clauses.push_back(klaviyo::clause("less-than", field, klaviyo::dt(now)));

  klaviyo::Params params;
  if (!clauses.empty()) params.emplace_back("filter", klaviyo::all_of(clauses));
  if (spec.sorted && spec.incremental()) params.emplace_back("sort", field);
  if (spec.page_size > 0) params.emplace_back("page[size]", std::to_string(spec.page_size));
  for (const auto& p : spec.params) params.emplace_back(p.key, p.value);
  budget::TierId tier = spec.tier;
  apply_request_hooks(spec, ctx.cfg, params, tier);

  std::string path(spec.path);
  if (auto pos = path.find("{parent_id}"); pos != std::string::npos)
    path.replace(pos, 11, klaviyo::percent_encode(part.parent_id));
  klaviyo::Pager pager(api, api.url(path, params), {tier, spec.scope});
  // Rows without a server-side filter drop records read before here: the saved cursor is the exact
  // (microsecond) time of the newest one, so only records at or before it are dropped.
  const bool client_filter = spec.lower == Lower::None && has_lower;
  const bool as_object = transforms_records(spec);  // else records go out as text, never as objects
  std::optional<SysTime> max_seen;
  std::string leading;
  const std::string parent_id_text = json(part.parent_id).dump();  // JSON-escaped
  while (const klaviyo::Page* page = pager.next()) {
    run.pages.fetch_add(1, std::memory_order_relaxed);
    std::optional<IncludedIndex> included;
    json included_doc;
    if (as_object && page->included && spec.has_hook(Hook::MergeIncluded)) {
      included_doc = {{"included", json::parse(klaviyo::to_json_text(*page->included))}};
      included.emplace(included_doc);
    }
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
      if (client_filter && t && *t <= lower) continue;  // the saved cursor is the newest record already read
      if (t && (!max_seen || *max_seen < *t)) max_seen = t;  // read, even if a hook drops it
      if (as_object) {
        json obj = json::parse(klaviyo::to_json_text(rec));
        if (spec.incremental()) obj[field] = json::parse(cursor_text);
        if (!spec.parent_key.empty()) obj[std::string(spec.parent_key)] = part.parent_id;
        if (!apply_record_hooks(spec, part, included ? *included : IncludedIndex(json::object()), obj)) continue;
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
    if (spec.sorted && max_seen) {
      std::lock_guard<std::mutex> lock(run.mu);
      run.state.advance(part.key, std::min(*max_seen, now));
      ctx.out.state(spec.name, run.state.to_json());
    }
  }
  std::lock_guard<std::mutex> lock(run.mu);
  if (windowed) {
    run.state.advance(part.key, now);  // every record before the sync start has been read
  } else if (max_seen) {
    run.state.advance(part.key, std::min(*max_seen, now));
  }
}

// The ids of every record of `parent` (all its partitions), for a child stream's partitions.
std::vector<std::string> list_parent_ids(ReadContext& ctx, klaviyo::Api& api, const StreamSpec& parent) {
  std::vector<std::string> ids;
  for (const auto& part : partitions_for(parent, ctx.cfg)) {
    klaviyo::Params params;
    if (!part.clauses.empty()) params.emplace_back("filter", klaviyo::all_of(part.clauses));
    if (parent.page_size > 0) params.emplace_back("page[size]", std::to_string(parent.page_size));
    klaviyo::Pager pager(api, api.url(parent.path, params), {parent.tier, parent.scope});
    while (const klaviyo::Page* page = pager.next()) {
      for (simdjson::dom::element rec : page->data) {
        std::string_view id;
        if (!rec["id"].get(id)) ids.emplace_back(id);
      }
    }
  }
  return ids;
}

void finish_stream(ReadContext& ctx, StreamRun& run) {
  run.ended = ctx.clock.steady_now();
  ctx.out.state(run.spec->name, run.state.to_json());
  if (run.failure) {
    ctx.out.error(*run.failure, std::string(run.spec->name));
    ctx.out.stream_status(run.spec->name, StreamStatus::Incomplete);
  } else {
    ctx.out.stream_status(run.spec->name, StreamStatus::Complete);
  }
}

}  // namespace

std::function<void(std::string_view, const std::string&)> log_to(protocol::Emitter& out) {
  return [&out](std::string_view level, const std::string& msg) {
    LogLevel l = LogLevel::Info;
    if (level == "WARN") l = LogLevel::Warn;
    else if (level == "ERROR") l = LogLevel::Error;
    else if (level == "DEBUG") l = LogLevel::Debug;
    out.log(l, msg);
  };
}

TransportFactory curl_transports() {
  return [] {
    http::TransportOptions opts;
    opts.user_agent = std::string("source-klaviyo/") + SK_VERSION + " (Airbyte; C++)";
    return http::make_curl_transport(opts);
  };
}

Engine::Engine(const config::Config& cfg, protocol::Emitter& out, Clock& clock, TransportFactory transports,
               http::RetryPolicy policy)
    : cfg_(cfg), out_(out), clock_(clock), transports_(std::move(transports)), policy_(policy) {}

std::vector<StreamResult> Engine::read(const std::vector<ConfiguredStream>& streams,
                                       const std::map<std::string, json>& saved_state) {
  ReadContext ctx{cfg_, out_, clock_, budget::BudgetSet(clock_), klaviyo::floor_seconds(clock_.now())};

  // Plan: load state, make partitions (listing parent ids where a stream has a parent), one work
  // item per (stream, partition).
  http::Client planner_client(transports_(), clock_, policy_, log_to(out_));
  klaviyo::Api planner(planner_client, ctx.budgets, cfg_);
  std::vector<std::unique_ptr<StreamRun>> runs;
  std::vector<Item> items;
  for (const auto& cs : streams) {
    const StreamSpec& spec = *cs.spec;
    std::vector<std::string> parent_ids;
    std::optional<Failure> planning_failure;
    if (spec.partitions == Partitioning::Parent) {
      try {
        parent_ids = list_parent_ids(ctx, planner, *find_stream(spec.parent));
      } catch (const SourceError& e) {
        planning_failure = e.failure();
      }
    }
    auto parts = partitions_for(spec, cfg_, parent_ids);
    bool partitioned = spec.partitions == Partitioning::Parent || parts.size() > 1 || !parts.front().key.empty();
    auto run = std::make_unique<StreamRun>(
        &spec, cs.mode, parts,
        state::StreamState(std::string(spec.name), std::string(spec.cursor_field), partitioned,
                           spec.partitions == Partitioning::EventMetrics, spec.lookback ? cfg_.lookback_window_days : 0));
    auto saved = saved_state.find(std::string(spec.name));
    // Full refresh ignores saved state: it re-reads everything (and still emits a fresh state).
    run->state.load(cs.mode == SyncMode::Incremental && saved != saved_state.end() ? saved->second : json::object(),
                    run->partitions);
    for (std::size_t i = 0; i < run->partitions.size(); ++i) items.push_back({run.get(), i});
    if (run->partitions.empty()) {  // nothing to read (no parents), or listing the parents failed
      run->began = clock_.steady_now();
      out_.stream_status(spec.name, StreamStatus::Started);
      out_.stream_status(spec.name, StreamStatus::Running);
      run->failure = planning_failure;
      finish_stream(ctx, *run);
    }
    runs.push_back(std::move(run));
  }

  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    http::Client client(transports_(), clock_, policy_, log_to(out_),
                        std::hash<std::thread::id>{}(std::this_thread::get_id()));
    klaviyo::Api api(client, ctx.budgets, cfg_);
    for (std::size_t i; (i = next.fetch_add(1)) < items.size();) {
      StreamRun& run = *items[i].run;
      bool skip;
      {
        std::lock_guard<std::mutex> lock(run.mu);
        if (!run.started) {
          run.started = true;
          run.began = clock_.steady_now();
          out_.stream_status(run.spec->name, StreamStatus::Started);
          out_.stream_status(run.spec->name, StreamStatus::Running);
        }
        skip = run.failure.has_value();
      }
      std::optional<Failure> failed;
      if (!skip) {
        try {
          read_partition(ctx, api, run, run.partitions[items[i].partition]);
        } catch (const SourceError& e) {
          failed = e.failure();
        } catch (const std::exception& e) {
          failed = Failure{FailureType::System, "Unexpected error while reading " + std::string(run.spec->name) + ".",
                           e.what()};
        }
      }
      std::lock_guard<std::mutex> lock(run.mu);
      if (failed && !run.failure) run.failure = failed;
      if (--run.remaining == 0) finish_stream(ctx, run);
    }
  };
  std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(cfg_.num_workers), items.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < n; ++i) threads.emplace_back(worker);
  if (n > 0) worker();
  for (auto& t : threads) t.join();

  std::vector<StreamResult> results;
  for (const auto& run : runs) {
    StreamResult r;
    r.name = std::string(run->spec->name);
    r.records = out_.records_emitted(run->spec->name);
    r.pages = run->pages.load();
    r.seconds = std::chrono::duration<double>(run->ended - run->began).count();
    r.failure = run->failure;
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace sk::streams
