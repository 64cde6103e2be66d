// The stream table (revision 2026-07-15). Each row states only what differs from StreamSpec's
// defaults. Filter operators, sort fields and page-size caps per endpoint come from Klaviyo's
// OpenAPI spec (x-klaviyo-filters, page[size] maximum) as summarised in
// the project's reference notes on the Klaviyo API (§2–§4):
//   /api/metrics    no filter on updated, no sort, no page[size] (200/page fixed)   M tier
//   /api/lists      updated: greater-than only; sort updated; page[size] max 10      L tier
//   /api/segments   updated: greater-than only; sort updated; page[size] max 10      L tier
//   /api/templates  updated: gt/ge/lt/le; sort updated; page[size] max 10           L tier
//   /api/flows      updated: gt/ge/lt/le; archived equals; page[size] max 50        S tier
//   /api/campaigns  updated_at: gt/ge/lt/le; messages.channel REQUIRED; max 100     M tier
//   /api/profiles   updated: greater-than / less-than only; page[size] max 100      L tier (M with predictive)
//   /api/events     datetime: gt/ge/lt/le; metric_id equals; page[size] max 1000    XL tier
//   /api/tags       name filters only; page[size] max 50                             S tier
//   /api/lists/{id}/profiles, /api/segments/{id}/profiles
//                   joined_group_at: gt/ge/lt/le; sort joined_group_at; max 100       L tier
//   /api/flows/{id}/flow-actions  updated: gt/ge/lt/le; sort updated; max 50         S tier
//   /api/campaigns/{id}/campaign-messages  no filter, sort or paging parameters      M tier
//   /api/lists/{id}?additional-fields[list]=profile_count  one resource             XS tier (1/s, 15/min)
//   /api/campaign-recipient-estimations/{id}  one resource (campaigns_detailed hook) M tier
//   /api/flow-actions/{id}/flow-messages  updated: gt/ge/lt/le; sort updated; max 50 S tier
//   /api/segments/{id}?additional-fields[segment]=profile_count  one resource       XS tier (1/s, 15/min)
//   POST /api/campaign-values-reports, /api/flow-series-reports  one conversion metric and one
//                   timeframe (<= 1 year; daily interval <= 60 days) per request  1/s, 2/min, 225/day each
#include "source/streams/stream_spec.h"

