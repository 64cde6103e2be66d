// A stream is a row of data: which endpoint, which keys, which cursor and how it is filtered,
// page size, rate tier, partitions and named hooks. The engine (streams/engine.h) turns a row plus
// the incoming state into requests. Add a stream by adding a row to stream_table.cpp and a schema
// file schemas/<name>.json — not a class.
// Thread-safe: rows are immutable constants.
#pragma once

#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/budget/rate_budget.h"

namespace sk::streams {

// How the lower bound of an incremental window is sent to Klaviyo.
enum class Lower {
  None,  // no server-side filter on the cursor: the engine drops older records itself
  Gt,    // greater-than(field, cursor - 1 s): the field allows only strict comparison
  Ge,    // greater-or-equal(field, cursor)
};

enum class Partitioning {
  None,
  Archived,         // archived true / false (flows)
  ChannelArchived,  // messages.channel email/sms/mobile_push x archived (campaigns)
  EventMetrics,     // one partition per config.event_metric_ids, or none when empty (events)
  Parent,           // one partition per record of the `parent` stream (which may itself have a
                    // parent); the path has {parent_id}
  ReportMetrics,    // one partition per conversion metric: config.metric_ids, or every record of
                    // `parent` (metrics) when it is empty (report streams)
};

// Where a response's records are.
enum class Records {
  List,    // data[] of a collection; `data` must be an array
  Single,  // the one resource of GET /api/lists/{id}; `data` must be an object
  ReportResults,  // data.attributes.results[*]: one record per grouping (campaign values reports)
  SeriesPerDay,   // data.attributes.results[*] x date_times[*]: one record per grouping per day
};

// What a reporting-API row asks for (streams/reports.h reads it; request.cpp builds its body):
// POST {path} {"data":{"type":<type>,"attributes":{"statistics":[...],"timeframe":{...},
// ["interval":<interval>,]"conversion_metric_id":<metric>}}}. Its daily quota is its tier's per_day.
struct ReportSpec {
  std::string_view type;                         // JSON:API type of the body: "flow-series-report"
  std::span<const std::string_view> statistics;  // the statistics asked, in order (Airbyte's lists)
  std::string_view interval = {};                // "daily" for series reports; "" = none
  int window_days = 0;                           // days per request; 0 = config.campaign_values_window_days
  bool lookback = false;                         // config.reporting_lookback_window days are re-read
};

// Whether config.start_date bounds a row's records.
enum class StartDate {
  Honoured,  // records before start_date are not read (server-side filter or dropped client-side)
  Ignored,   // every record is read (metrics: definitions older than start_date are still needed)
};

// Why a row's scope matters to `check` (cli/check.cpp).
enum class ScopeNeed {
  Required,  // check FAILS when the key lacks it
  Optional,  // check SUCCEEDS with a warning naming the streams that will fail (tags)
};

// The shape of the stream's state (see state/stream_state.h).
enum class StateShape {
  Flat,          // {"updated": "..."}
  PerPartition,  // {"states": [{"partition": {...}, "cursor": {...}}, ...]}
  Global,        // PerPartition plus {"state": {<min cursor>}, "use_global_cursor": false, "lookback_window": N};
                 // flat when the stream has a single partition without a key (events without metric ids)
};

// Named escape hatches: the few places where a stream is more than its row.
enum class Hook {
  CampaignChannel,          // attributes.channel = the partition's channel
  MergeIncluded,            // relationships.<rel>.data items get the attributes of the matching included[] item
  SuppressedOnly,           // keep profiles with an email suppression; rename suppression -> suppressions
  ProfileId,                // profile_id = id (membership rows name the profile explicitly)
  CampaignDetails,          // two GETs per campaign, at the row's tier and scope: detail_path's
                            // estimated_recipient_count, and the campaign-messages relationship link
};

struct Param {
  std::string_view key;
  std::string_view value;
};

struct StreamSpec {
  std::string_view name = {};
  std::string_view path = {};               // e.g. "/api/events"
  std::string_view scope = {};              // read scope: "events" for events:read
  ScopeNeed scope_need = ScopeNeed::Required;
  budget::TierId tier = budget::TierId::L;
  // Predictive analytics (profiles): unless config.disable_fetching_predictive_analytics, the row
  // sends `predictive_params` instead of `params` and is read at `predictive_tier` (Klaviyo serves
  // predictive_analytics at a lower limit). Empty: the row has no such option.
  std::span<const Param> predictive_params = {};
  budget::TierId predictive_tier = budget::TierId::L;
  std::string_view primary_key = "id";     // comma-separated for a composite key: "list_id,profile_id"
  std::string_view cursor_field = {};       // top-level cursor, copied from attributes.<cursor_field>; "" = none
  Lower lower = Lower::Ge;               // lower bound of the window
  bool upper = true;                     // add less-than(field, sync start): half-open windows [lower, now)
  bool sorted = true;                    // sort=<cursor_field>: checkpoint after every page
  int page_size = 0;                     // page[size] to send; 0 = none (the endpoint has no such parameter)
  std::span<const Param> params = {};    // fixed extra query parameters
  Partitioning partitions = Partitioning::None;
  std::string_view parent = {};          // Partitioning::Parent: the stream whose ids partition this one
  std::string_view parent_key = {};      // ... and the field naming the parent id, in state and in records
                                         // (records also carry their ancestors' keys: flow_messages has
                                         // flow_id from flow_actions' row and flow_action_id from its own)
  std::string_view detail_key = {};      // instead of parent_key, for rows whose record IS the parent
                                         // resource (lists_detailed: GET /api/lists/{id}): the field naming
                                         // the parent id in state only (the record's own id is that id), and
                                         // a parent whose cursor is at or before the partition's lower bound
                                         // (saved cursor, or start_date) is not read at all (its detail could
                                         // only be old)
  Records records = Records::List;
  StateShape state = StateShape::Flat;
  const ReportSpec* report = nullptr;    // a reporting-API row (POST, one metric and timeframe per call)
  StartDate start_date = StartDate::Honoured;
  int default_history_days = 0;          // without start_date: read this many days back; 0 = all history
  std::string_view detail_path = {};     // Hook::CampaignDetails: the per-record GET, {id} = the record's id
  std::span<const Hook> hooks = {};
  bool lookback = false;                 // config.lookback_window days are re-read on incremental syncs
  int window_days = 0;                   // > 0: split the range into windows of about this many days,
                                         // read in parallel (rows with `upper` and a server-side filter)

  bool incremental() const { return !cursor_field.empty(); }
  // Whether the row sends predictive_params, and the tier it is read at, under `disable_predictive`
  // (config.disable_fetching_predictive_analytics).
  bool predictive_for(bool disable_predictive) const { return !predictive_params.empty() && !disable_predictive; }
  budget::TierId tier_for(bool disable_predictive) const {
    return predictive_for(disable_predictive) ? predictive_tier : tier;
  }
  bool has_hook(Hook h) const {
    for (Hook x : hooks) if (x == h) return true;
    return false;
  }
};

// Every stream, in the order read and discover list them.
std::span<const StreamSpec> all_streams();
const StreamSpec* find_stream(std::string_view name);

}  // namespace sk::streams
