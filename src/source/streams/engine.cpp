// The read engine (see engine.h): one work queue, plan items first, window items as plans make
// them; the last item of a stream emits its final STATE and status. Windows of one partition may
// run at once; the partition's cursor still only moves over the prefix that is complete
// (StreamRun::advance_cursor).
#include "source/streams/engine.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/http/client.h"
#include "core/klaviyo/api.h"
#include "source/streams/planner.h"
#include "source/streams/progress.h"
#include "source/streams/reports.h"
#include "source/streams/run.h"
#include "source/streams/window_reader.h"
#include "source/streams/work_queue.h"
#include "core/util/datetime.h"
#include "core/util/stop.h"

namespace sk::streams {

using nlohmann::json;
using protocol::StreamStatus;

namespace {

void finish_stream(ReadContext& ctx, StreamRun& run) {
  run.finished = true;
  run.ended = ctx.clock.steady_now();
  // A stream that failed before its plan was made hands back the state it was given, unchanged.
  ctx.out.state(run.spec->name, run.planned ? run.state.to_json() : run.saved);
  if (run.failure) {
    ctx.out.error(*run.failure, std::string(run.spec->name));
    ctx.out.stream_status(run.spec->name, StreamStatus::Incomplete);
  } else {
    ctx.out.stream_status(run.spec->name, StreamStatus::Complete);
  }
}

}  // namespace

Failure cancelled(const StreamRun& run) {
  return Failure{FailureType::Transient,
                 "The sync was cancelled (SIGTERM or SIGINT) before " + std::string(run.spec->name) +
                     " finished. Its state covers every record emitted; the next sync resumes from it.",
                 "stop requested", 0, -1};
}

namespace {

// Runs one item; returns its failure, if any. Plan items queue the windows they make (ctx.queue_window).
std::optional<Failure> work(ReadContext& ctx, klaviyo::Api& api, const Item& item) {
  StreamRun& run = *item.run;
  try {
    if (item.window != Item::kPlan) {
      read_window(ctx, api, run, item.partition, item.window);
      return std::nullopt;
    }
    plan_stream(ctx, api, run);
    std::lock_guard<std::mutex> lock(run.mu);
    for (std::size_t p = 0; p < run.windows.size(); ++p)
      for (std::size_t w = 0; w < run.windows[p].size(); ++w) {
        ++run.remaining;
        ctx.queue_window(run, p, w);
      }
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

}  // namespace

Engine::Engine(const config::Config& cfg, protocol::Emitter& out, Clock& clock, TransportFactory transports,
               http::RetryPolicy policy)
    : cfg_(cfg), out_(out), clock_(clock), transports_(std::move(transports)), policy_(policy) {}

int Engine::parent_listings(std::string_view parent) const {
  auto it = listings_.find(parent);
  return it == listings_.end() ? 0 : it->second;
}

std::vector<StreamResult> Engine::read(const std::vector<ConfiguredStream>& streams,
                                       const std::map<std::string, json>& saved_state) {
  ReadContext ctx(cfg_, out_, clock_, floor_seconds(clock_.now()));

  // Make runs: one per configured stream, with its saved state (full refresh ignores it: it re-reads
  // everything, and still emits a fresh state).
  std::vector<std::unique_ptr<StreamRun>> runs;
  const int max_in_flight = std::max(1, cfg_.num_workers);
  WorkQueue queue([&](budget::TierId t) { return std::min(max_in_flight, ctx.budgets.get(t).concurrency()); });
  // Planned windows, and windows split off while reading (window_reader.cpp).
  ctx.queue_window = [&](StreamRun& run, std::size_t p, std::size_t w) {
    const budget::TierId tier = build_call(*run.spec, ctx.cfg, run.partitions[p], {}).info.tier;
    queue.push({&run, p, w, tier});
  };
  for (const auto& cs : streams) {
    auto saved = saved_state.find(std::string(cs.spec->name));
    const bool use_saved = cs.mode == protocol::SyncMode::Incremental && saved != saved_state.end();
    runs.push_back(std::make_unique<StreamRun>(cs.spec, cs.mode, use_saved ? saved->second : json::object()));
    if (cs.spec->report != Report::None) continue;  // runs on its own thread, below
    runs.back()->remaining = 1;  // its plan
    queue.push({runs.back().get()});
  }

  // Report streams: each on a thread of its own, paced by its endpoint's quota (2 requests a
  // minute), so they never hold up the workers the other streams need.
  auto report_thread = [&](StreamRun& run) {
    http::RetryPolicy policy = policy_;
    policy.max_retry_after = std::chrono::seconds(cfg_.reporting_max_wait_seconds);
    http::Client client(transports_(), clock_, policy, protocol::log_to(out_), 0x4e9047);
    klaviyo::Api api(client, ctx.budgets, cfg_.api_key, cfg_.base_url);
    {
      std::lock_guard<std::mutex> lock(run.mu);
      run.started = true;
      run.began = clock_.steady_now();
      out_.stream_status(run.spec->name, StreamStatus::Started);
      out_.stream_status(run.spec->name, StreamStatus::Running);
    }
    read_report_stream(ctx, api, run);
    run.requests.fetch_add(client.stats().requests, std::memory_order_relaxed);
    run.throttled.fetch_add(client.stats().throttled, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(run.mu);
    finish_stream(ctx, run);
  };
  std::vector<std::thread> report_threads;
  for (auto& run : runs)
    if (run->spec->report != Report::None) report_threads.emplace_back(report_thread, std::ref(*run));

  // Run: every worker takes items until none is left.
  auto worker = [&] {
    http::Client client(transports_(), clock_, policy_, protocol::log_to(out_),
                        std::hash<std::thread::id>{}(std::this_thread::get_id()));
    klaviyo::Api api(client, ctx.budgets, cfg_.api_key, cfg_.base_url);
    while (auto item = queue.pop()) {
      StreamRun& run = *item->run;
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
      const http::ClientStats before = client.stats();
      if (!skip) failed = work(ctx, api, *item);
      run.requests.fetch_add(client.stats().requests - before.requests, std::memory_order_relaxed);
      run.throttled.fetch_add(client.stats().throttled - before.throttled, std::memory_order_relaxed);
      {
        std::lock_guard<std::mutex> lock(run.mu);
        if (failed && !run.failure) run.failure = failed;
        if (--run.remaining == 0) finish_stream(ctx, run);
      }
      queue.done(*item);
    }
  };
  const std::size_t n = static_cast<std::size_t>(std::max(1, cfg_.num_workers));
  std::optional<Progress> progress;
  progress.emplace(ctx, runs);
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (auto& t : report_threads) t.join();
  progress.reset();

  // Stopped (SIGTERM): streams with work never started end here, with the state of what was
  // emitted and INCOMPLETE.
  for (auto& run : runs) {
    std::lock_guard<std::mutex> lock(run->mu);
    if (run->finished) continue;
    if (!run->started) {
      run->began = clock_.steady_now();
      out_.stream_status(run->spec->name, StreamStatus::Started);
    }
    if (!run->failure) run->failure = cancelled(*run);
    finish_stream(ctx, *run);
  }

  // Summarise.
  for (const auto& s : all_streams()) listings_[std::string(s.name)] = ctx.parents.listings(s.name);
  std::vector<StreamResult> results;
  for (const auto& run : runs) {
    StreamResult r;
    r.name = std::string(run->spec->name);
    r.records = out_.records_emitted(run->spec->name);
    r.pages = run->pages.load();
    r.requests = run->requests.load();
    r.throttled = run->throttled.load();
    r.tier_limit_per_minute = tier_limit_per_minute(ctx, *run);
    r.seconds = std::chrono::duration<double>(run->ended - run->began).count();
    r.failure = run->failure;
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace sk::streams
