// The report streams (see reports.h): days in the account's timezone, the quota plan, and turning
// report responses into records.
#include "source/streams/reports.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include "core/klaviyo/pager.h"
#include "source/streams/planner.h"
#include "core/util/datetime.h"
#include "core/util/stop.h"

namespace sk::streams {

using nlohmann::json;
using protocol::LogLevel;

namespace {

cctz::civil_day civil(Day d) {
  const std::chrono::year_month_day ymd(d);
  return cctz::civil_day(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                         static_cast<unsigned>(ymd.day()));
}

// "2024-06-15T00:00:00+00:00": a date as Airbyte writes report cursors and campaign-values dates.
std::string date_label(Day d) { return format_iso(SysTime(d)); }

Day day_of(SysTime t) { return std::chrono::floor<std::chrono::days>(t); }

std::string fmt_days(long long n) { return std::to_string(n) + (n == 1 ? " day" : " days"); }

// The account's timezone (GET /api/accounts), once per read. A key without accounts:read, or a
// timezone this machine does not know, falls back to UTC with a warning.
const std::string& account_timezone(ReadContext& ctx, klaviyo::Api& api) {
  std::call_once(ctx.timezone_once, [&] {
    std::string why;
    try {
      klaviyo::Call call = account_call();
      call.kind = klaviyo::CallKind::Probe;
      klaviyo::Reply r = api.get_raw(api.first_url(call), call.info);
      const bool ok = r.status >= 200 && r.status < 300;
      const json* tz = nullptr;
      if (r.status == 200 && r.doc.is_object() && r.doc.contains("data") && r.doc["data"].is_array() &&
          !r.doc["data"].empty() && r.doc["data"][0].is_object())
        if (auto a = r.doc["data"][0].find("attributes"); a != r.doc["data"][0].end() && a->is_object())
          if (auto t = a->find("timezone"); t != a->end() && t->is_string()) tz = &*t;
      cctz::time_zone zone;
      if (tz && cctz::load_time_zone(tz->get<std::string>(), &zone)) {
        ctx.timezone = tz->get<std::string>();
      } else if (!ok && klaviyo::judge(r.status, r.doc, "GET " + call.path, call.info.scope, call.kind).action ==
                            klaviyo::Action::MissingScope) {
        why = "the API key lacks the accounts:read scope";
      } else if (tz) {
        why = "its timezone '" + tz->get<std::string>() + "' is unknown to this machine";
      } else {
        why = "GET /api/accounts answered HTTP " + std::to_string(r.status);
      }
    } catch (const SourceError& e) {
      why = e.failure().message;
    }
    if (ctx.timezone.empty()) {
      ctx.timezone = "UTC";
      ctx.out.log(LogLevel::Warn, "Report streams: could not read the account's timezone (" + why +
                                      "); day windows are taken in UTC. Klaviyo reads report timeframes in the "
                                      "account's timezone, so days are split at UTC midnight instead; grant "
                                      "accounts:read to fix this.");
    }
  });
  return ctx.timezone;
}

// One metric's share of the plan.
struct MetricPlan {
  std::size_t partition;
  std::vector<DayWindow> windows;
  std::size_t done = 0;
  bool skipped = false;
};

// A report stream's plan for this read: per metric, the windows it still needs, oldest first.
struct ReportPlan {
  std::string tz;           // the account's timezone name
  cctz::time_zone zone;     // loaded once: every window's timeframe uses it
  Day today;
  std::vector<MetricPlan> metrics;
  std::size_t needed = 0;      // report requests the plan holds
  std::size_t remembered = 0;  // metrics skipped as unsupported (state's unsupported_metrics)
  nlohmann::json unsupported;  // metric id -> the day it was found unsupported
  std::size_t sent = 0;        // report requests answered so far
};

// Makes the record(s) of one report result.
void emit_results(ReadContext& ctx, const StreamSpec& spec, const std::string& metric, const DayWindow& w,
                  const klaviyo::Page& page) {
  const std::string closing = date_label(w.last + std::chrono::days(1));
  for (simdjson::dom::element item : page.data) {
    json result = json::parse(klaviyo::to_json_text(item));
    json groupings = result.value("groupings", json::object());
    json stats = result.value("statistics", json::object());
    if (!groupings.is_object()) groupings = json::object();
    if (!stats.is_object()) stats = json::object();
    json base = json::object();
    for (const auto& [k, v] : groupings.items()) base[k] = v;
    base["conversion_metric_id"] = metric;
    base["groupings"] = groupings;
    if (spec.records == Records::ReportResults) {
      json rec = base;
      rec["date"] = closing;
      rec["statistics"] = stats;
      ctx.out.record(spec.name, rec);
      continue;
    }
    for (std::size_t i = 0; i < page.date_times.size(); ++i) {  // SeriesPerDay
      json rec = base;
      rec["date"] = std::string(page.date_times[i]);
      json day = json::object();
      for (const auto& [k, v] : stats.items()) day[k] = v.is_array() && i < v.size() ? v[i] : json(nullptr);
      rec["statistics"] = std::move(day);
      ctx.out.record(spec.name, rec);
    }
  }
}

// The failure for a stream stopped by the reporting quota, or nullopt for any other failure.
std::optional<Failure> quota_failure(const StreamSpec& spec, const Failure& f, std::size_t sent, std::size_t needed,
                                     SysTime now) {
  if (!klaviyo::quota_spent(f)) return std::nullopt;
  std::string when;
  if (f.retry_after_seconds > 0) {  // Klaviyo's Retry-After, or when the own budget's day has room
    const long long s = f.retry_after_seconds;
    char buf[96];
    std::snprintf(buf, sizeof buf, "in about %lld h %02lld min (around %s)", s / 3600, (s % 3600) / 60,
                  format_iso(floor_seconds(now) + std::chrono::seconds(s)).c_str());
    when = buf;
  } else {
    when = "within a day";
  }
  Failure out = f;
  out.type = FailureType::Transient;
  out.message = std::string(spec.name) + ": Klaviyo's daily quota for POST " + std::string(spec.path) + " (" +
                std::to_string(budget::tier(spec.tier).per_day) + " requests a day) is used up after " +
                std::to_string(sent) + " of the " + std::to_string(needed) +
                " report requests this sync needed. Every finished window is saved in "
                "the state; the next sync resumes where this one stopped. The quota resets " + when + ".";
  return out;
}

// Days per request of a report row: its own, or config.campaign_values_window_days.
int window_days(const StreamSpec& spec, const config::Config& cfg) {
  return spec.report->window_days > 0 ? spec.report->window_days : cfg.campaign_values_window_days;
}

}  // namespace

std::vector<DayWindow> day_windows(Day first, Day last, int step) {
  std::vector<DayWindow> out;
  const std::chrono::days span(std::max(1, step));
  for (Day d = first; d <= last; d += span) out.push_back({d, std::min(last, d + span - std::chrono::days(1))});
  return out;
}

cctz::time_zone zone_named(const std::string& name) {
  cctz::time_zone tz;
  if (name.empty() || !cctz::load_time_zone(name, &tz)) tz = cctz::utc_time_zone();
  return tz;
}

Timeframe timeframe_of(const DayWindow& w, const cctz::time_zone& tz) {
  const auto first = cctz::convert(cctz::civil_second(civil(w.first)), tz);
  const cctz::civil_day last = civil(w.last);
  const auto end = cctz::convert(cctz::civil_second(last.year(), last.month(), last.day(), 23, 59, 59), tz);
  return {cctz::format("%Y-%m-%dT%H:%M:%S%Ez", first, tz), cctz::format("%Y-%m-%dT%H:%M:%S%Ez", end, tz)};
}

Day today_in(const cctz::time_zone& tz, SysTime now) {
  const cctz::civil_day d = cctz::civil_day(cctz::convert(std::chrono::time_point_cast<std::chrono::seconds>(now), tz));
  return std::chrono::sys_days(std::chrono::year_month_day(std::chrono::year(static_cast<int>(d.year())),
                                                           std::chrono::month(static_cast<unsigned>(d.month())),
                                                           std::chrono::day(static_cast<unsigned>(d.day()))));
}

namespace {

// Whether metric `id`, remembered as unsupported, is still skipped today (retried after
// kUnsupportedRetryDays, or at once when the user names it in metric_ids).
bool still_unsupported(const ReadContext& ctx, const ReportPlan& plan, const std::string& id) {
  auto it = plan.unsupported.find(id);
  if (it == plan.unsupported.end() || !ctx.cfg.metric_ids.empty()) return false;
  auto since = it->is_string() ? parse_datetime(it->get<std::string>()) : std::nullopt;
  return since && day_of(*since) + std::chrono::days(kUnsupportedRetryDays) > plan.today;
}

// Per metric, the windows from its cursor (less the lookback) or the stream's start through yesterday.
void plan_metrics(ReadContext& ctx, const StreamSpec& spec, const std::vector<Partition>& parts,
                  const state::StreamState& state, ReportPlan& plan) {
  const int lookback = spec.report->lookback ? ctx.cfg.reporting_lookback_window_days : 0;
  const std::optional<SysTime> configured = configured_start(spec, ctx.cfg);
  const Day start = configured ? day_of(*configured) : plan.today - std::chrono::days(spec.default_history_days);
  const Day yesterday = plan.today - std::chrono::days(1);
  for (std::size_t p = 0; p < parts.size(); ++p) {
    if (still_unsupported(ctx, plan, parts[p].parent_id())) {
      ++plan.remembered;
      continue;
    }
    Day first = start;
    if (auto cursor = state.get(parts[p].key)) {
      const Day next = day_of(*cursor);
      if (next >= plan.today) continue;  // read through yesterday already (the lookback too): nothing new today
      first = std::max(start, next - std::chrono::days(lookback));
    }
    MetricPlan mp{p, day_windows(first, yesterday, window_days(spec, ctx.cfg))};
    plan.needed += mp.windows.size();
    if (!mp.windows.empty()) plan.metrics.push_back(std::move(mp));
  }
}

// Publishes partitions, state and the plan's requests as the run's windows, one per report request
// and without bounds (progress counts them), marked done as they are answered.
void publish_plan(StreamRun& run, std::vector<Partition> parts, state::StreamState state, const ReportPlan& plan) {
  std::lock_guard<std::mutex> lock(run.mu);
  run.partitions = std::move(parts);
  run.state = std::move(state);
  run.last_checkpoint = run.state.to_json();
  run.windows.assign(run.partitions.size(), {});
  for (const auto& mp : plan.metrics)
    for (std::size_t i = 0; i < mp.windows.size(); ++i) run.windows[mp.partition].emplace_back(std::nullopt, std::nullopt);
  run.planned = true;
}

void log_plan(ReadContext& ctx, const StreamSpec& spec, const ReportPlan& plan) {
  const budget::Tier& tier = budget::tier(spec.tier);
  const std::size_t today_fits = std::min<std::size_t>(plan.needed, static_cast<std::size_t>(tier.per_day));
  char line[512];
  std::snprintf(line, sizeof line,
                "%.*s: %zu conversion metrics to read (%zu skipped as unsupported), %zu report requests needed "
                "(windows of %s, days in %s, oldest first, round-robin across metrics); Klaviyo allows %d a "
                "day and %d a minute: %zu fit today, about %zu minutes%s.",
                static_cast<int>(spec.name.size()), spec.name.data(), plan.metrics.size(), plan.remembered,
                plan.needed, fmt_days(window_days(spec, ctx.cfg)).c_str(), plan.tz.c_str(), tier.per_day,
                tier.steady_per_minute, today_fits,
                (today_fits + tier.steady_per_minute - 1) / static_cast<std::size_t>(tier.steady_per_minute),
                plan.needed > today_fits ? ", the rest on later days" : "");
  ctx.out.log(LogLevel::Info, line);
}

// Plans a report stream: partitions = metrics, their state, the account's days, the windows.
ReportPlan plan_report_stream(ReadContext& ctx, klaviyo::Api& api, StreamRun& run) {
  const StreamSpec& spec = *run.spec;
  std::vector<Partition> parts = partitions_of(spec, ctx.cfg, ctx.parents, api);
  state::StreamState state = load_state(run, parts, spec.report->lookback ? ctx.cfg.reporting_lookback_window_days : 0);
  ReportPlan plan;
  plan.tz = account_timezone(ctx, api);
  plan.zone = zone_named(plan.tz);
  plan.today = today_in(plan.zone, ctx.clock.now());
  const json* remembered = state.extra("unsupported_metrics");
  plan.unsupported = remembered ? *remembered : json::object();
  plan_metrics(ctx, spec, parts, state, plan);
  publish_plan(run, std::move(parts), std::move(state), plan);
  log_plan(ctx, spec, plan);
  return plan;
}

// The run's requests and 429s: every call of this stream went through `api`'s client (its own
// thread's). Until then the progress lines read its tier's budget (run.own_budget).
void count_requests(StreamRun& run, const klaviyo::Api& api) {
  run.requests.store(api.stats().requests, std::memory_order_relaxed);
  run.throttled.store(api.stats().throttled, std::memory_order_relaxed);
}

// Reads metric `mp`'s oldest missing window: its records, then its checkpoint. A metric Klaviyo
// cannot report on is skipped and remembered in state; its later requests are no longer planned.
void read_next_window(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, ReportPlan& plan, MetricPlan& mp) {
  const StreamSpec& spec = *run.spec;
  const DayWindow& w = mp.windows[mp.done];
  const Partition& part = run.partitions[mp.partition];
  Bounds bounds;
  bounds.timeframe = timeframe_of(w, plan.zone);
  klaviyo::Pager pager(api, build_call(spec, ctx.cfg, part, bounds), shape_of(spec));
  try {
    while (const klaviyo::Page* page = pager.next()) {
      run.pages.fetch_add(1, std::memory_order_relaxed);
      emit_results(ctx, spec, part.parent_id(), w, *page);
    }
  } catch (const klaviyo::PartitionSkipped& skipped) {
    ctx.out.log(LogLevel::Info, std::string(spec.name) + ": metric " + part.parent_id() + ": " + skipped.message +
                                    " It is not asked again for " + fmt_days(kUnsupportedRetryDays) +
                                    " (or name it in metric_ids).");
    mp.skipped = true;
    ++plan.sent;
    plan.unsupported[part.parent_id()] = date_label(plan.today);
    std::lock_guard<std::mutex> lock(run.mu);
    auto& planned = run.windows[mp.partition];
    planned.erase(planned.begin() + static_cast<std::ptrdiff_t>(mp.done) + 1, planned.end());
    planned[mp.done].done = true;
    run.state.set_extra("unsupported_metrics", plan.unsupported);
    run.checkpoint(ctx.out);
    return;
  }
  std::lock_guard<std::mutex> lock(run.mu);
  run.windows[mp.partition][mp.done].done = true;
  ++mp.done;
  ++plan.sent;
  run.state.advance(part.key, SysTime(w.last + std::chrono::days(1)));
  run.checkpoint(ctx.out);
}

// Round-robin: every metric's oldest missing window, then every metric's next one, ... so every
// metric moves each day however small the quota. A spent quota becomes a failure that says when it resets.
void read_round_robin(ReadContext& ctx, klaviyo::Api& api, StreamRun& run, ReportPlan& plan) {
  try {
    for (bool any = true; any;) {
      any = false;
      for (auto& mp : plan.metrics) {
        if (mp.skipped || mp.done >= mp.windows.size()) continue;
        throw_if_stopped();
        any = true;
        read_next_window(ctx, api, run, plan, mp);
      }
    }
  } catch (const SourceError& e) {
    auto quota = quota_failure(*run.spec, e.failure(), plan.sent, plan.needed, ctx.clock.now());
    throw SourceError(quota ? *quota : e.failure());
  }
}

}  // namespace

void read_report_stream(ReadContext& ctx, klaviyo::Api& api, StreamRun& run) {
  {
    std::lock_guard<std::mutex> lock(run.mu);
    run.own_budget = &ctx.budgets.get(run.tier);
  }
  std::optional<Failure> failed = guarded(run, [&] {
    ReportPlan plan = plan_report_stream(ctx, api, run);
    read_round_robin(ctx, api, run, plan);
  });
  count_requests(run, api);
  std::lock_guard<std::mutex> lock(run.mu);
  if (failed && !run.failure) run.failure = std::move(failed);
}

}  // namespace sk::streams
