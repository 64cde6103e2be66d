// The report streams (rows with a ReportSpec: campaign_values_reports, flow_series_reports): the
// reading that makes them more than a row. What each request asks (type, statistics, interval,
// days per window) is the row's ReportSpec; its quota is the row's tier (budget/tiers.cpp).
//   POST /api/campaign-values-reports, POST /api/flow-series-reports: one conversion metric and one
//   custom timeframe per request; Klaviyo reads the timeframe's wall-clock times in the account's
//   timezone (GET /api/accounts), ignores the offset sent, and counts both ends. Each endpoint
//   allows 1 request a second, 2 a minute and 225 a day.
// So the connector works in whole local days: a window is [first day 00:00:00, last day 23:59:59],
// consecutive windows neither overlap nor leave a gap, and the last one ends with yesterday (the
// last complete day). A metric's cursor `date` is the first day not read yet (Airbyte's shape:
// "2024-06-15T00:00:00+00:00", the midnight that closes the last window read), so a second sync on
// the same day sends nothing. Windows: campaign values config.campaign_values_window_days (30, as
// Airbyte: the same keys), flow series 60 days (the API's longest at a daily interval) with
// config.reporting_lookback_window days re-read on the first sync of a day.
// The quota planner spends requests round-robin across metrics, oldest missing window first, so
// every metric moves each day; it logs the plan and publishes it as the run's windows, one per report
// request, which the progress lines count (progress.h); a metric Klaviyo cannot report on (HTTP 400 "does
// not support querying for values data") is skipped and remembered in state for
// kUnsupportedRetryDays; a spent daily quota (429 with a Retry-After beyond
// config.reporting_max_wait_seconds) stops the stream cleanly with every finished window's state
// saved and a transient error saying when the quota resets.
// Records: campaign values one per grouping per window, `date` = the midnight closing the window;
// flow series one per grouping per day (statistics arrays split by index of date_times; a short
// array gives null), `date` = that day's entry of date_times. Groupings and conversion_metric_id
// are copied to the top level; `groupings` and `statistics` are kept.
// Thread-safety: read_report_stream runs on its own thread per report stream (see engine.cpp);
// it shares the emitter, budgets and parent listings, which are thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <cctz/time_zone.h>

#include "core/klaviyo/api.h"
#include "source/streams/request.h"
#include "source/streams/run.h"

namespace sk::streams {

// Days after which a metric remembered as unsupported is tried again (sooner when the user names
// it in metric_ids).
inline constexpr int kUnsupportedRetryDays = 30;

using Day = std::chrono::sys_days;  // a calendar date (in the account's timezone)

// An inclusive range of whole days.
struct DayWindow {
  Day first;
  Day last;
};

// Windows of `step` days from `first` to `last` (inclusive), in order; none when first > last.
std::vector<DayWindow> day_windows(Day first, Day last, int step);

// The timezone named `name` (an IANA name; UTC when it cannot be loaded). Loaded once per read
// (read_report_stream) and passed down: cctz looks names up in a locked, process-wide registry.
cctz::time_zone zone_named(const std::string& name);

// Local wall-clock times of a window in timezone `tz`.
Timeframe timeframe_of(const DayWindow& w, const cctz::time_zone& tz);

// Today's date in timezone `tz` at instant `now`.
Day today_in(const cctz::time_zone& tz, SysTime now);

// Plans (partitions = metrics, state, the account's days, the quota) and reads a whole report
// stream round-robin across metrics, emitting its records and checkpoints, and keeping
// run.requests / run.throttled current. Sets run.failure instead of throwing.
void read_report_stream(ReadContext& ctx, klaviyo::Api& api, StreamRun& run);

}  // namespace sk::streams
