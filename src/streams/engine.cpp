// The read engine (see engine.h): plan (streams/planner.h), then workers take windows off one
// list and read them (streams/window_reader.h); the last window of a stream emits its final STATE
// and status. Windows of one partition may run at once; the partition's cursor still only moves
// over the prefix that is complete (StreamRun::advance_cursor).
#include "streams/engine.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "budget/rate_budget.h"
#include "http/client.h"
#include "klaviyo/api.h"
#include "klaviyo/datetime.h"
#include "state/stream_state.h"
#include "streams/partitions.h"
#include "streams/planner.h"
#include "streams/run.h"
#include "streams/window_reader.h"

namespace sk::streams {

using nlohmann::json;
using protocol::LogLevel;
using protocol::StreamStatus;
using protocol::SyncMode;

namespace {

struct Item {
  StreamRun* run;
  std::size_t partition;
  std::size_t window;
};

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

  // Plan: load state, make partitions (listing parent ids where a stream has a parent) and their
  // windows; one work item per window.
  http::Client planner_client(transports_(), clock_, policy_, log_to(out_));
  klaviyo::Api planner(planner_client, ctx.budgets, cfg_);
  std::vector<std::unique_ptr<StreamRun>> runs;
  std::vector<Item> items;
  for (const auto& cs : streams) {
    const StreamSpec& spec = *cs.spec;
    std::optional<Failure> planning_failure;
    std::vector<ParentRef> parent_ids;
    try {
      if (spec.partitions == Partitioning::Parent) parent_ids = list_parent_ids(ctx, planner, *find_stream(spec.parent));
    } catch (const SourceError& e) {
      planning_failure = e.failure();
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
    run->last_checkpoint = run->state.to_json();
    for (std::size_t p = 0; p < run->partitions.size() && !planning_failure; ++p) {
      try {
        plan_windows(ctx, planner, *run, p);
      } catch (const SourceError& e) {
        planning_failure = e.failure();
      }
      for (std::size_t w = 0; w < run->windows[p].size(); ++w) items.push_back({run.get(), p, w});
    }
    if (planning_failure) {  // the stream fails before any window is read
      while (!items.empty() && items.back().run == run.get()) items.pop_back();
      for (auto& ws : run->windows) ws.clear();
    }
    for (const auto& ws : run->windows) run->remaining += ws.size();
    if (run->remaining == 0) {  // nothing to read (no parents, cursor at the sync start) or planning failed
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
          read_window(ctx, api, run, items[i].partition, items[i].window);
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
