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

constexpr int kFlowSeriesWindowDays = 60;  // the API's longest timeframe at a daily interval
constexpr int kDefaultHistoryDays = 365;   // without start_date: one year back (as Airbyte 3.x)

const std::vector<std::string_view> kCampaignStatistics = {
    "average_order_value", "bounce_rate", "bounced", "bounced_or_failed", "bounced_or_failed_rate", "click_rate",
    "click_to_open_rate", "clicks", "clicks_unique", "conversion_rate", "conversion_uniques", "conversion_value",
    "conversions", "delivered", "delivery_rate", "failed", "failed_rate", "message_segment_count_sum", "open_rate",
    "opens", "opens_unique", "recipients", "revenue_per_recipient", "spam_complaint_rate", "spam_complaints",
    "text_message_credit_usage_amount", "text_message_roi", "text_message_spend", "unsubscribe_rate",
    "unsubscribe_uniques", "unsubscribes"};
const std::vector<std::string_view> kFlowStatistics = {
    "opens", "opens_unique", "clicks", "clicks_unique", "delivered", "bounced", "bounced_or_failed",
    "bounced_or_failed_rate", "failed", "failed_rate", "conversions", "conversion_value", "conversion_rate",
    "conversion_uniques", "click_rate", "open_rate", "click_to_open_rate", "delivery_rate", "bounce_rate",
    "recipients", "revenue_per_recipient", "average_order_value"};

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
      const klaviyo::Call call = account_call();
      klaviyo::Reply r = api.get_raw(api.first_url(call), call.info);
      const json* tz = nullptr;
      if (r.status == 200 && r.doc.is_object() && r.doc.contains("data") && r.doc["data"].is_array() &&
          !r.doc["data"].empty() && r.doc["data"][0].is_object())
        if (auto a = r.doc["data"][0].find("attributes"); a != r.doc["data"][0].end() && a->is_object())
          if (auto t = a->find("timezone"); t != a->end() && t->is_string()) tz = &*t;
      cctz::time_zone zone;
      if (tz && cctz::load_time_zone(tz->get<std::string>(), &zone)) {
        ctx.timezone = tz->get<std::string>();
      } else if (r.status == 403) {
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
  const bool server_quota = f.http_status == 429 && f.retry_after_seconds > 0;
  const bool own_budget = f.daily_quota_spent;  // the connector's own budget refused (budget/rate_budget.h)
  if (!server_quota && !own_budget) return std::nullopt;
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
  out.message = std::string(spec.name) + ": Klaviyo's daily quota for POST " + std::string(spec.path) +
                " (225 requests a day) is used up after " + std::to_string(sent) + " of the " +
                std::to_string(needed) + " report requests this sync needed. Every finished window is saved in "
                "the state; the next sync resumes where this one stopped. The quota resets " + when + ".";
  return out;
}

}  // namespace

std::vector<DayWindow> day_windows(Day first, Day last, int step) {
  std::vector<DayWindow> out;
  const std::chrono::days span(std::max(1, step));
  for (Day d = first; d <= last; d += span) out.push_back({d, std::min(last, d + span - std::chrono::days(1))});
  return out;
}

int window_days(const StreamSpec& spec, const config::Config& cfg) {
  switch (spec.report) {
    case Report::None: return 0;
    case Report::CampaignValues: return cfg.campaign_values_window_days;
    case Report::FlowSeries: return kFlowSeriesWindowDays;
  }
  return 0;
}

const std::vector<std::string_view>& report_statistics(const StreamSpec& spec) {
  return spec.report == Report::FlowSeries ? kFlowStatistics : kCampaignStatistics;
}

