// Progress lines (see progress.h).
#include "source/streams/progress.h"

#include <algorithm>
#include <cstdio>


namespace sk::streams {

namespace {

// Its final STATE and status are out.
bool over(const StreamRun& run) { return run.finished; }

}  // namespace

double percent_done(const StreamRun& run) {
  if (!run.planned) return 0;
  if (over(run)) return 100;
  using Sec = std::chrono::duration<double>;
  double span = 0, read = 0;
  std::size_t windows = 0, done = 0;
  for (const auto& part : run.windows)
    for (const Window& w : part) {
      ++windows;
      if (w.done) ++done;
      if (!w.start || !w.end) continue;
      const double len = Sec(*w.end - *w.start).count();
      if (len <= 0) continue;
      span += len;
      if (w.done) read += len;
      else if (w.max_seen) read += std::clamp(Sec(*w.max_seen - *w.start).count(), 0.0, len);
    }
  // Windows without bounds (one per report request, reports.cpp): the share of windows done.
  if (span > 0) return 100.0 * read / span;
  return windows == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(windows);
}

double tier_limit_per_minute(ReadContext& ctx, const StreamRun& run) {
  return ctx.budgets.get(run.tier).steady_per_minute();
}

Progress::Progress(ReadContext& ctx, const std::vector<std::unique_ptr<StreamRun>>& runs)
    : ctx_(ctx), runs_(runs), thread_([this] { loop(); }) {}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Progress::loop() {
  // Real time, not the injected clock: the lines are for a person watching the sync.
  const auto every = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(std::max(1.0, ctx_.cfg.progress_seconds)));
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (cv_.wait_for(lock, every, [&] { return stop_; })) return;
    lock.unlock();
    for (const auto& run : runs_) {
      double elapsed = 0;
      {
        std::lock_guard<std::mutex> run_lock(run->mu);
        if (!run->started || over(*run)) continue;
        elapsed = std::chrono::duration<double>(ctx_.clock.steady_now() - run->began).count();
      }
      report(*run, elapsed);
    }
    lock.lock();
  }
}

std::string progress_line(ReadContext& ctx, StreamRun& run, double elapsed_s) {
  double pct;
  std::size_t windows = 0, done = 0;
  const budget::RateBudget* live = nullptr;
  {
    std::lock_guard<std::mutex> lock(run.mu);
    live = run.own_budget;
    pct = percent_done(run);
    for (const auto& part : run.windows)
      for (const Window& w : part) {
        ++windows;
        if (w.done) ++done;
      }
  }
  std::uint64_t requests = run.requests.load(), throttled = run.throttled.load();
  if (live) {
    requests = std::max(requests, live->requests());
    throttled = std::max(throttled, live->throttles());
  }
  const auto records = ctx.out.records_emitted(run.spec->name);
  char line[320];
  std::snprintf(line, sizeof line,
                "progress: stream=%.*s records=%llu pages=%llu records_per_s=%.0f requests=%llu 429s=%llu "
                "done=%.1f%% (%.*s %zu/%zu done)",
                static_cast<int>(run.spec->name.size()), run.spec->name.data(),
                static_cast<unsigned long long>(records), static_cast<unsigned long long>(run.pages.load()),
                elapsed_s > 0 ? static_cast<double>(records) / elapsed_s : 0.0,
                static_cast<unsigned long long>(requests), static_cast<unsigned long long>(throttled), pct,
                static_cast<int>(run.progress_unit.size()), run.progress_unit.data(), done, windows);
  return line;
}

void Progress::report(StreamRun& run, double elapsed_s) {
  ctx_.out.log(protocol::LogLevel::Info, progress_line(ctx_, run, elapsed_s));
}

}  // namespace sk::streams
