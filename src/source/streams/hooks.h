// The named escape hatches of the stream table (StreamSpec::hooks), each a small function with an
// example of what it does. Everything else about a stream is its row.
// Thread-safe: pure functions, except apply_call_hooks, which calls Klaviyo through the calling
// worker's own Api.
#pragma once

#include <map>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/klaviyo/api.h"
#include "source/streams/partitions.h"
#include "source/streams/stream_spec.h"

namespace sk::streams {

// True when a stream's hooks change records (so the engine must build each record as an object).
bool transforms_records(const StreamSpec& spec);

// The included[] resources of one page, by (type, id).
class IncludedIndex {
 public:
  explicit IncludedIndex(const nlohmann::json& doc);
  const nlohmann::json* find(const nlohmann::json& type, const nlohmann::json& id) const;

 private:
  std::map<std::pair<std::string, std::string>, const nlohmann::json*> by_key_;
};

// Transforms one record before it is emitted; returns false to drop it.
//   CampaignChannel: {"type":"campaign","attributes":{"name":"Spring"}} read from the email
//   partition becomes {"type":"campaign","attributes":{"name":"Spring","channel":"email"}}.
//   MergeIncluded: relationships.metric.data {"type":"metric","id":"RESQ6t"} with included
//   [{"type":"metric","id":"RESQ6t","attributes":{"name":"Placed Order"}}] becomes
//   {"type":"metric","id":"RESQ6t","name":"Placed Order"} (also for each item of a list, and the
//   included item's own relationships are copied as "relationships").
//   SuppressedOnly: a profile whose attributes.subscriptions.email.marketing.suppression is empty is
//   dropped; otherwise that array is renamed "suppressions" (Airbyte's global_exclusions shape).
//   ProfileId: a list member {"type":"profile","id":"P1",...} gets "profile_id":"P1".
bool apply_record_hooks(const StreamSpec& spec, const Partition& part, const IncludedIndex& included,
                        nlohmann::json& record);

// Hooks that make extra calls per record, run on each record apply_record_hooks kept. `api` is the
// reading worker's Api, so the calls share its HTTP client (retries, Retry-After) and the shared
// rate budgets; errors other than the 404s named below throw the mapped SourceError.
//   CampaignDetails, for {"type":"campaign","id":"C1","relationships":{"campaign-messages":{"links":
//   {"related":"<base>/api/campaigns/C1/campaign-messages"}}}}, at the row's tier and scope:
//     GET <base> + the row's detail_path with {id} = C1 (/api/campaign-recipient-estimations/C1)
//       -> "estimated_recipient_count": data.attributes.estimated_recipient_count (0 when absent or 404)
//     GET the related link, only when present and on the configured base URL
//       -> "campaign_messages": data (the campaign-message resources; [] on 404); no field without a link
void apply_call_hooks(const StreamSpec& spec, klaviyo::Api& api, nlohmann::json& record);

}  // namespace sk::streams
