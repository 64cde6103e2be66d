// The read engine (see engine.h): one work queue, plan items first, window items as plans make
// them; the last item of a stream emits its final STATE and status. Windows of one partition may
// run at once; the partition's cursor still only moves over the prefix that is complete
// (StreamRun::advance_cursor). Report streams run on threads of their own (reports.h).
#include "source/streams/engine.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/http/client.h"
#include "core/klaviyo/api.h"
#include "core/util/datetime.h"
#include "source/streams/planner.h"
#include "source/streams/progress.h"
#include "source/streams/reports.h"
#include "source/streams/run.h"
#include "source/streams/window_reader.h"
#include "source/streams/work_queue.h"

namespace sk::streams {

using nlohmann::json;
using protocol::StreamStatus;

namespace {

// Its final STATE (a stream that failed before its plan hands back the state it was given) and
// status. Call with run.mu held.
void finish_stream(ReadContext& ctx, StreamRun& run) {
  run.finished = true;
  run.ended = ctx.clock.steady_now();
  ctx.out.state(run.spec->name, run.planned ? run.state.to_json() : run.saved);
  if (run.failure) {
    ctx.out.error(*run.failure, std::string(run.spec->name));
    ctx.out.stream_status(run.spec->name, StreamStatus::Incomplete);
  } else {
    ctx.out.stream_status(run.spec->name, StreamStatus::Complete);
  }
}

// STARTED and RUNNING once, when its first work begins. Call with run.mu held.
void start_stream(ReadContext& ctx, StreamRun& run) {
  if (run.started) return;
  run.started = true;
  run.began = ctx.clock.steady_now();
  ctx.out.stream_status(run.spec->name, StreamStatus::Started);
  ctx.out.stream_status(run.spec->name, StreamStatus::Running);
}

// Runs one item. A plan item queues the windows it made (ctx.queue_window).
void work(ReadContext& ctx, klaviyo::Api& api, const Item& item) {
  StreamRun& run = *item.run;
  if (item.window != Item::kPlan) {
    read_window(ctx, api, run, item.partition, item.window);
    return;
  }
  plan_stream(ctx, api, run);
  std::lock_guard<std::mutex> lock(run.mu);
  for (std::size_t p = 0; p < run.windows.size(); ++p)
    for (std::size_t w = 0; w < run.windows[p].size(); ++w) {
      ++run.remaining;
      ctx.queue_window(run, p, w);
    }
}

}  // namespace

// One read: the context every step shares, the runs, the queue and the report threads.
struct Engine::Read {
  Read(Engine& e, SysTime start)
      : engine(e), ctx(e.cfg_, e.out_, e.clock_, start),
        queue([this](budget::TierId t) {
          return std::min(std::max(1, engine.cfg_.num_workers), ctx.budgets.get(t).concurrency());
        }) {
    // Planned windows, and windows split off while reading (window_reader.cpp).
    ctx.queue_window = [this](StreamRun& run, std::size_t p, std::size_t w) { queue.push({&run, p, w, run.tier}); };
  }
  Engine& engine;
  ReadContext ctx;
  WorkQueue queue;
  std::vector<std::unique_ptr<StreamRun>> runs;
  std::vector<std::thread> report_threads;
};

Engine::Engine(const config::Config& cfg, protocol::Emitter& out, Clock& clock, TransportFactory transports,
               http::RetryPolicy policy)
    : cfg_(cfg), out_(out), clock_(clock), transports_(std::move(transports)), policy_(policy) {}

int Engine::parent_listings(std::string_view parent) const {
  auto it = listings_.find(parent);
  return it == listings_.end() ? 0 : it->second;
}

std::vector<StreamResult> Engine::read(const std::vector<ConfiguredStream>& streams,
                                       const std::map<std::string, json>& saved_state) {
  Read r(*this, floor_seconds(clock_.now()));
  make_runs(r, streams, saved_state);
  start_report_streams(r);  // before the workers: they pace themselves by a quota of minutes
  run_workers(r);
  end_unfinished(r);
  return summarise(r);
}

// One run per configured stream, with its saved state (full refresh ignores it: it re-reads
// everything, and still emits a fresh state) and its tier, decided once from the config. Every
// stream but a report one is a plan item on the queue: the one dispatch on the kind of stream.
void Engine::make_runs(Read& r, const std::vector<ConfiguredStream>& streams,
                       const std::map<std::string, json>& saved_state) {
  for (const auto& cs : streams) {
    auto saved = saved_state.find(std::string(cs.spec->name));
    const bool use_saved = cs.mode == protocol::SyncMode::Incremental && saved != saved_state.end();
    auto run = std::make_unique<StreamRun>(cs.spec, cs.mode, use_saved ? saved->second : json::object());
    run->tier = cs.spec->tier_for(cfg_.disable_fetching_predictive_analytics);
    if (!cs.spec->report) {
      run->remaining = 1;  // its plan
      r.queue.push({run.get()});
    }
    r.runs.push_back(std::move(run));
  }
}

// Report streams: each on a thread of its own with its own client, paced by its endpoint's quota
// (2 requests a minute), so they never hold up the workers the other streams need. Their retry
// policy waits out a Retry-After up to reporting_max_wait_seconds; a longer one means the day's
// quota is spent.
void Engine::start_report_streams(Read& r) {
  for (auto& run_ptr : r.runs) {
    if (!run_ptr->spec->report) continue;
    r.report_threads.emplace_back([this, &r, &run = *run_ptr] {
      http::RetryPolicy policy = policy_;
      policy.max_retry_after = std::chrono::seconds(cfg_.reporting_max_wait_seconds);
      http::Client client(transports_(), clock_, policy, protocol::log_to(out_), 0x4e9047);
      klaviyo::Api api(client, r.ctx.budgets, cfg_.api_key, cfg_.base_url);
      {
        std::lock_guard<std::mutex> lock(run.mu);
        start_stream(r.ctx, run);
      }
      read_report_stream(r.ctx, api, run);  // keeps run.requests / run.throttled current
      std::lock_guard<std::mutex> lock(run.mu);
      finish_stream(r.ctx, run);
    });
  }
}

// num_workers threads (this one too), each with its own HTTP client, take items until none is left;
// a stream's last item emits its final STATE. Progress lines run beside them.
void Engine::run_workers(Read& r) {
  auto worker = [this, &r] {
    http::Client client(transports_(), clock_, policy_, protocol::log_to(out_),
                        std::hash<std::thread::id>{}(std::this_thread::get_id()));
    klaviyo::Api api(client, r.ctx.budgets, cfg_.api_key, cfg_.base_url);
    while (auto item = r.queue.pop()) run_item(r, api, *item);
  };
  Progress progress(r.ctx, r.runs);
  std::vector<std::thread> threads;
  for (int i = 1; i < std::max(1, cfg_.num_workers); ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (auto& t : r.report_threads) t.join();
}

// One item on a worker: skipped when its stream already failed; its requests and 429s are the
// stream's; the stream's last item finishes it.
void Engine::run_item(Read& r, klaviyo::Api& api, const Item& item) {
  StreamRun& run = *item.run;
  bool skip;
  {
    std::lock_guard<std::mutex> lock(run.mu);
    start_stream(r.ctx, run);
    skip = run.failure.has_value();
  }
  std::optional<Failure> failed;
  const http::ClientStats before = api.stats();
  if (!skip) failed = guarded(run, [&] { work(r.ctx, api, item); });
  run.requests.fetch_add(api.stats().requests - before.requests, std::memory_order_relaxed);
  run.throttled.fetch_add(api.stats().throttled - before.throttled, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(run.mu);
    if (failed && !run.failure) run.failure = failed;
    if (--run.remaining == 0) finish_stream(r.ctx, run);
  }
  r.queue.done(item);
}

// Stopped (SIGTERM): streams with work never started end here, with the state of what was
// emitted and INCOMPLETE, so every configured stream gets its final STATE and status.
void Engine::end_unfinished(Read& r) {
  for (auto& run : r.runs) {
    std::lock_guard<std::mutex> lock(run->mu);
    if (run->finished) continue;
    if (!run->started) {
      run->began = clock_.steady_now();
      out_.stream_status(run->spec->name, StreamStatus::Started);
    }
    if (!run->failure) run->failure = cancelled(*run);
    finish_stream(r.ctx, *run);
  }
}

// Per stream: records, pages, requests, 429s, seconds and its tier's limit, for read's summary;
// and how often each parent was listed (tests).
std::vector<StreamResult> Engine::summarise(Read& r) {
  for (const auto& s : all_streams()) listings_[std::string(s.name)] = r.ctx.parents.listings(s.name);
  std::vector<StreamResult> results;
  for (const auto& run : r.runs) {
    StreamResult res;
    res.name = std::string(run->spec->name);
    res.records = out_.records_emitted(run->spec->name);
    res.pages = run->pages.load();
    res.requests = run->requests.load();
    res.throttled = run->throttled.load();
    res.tier_limit_per_minute = tier_limit_per_minute(r.ctx, *run);
    res.seconds = std::chrono::duration<double>(run->ended - run->began).count();
    res.failure = run->failure;
    results.push_back(std::move(res));
  }
  return results;
}

}  // namespace sk::streams