std::string report_body(const StreamSpec& spec, std::string_view metric_id, const Timeframe& tf) {
  json attrs = {{"statistics", report_statistics(spec)},
                {"timeframe", {{"start", tf.start}, {"end", tf.end}}},
                {"conversion_metric_id", metric_id}};
  std::string type;
  switch (spec.report) {
    case Report::None:
      return {};
    case Report::CampaignValues:
      type = "campaign-values-report";
      break;
    case Report::FlowSeries:
      type = "flow-series-report";
      attrs["interval"] = "daily";
      break;
  }
  return json{{"data", {{"type", type}, {"attributes", std::move(attrs)}}}}.dump();
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

void read_report_stream(ReadContext& ctx, klaviyo::Api& api, StreamRun& run) {
  const StreamSpec& spec = *run.spec;
  const std::string name(spec.name);
  try {
    // Partitions: the metrics named in metric_ids, or every metric of the account.
    std::vector<Partition> parts;
    if (ctx.cfg.metric_ids.empty()) {
      const StreamSpec* metrics = find_stream(spec.parent);
      if (!metrics) throw system_error("Internal error: " + name + " names an unknown parent stream.");
      parts = partitions_for(spec, ctx.cfg, ctx.parents.list(*metrics, api));
    } else {
      parts = partitions_for(spec, ctx.cfg);
    }
    const int lookback = spec.report == Report::FlowSeries ? ctx.cfg.reporting_lookback_window_days : 0;
    state::StreamState state = load_state(run, parts, lookback);  // global shape (the rows' StateShape)
    const std::string& tz = account_timezone(ctx, api);
    const cctz::time_zone zone = zone_named(tz);  // once: every window's timeframe uses it
    const Day today = today_in(zone, ctx.clock.now());
    const Day yesterday = today - std::chrono::days(1);
    Day start = today - std::chrono::days(kDefaultHistoryDays);
    if (ctx.cfg.start_date) start = day_of(*ctx.cfg.start_date);

    json unsupported = state.extra("unsupported_metrics") ? *state.extra("unsupported_metrics") : json::object();
    std::vector<MetricPlan> plan;
    std::size_t needed = 0, remembered = 0;
    for (std::size_t p = 0; p < parts.size(); ++p) {
      const std::string& metric = parts[p].parent_id();
      if (auto it = unsupported.find(metric); it != unsupported.end() && ctx.cfg.metric_ids.empty()) {
        auto since = it->is_string() ? parse_datetime(it->get<std::string>()) : std::nullopt;
        if (since && day_of(*since) + std::chrono::days(kUnsupportedRetryDays) > today) {
          ++remembered;
          continue;
        }
      }
      Day first = start;
      if (auto cursor = state.get(parts[p].key)) {
        const Day next = day_of(*cursor);
        if (next >= today) continue;  // read through yesterday already (the lookback too): nothing new today
        first = std::max(start, next - std::chrono::days(lookback));
      }
      MetricPlan mp{p, day_windows(first, yesterday, window_days(spec, ctx.cfg))};
      needed += mp.windows.size();
      if (!mp.windows.empty()) plan.push_back(std::move(mp));
    }
    {
      std::lock_guard<std::mutex> lock(run.mu);
      run.partitions = parts;
      run.state = std::move(state);
      run.last_checkpoint = run.state.to_json();
      // The plan's requests as the run's windows, one per report request, for the progress lines
      // (progress.h): [first day, the midnight closing the window), marked done as they are read.
      run.windows.assign(parts.size(), {});
      for (const auto& mp : plan)
        for (const DayWindow& w : mp.windows)
          run.windows[mp.partition].emplace_back(SysTime(w.first), SysTime(w.last + std::chrono::days(1)));
      run.planned = true;
    }
    const budget::Tier& tier = budget::tier(spec.tier);
    const std::size_t today_fits = std::min<std::size_t>(needed, static_cast<std::size_t>(tier.per_day));
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s: %zu conversion metrics to read (%zu skipped as unsupported), %zu report requests needed "
                  "(windows of %s, days in %s, oldest first, round-robin across metrics); Klaviyo allows %d a "
                  "day and %d a minute: %zu fit today, about %zu minutes%s.",
                  name.c_str(), plan.size(), remembered, needed, fmt_days(window_days(spec, ctx.cfg)).c_str(),
                  tz.c_str(), tier.per_day, tier.steady_per_minute, today_fits,
                  (today_fits + tier.steady_per_minute - 1) / static_cast<std::size_t>(tier.steady_per_minute),
                  needed > today_fits ? ", the rest on later days" : "");
    ctx.out.log(LogLevel::Info, line);

    // Round-robin: every metric's oldest missing window, then every metric's next one, ...
    std::size_t sent = 0;  // report requests answered
    try {
      for (bool any = true; any;) {
        any = false;
        for (auto& mp : plan) {
          if (mp.skipped || mp.done >= mp.windows.size()) continue;
          throw_if_stopped();
          any = true;
          const DayWindow& w = mp.windows[mp.done];
          const Partition& part = run.partitions[mp.partition];
          Bounds bounds;
          bounds.timeframe = timeframe_of(w, zone);
          klaviyo::Pager pager(api, build_call(spec, ctx.cfg, part, bounds), shape_of(spec));
          try {
            while (const klaviyo::Page* page = pager.next()) {
              run.pages.fetch_add(1, std::memory_order_relaxed);
              emit_results(ctx, spec, part.parent_id(), w, *page);
            }
          } catch (const klaviyo::PartitionSkipped& skipped) {
            ctx.out.log(LogLevel::Info, name + ": metric " + part.parent_id() + ": " + skipped.message +
                                            " It is not asked again for " +
                                            fmt_days(kUnsupportedRetryDays) + " (or name it in metric_ids).");
            mp.skipped = true;
            ++sent;
            unsupported[part.parent_id()] = date_label(today);
            std::lock_guard<std::mutex> lock(run.mu);
            // This request was answered; the metric's later ones are no longer planned.
            auto& planned = run.windows[mp.partition];
            planned.erase(planned.begin() + static_cast<std::ptrdiff_t>(mp.done) + 1, planned.end());
            run.windows[mp.partition][mp.done].done = true;
            run.state.set_extra("unsupported_metrics", unsupported);
            run.checkpoint(ctx.out);
            continue;
          }
          std::lock_guard<std::mutex> lock(run.mu);
          run.windows[mp.partition][mp.done].done = true;
          ++mp.done;
          ++sent;
          run.state.advance(part.key, SysTime(w.last + std::chrono::days(1)));
          run.checkpoint(ctx.out);
        }
      }
    } catch (const SourceError& e) {
      auto quota = quota_failure(spec, e.failure(), sent, needed, ctx.clock.now());
      throw SourceError(quota ? *quota : e.failure());
    }
  } catch (const SourceError& e) {
    std::lock_guard<std::mutex> lock(run.mu);
    if (!run.failure) run.failure = e.failure();
  } catch (const Cancelled&) {
    std::lock_guard<std::mutex> lock(run.mu);
    if (!run.failure) run.failure = cancelled(run);
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(run.mu);
    if (!run.failure) run.failure = Failure{FailureType::System, "Unexpected error while reading " + name + ".",
                                            e.what(), 0, -1};
  }
}

}  // namespace sk::streams
