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

// The reporting API's request bodies (streams/reports.h builds them).
enum class Report {
  None,            // a GET
  CampaignValues,  // POST campaign-values-report: 31 statistics, windows of config.campaign_values_window_days
  FlowSeries,      // POST flow-series-report, interval daily: 22 statistics, 60-day windows (the API's longest)
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
  ProfileAdditionalFields,  // additional-fields[profile]=subscriptions[,predictive_analytics]; tier M with predictive
  CampaignChannel,          // attributes.channel = the partition's channel
  MergeIncluded,            // relationships.<rel>.data items get the attributes of the matching included[] item
  SuppressedOnly,           // keep profiles with an email suppression; rename suppression -> suppressions
  ProfileId,                // profile_id = id (membership rows name the profile explicitly)
  CampaignDetails,          // two GETs per campaign: estimated_recipient_count and campaign_messages
};

struct Param {
  std::string_view key;
  std::string_view value;
};

struct StreamSpec {
  std::string_view name = {};
  std::string_view path = {};               // e.g. "/api/events"
  std::string_view scope = {};              // read scope: "events" for events:read
  budget::TierId tier = budget::TierId::L;
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
  Report report = Report::None;
  std::span<const Hook> hooks = {};
  bool lookback = false;                 // config.lookback_window days are re-read on incremental syncs
  int window_days = 0;                   // > 0: split the range into windows of about this many days,
                                         // read in parallel (rows with `upper` and a server-side filter)

  bool incremental() const { return !cursor_field.empty(); }
  bool has_hook(Hook h) const {
    for (Hook x : hooks) if (x == h) return true;
    return false;
  }
};

// Every stream, in the order read and discover list them.
std::span<const StreamSpec> all_streams();
const StreamSpec* find_stream(std::string_view name);

}  // namespace sk::streams