namespace sk::streams {

namespace {

using budget::TierId;

constexpr Hook kCampaignHooks[] = {Hook::CampaignChannel};
constexpr Hook kCampaignDetailedHooks[] = {Hook::CampaignChannel, Hook::CampaignDetails};
constexpr Hook kMergeIncluded[] = {Hook::MergeIncluded};
constexpr Hook kSuppressedOnly[] = {Hook::SuppressedOnly};
constexpr Hook kProfileId[] = {Hook::ProfileId};
constexpr Param kSubscriptions[] = {{"additional-fields[profile]", "subscriptions"}};
constexpr Param kSubscriptionsPredictive[] = {{"additional-fields[profile]", "subscriptions,predictive_analytics"}};
constexpr Param kListProfileCount[] = {{"additional-fields[list]", "profile_count"}};
constexpr Param kSegmentProfileCount[] = {{"additional-fields[segment]", "profile_count"}};
constexpr Param kEventsDetailed[] = {{"include", "metric,attributions"}, {"fields[metric]", "name"}};

// The reporting API's statistics, as Airbyte's connector asks them (31 for campaigns, 22 for flows).
constexpr std::string_view kCampaignStatistics[] = {
    "average_order_value", "bounce_rate", "bounced", "bounced_or_failed", "bounced_or_failed_rate", "click_rate",
    "click_to_open_rate", "clicks", "clicks_unique", "conversion_rate", "conversion_uniques", "conversion_value",
    "conversions", "delivered", "delivery_rate", "failed", "failed_rate", "message_segment_count_sum", "open_rate",
    "opens", "opens_unique", "recipients", "revenue_per_recipient", "spam_complaint_rate", "spam_complaints",
    "text_message_credit_usage_amount", "text_message_roi", "text_message_spend", "unsubscribe_rate",
    "unsubscribe_uniques", "unsubscribes"};
constexpr std::string_view kFlowStatistics[] = {
    "opens", "opens_unique", "clicks", "clicks_unique", "delivered", "bounced", "bounced_or_failed",
    "bounced_or_failed_rate", "failed", "failed_rate", "conversions", "conversion_value", "conversion_rate",
    "conversion_uniques", "click_rate", "open_rate", "click_to_open_rate", "delivery_rate", "bounce_rate",
    "recipients", "revenue_per_recipient", "average_order_value"};
// Campaign values: windows of config.campaign_values_window_days (30, Airbyte's keys). Flow series:
// daily values in 60-day windows (the API's longest timeframe at a daily interval), with
// config.reporting_lookback_window days re-read for late conversions.
constexpr ReportSpec kCampaignValuesReport{.type = "campaign-values-report", .statistics = kCampaignStatistics};
constexpr ReportSpec kFlowSeriesReport{.type = "flow-series-report", .statistics = kFlowStatistics,
                                       .interval = "daily", .window_days = 60, .lookback = true};
// Without start_date the report streams read one year back (as Airbyte 3.x).
constexpr int kReportHistoryDays = 365;

const StreamSpec kStreams[] = {
    {.name = "metrics", .path = "/api/metrics", .scope = "metrics", .tier = TierId::M,
     .cursor_field = "updated", .lower = Lower::None, .upper = false, .sorted = false,
     .start_date = StartDate::Ignored},
    {.name = "lists", .path = "/api/lists", .scope = "lists", .tier = TierId::L,
     .cursor_field = "updated", .lower = Lower::Gt, .upper = false, .page_size = 10},
    {.name = "segments", .path = "/api/segments", .scope = "segments", .tier = TierId::L,
     .cursor_field = "updated", .lower = Lower::Gt, .upper = false, .page_size = 10},
    {.name = "email_templates", .path = "/api/templates", .scope = "templates", .tier = TierId::L,
     .cursor_field = "updated", .page_size = 10},
    {.name = "flows", .path = "/api/flows", .scope = "flows", .tier = TierId::S,
     .cursor_field = "updated", .page_size = 50, .partitions = Partitioning::Archived, .state = StateShape::PerPartition},
    {.name = "campaigns", .path = "/api/campaigns", .scope = "campaigns", .tier = TierId::M,
     .cursor_field = "updated_at", .page_size = 100, .partitions = Partitioning::ChannelArchived,
     .state = StateShape::PerPartition, .hooks = kCampaignHooks},
    // campaigns plus two calls per campaign: recipient estimation and campaign messages (Airbyte's campaigns_detailed).
    {.name = "campaigns_detailed", .path = "/api/campaigns", .scope = "campaigns", .tier = TierId::M,
     .cursor_field = "updated_at", .page_size = 100, .partitions = Partitioning::ChannelArchived,
     .state = StateShape::PerPartition, .detail_path = "/api/campaign-recipient-estimations/{id}",
     .hooks = kCampaignDetailedHooks},
    // predictive_analytics is served at tier M (150/min) instead of L.
    {.name = "profiles", .path = "/api/profiles", .scope = "profiles", .tier = TierId::L,
     .predictive_params = kSubscriptionsPredictive, .predictive_tier = TierId::M, .cursor_field = "updated",
     .lower = Lower::Gt, .page_size = 100, .params = kSubscriptions, .window_days = 7},
    {.name = "events", .path = "/api/events", .scope = "events", .tier = TierId::XL,
     .cursor_field = "datetime", .page_size = 1000, .partitions = Partitioning::EventMetrics,
     .state = StateShape::Global, .lookback = true, .window_days = 7},
    // events with the included metric and attributions merged into relationships (Airbyte's events_detailed).
    {.name = "events_detailed", .path = "/api/events", .scope = "events", .tier = TierId::XL,
     .cursor_field = "datetime", .page_size = 1000, .params = kEventsDetailed,
     .partitions = Partitioning::EventMetrics, .state = StateShape::Global, .hooks = kMergeIncluded, .lookback = true,
     .window_days = 7},
    // profiles with a global email suppression (the old "global exclusions").
    {.name = "global_exclusions", .path = "/api/profiles", .scope = "profiles", .tier = TierId::L,
     .cursor_field = "updated", .lower = Lower::Gt, .page_size = 100, .params = kSubscriptions,
     .hooks = kSuppressedOnly, .window_days = 7},
    // Keys made for Airbyte's connector lack tags:read: check only warns.
    {.name = "tags", .path = "/api/tags", .scope = "tags", .scope_need = ScopeNeed::Optional, .tier = TierId::S,
     .page_size = 50},
    // Children of another stream: one partition per parent id, listed when the read starts.
    {.name = "list_memberships", .path = "/api/lists/{parent_id}/profiles", .scope = "lists",
     .tier = TierId::L, .primary_key = "list_id,profile_id", .cursor_field = "joined_group_at", .page_size = 100,
     .partitions = Partitioning::Parent, .parent = "lists", .parent_key = "list_id", .state = StateShape::PerPartition,
     .hooks = kProfileId, .window_days = 7},
    {.name = "segment_memberships", .path = "/api/segments/{parent_id}/profiles", .scope = "segments",
     .tier = TierId::L, .primary_key = "segment_id,profile_id", .cursor_field = "joined_group_at",
     .page_size = 100, .partitions = Partitioning::Parent, .parent = "segments", .parent_key = "segment_id",
     .state = StateShape::PerPartition, .hooks = kProfileId, .window_days = 7},
    {.name = "flow_actions", .path = "/api/flows/{parent_id}/flow-actions", .scope = "flows", .tier = TierId::S,
     .cursor_field = "updated", .page_size = 50, .partitions = Partitioning::Parent, .parent = "flows",
     .parent_key = "flow_id", .state = StateShape::PerPartition},
    // Grandchild of flows: one partition per flow action; records carry flow_id and flow_action_id.
    {.name = "flow_messages", .path = "/api/flow-actions/{parent_id}/flow-messages", .scope = "flows",
     .tier = TierId::S, .cursor_field = "updated", .page_size = 50, .partitions = Partitioning::Parent,
     .parent = "flow_actions", .parent_key = "flow_action_id", .state = StateShape::PerPartition},
    // Every message of every campaign on the first sync, whatever start_date says (as campaigns_detailed
    // embeds them whole); later syncs read those updated since the partition's cursor.
    {.name = "campaign_messages", .path = "/api/campaigns/{parent_id}/campaign-messages", .scope = "campaigns",
     .tier = TierId::M, .cursor_field = "updated_at", .lower = Lower::None, .upper = false, .sorted = false,
     .partitions = Partitioning::Parent, .parent = "campaigns", .parent_key = "campaign_id",
     .state = StateShape::PerPartition, .start_date = StartDate::Ignored},
    // Each list with its profile_count: one call per list at 1/s and 15/min (Airbyte's lists_detailed).
    // Client-side incremental; lists whose `updated` is not after the saved cursor are not fetched.
    {.name = "lists_detailed", .path = "/api/lists/{parent_id}", .scope = "lists", .tier = TierId::XS,
     .cursor_field = "updated", .lower = Lower::None, .upper = false, .sorted = false, .params = kListProfileCount,
     .partitions = Partitioning::Parent, .parent = "lists", .detail_key = "id", .records = Records::Single,
     .state = StateShape::PerPartition},
    // The same for segments (Airbyte's closed PR #68090 proposed it): one XS-tier call per segment.
    {.name = "segments_detailed", .path = "/api/segments/{parent_id}", .scope = "segments", .tier = TierId::XS,
     .cursor_field = "updated", .lower = Lower::None, .upper = false, .sorted = false,
     .params = kSegmentProfileCount, .partitions = Partitioning::Parent, .parent = "segments", .detail_key = "id",
     .records = Records::Single, .state = StateShape::PerPartition},
    // The reporting API (streams/reports.h): one partition per conversion metric, whole days in the
    // account's timezone, planned around each endpoint's daily quota; run beside the other streams.
    {.name = "campaign_values_reports", .path = "/api/campaign-values-reports", .scope = "campaigns",
     .tier = TierId::Reporting, .primary_key = "date,campaign_id,campaign_message_id,send_channel,conversion_metric_id",
     .cursor_field = "date", .lower = Lower::None, .upper = false, .sorted = false,
     .partitions = Partitioning::ReportMetrics, .parent = "metrics", .records = Records::ReportResults,
     .state = StateShape::Global, .report = &kCampaignValuesReport, .default_history_days = kReportHistoryDays},
    {.name = "flow_series_reports", .path = "/api/flow-series-reports", .scope = "flows",
     .tier = TierId::FlowReporting, .primary_key = "date,flow_id,flow_message_id,send_channel,conversion_metric_id",
     .cursor_field = "date", .lower = Lower::None, .upper = false, .sorted = false,
     .partitions = Partitioning::ReportMetrics, .parent = "metrics", .records = Records::SeriesPerDay,
     .state = StateShape::Global, .report = &kFlowSeriesReport, .default_history_days = kReportHistoryDays},
};

}  // namespace

std::span<const StreamSpec> all_streams() { return kStreams; }

const StreamSpec* find_stream(std::string_view name) {
  for (const auto& s : kStreams)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace sk::streams
