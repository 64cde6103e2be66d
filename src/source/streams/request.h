// Every request the connector sends for a stream is built here, from (row, partition, window):
// method, path with its parent id filled in, filter / sort / page size / fixed parameters, request
// hooks (which may change the tier), rate tier, scope and the kind of call for the status table.
// The planner (first request, oldest-record probe, parent listings), the window reader and
// `check`'s probes all use it, so a request is never assembled in two places.
//   events, window [2024-01-01, 2024-01-08):
//     GET /api/events?filter=and(greater-or-equal(datetime,2024-01-01T00:00:00Z),
//         less-than(datetime,2024-01-08T00:00:00Z))&sort=datetime&page[size]=1000
//   flow_messages, partition of flow action A1:  GET /api/flow-actions/A1/flow-messages?...
//   flow_series_reports, metric M1, June:  POST /api/flow-series-reports {"data":{"type":
//     "flow-series-report","attributes":{"statistics":[...],"timeframe":{"start":...,"end":...},
//     "interval":"daily","conversion_metric_id":"M1"}}}
// Thread-safe: pure functions.
#pragma once

#include <optional>
#include <string>

#include "source/config/config.h"
#include "core/klaviyo/api.h"
#include "core/klaviyo/page.h"
#include "source/streams/partitions.h"
#include "source/streams/stream_spec.h"
#include "core/util/clock.h"

namespace sk::streams {

// Timeframe of a report request: local wall-clock times in the account's timezone, both ends
// inclusive, e.g. {"2024-06-01T00:00:00-04:00", "2024-06-30T23:59:59-04:00"}.
struct Timeframe {
  std::string start;
  std::string end;
};

// A half-open slice [start, end) of a partition's cursor range; none = unbounded on that side.
// Report rows use `timeframe` instead.
struct Bounds {
  std::optional<SysTime> start;
  std::optional<SysTime> end;
  Timeframe timeframe = {};
};

klaviyo::Call build_call(const StreamSpec& spec, const config::Config& cfg, const Partition& part, Bounds bounds);

// The same call asking for one record per page (check's probes, the oldest-record probe).
klaviyo::Call one_record(klaviyo::Call call);

// GET /api/accounts (XS tier, accounts:read): the account's timezone for the report streams; also
// one of check's probes.
klaviyo::Call account_call();

// The page shape a row's endpoint answers with.
klaviyo::Shape shape_of(const StreamSpec& spec);

}  // namespace sk::streams
