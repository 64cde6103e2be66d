// Partition routers: archived x channel for campaigns, archived for flows, metric ids for events.
#include "source/streams/partitions.h"

#include "core/klaviyo/query.h"

namespace sk::streams {

namespace kq = sk::klaviyo;

const std::string& Partition::parent_id() const {
  static const std::string kNone;
  return ancestry.empty() ? kNone : ancestry.back().id;
}

std::vector<Partition> partitions_for(const StreamSpec& spec, const config::Config& cfg,
                                      const std::vector<ParentRef>& parents) {
  std::vector<Partition> out;
  switch (spec.partitions) {
    case Partitioning::None:
      out.push_back({});
      break;
    case Partitioning::Archived:
      for (const char* archived : {"false", "true"})
        out.push_back({{{"archived", archived}}, {kq::clause("equals", "archived", archived)}, "", {}, std::nullopt});
      break;
    case Partitioning::ChannelArchived:
      // Klaviyo requires a channel filter on /api/campaigns; mobile_push exists since 2025-01-15.
      for (const char* channel : {"email", "sms", "mobile_push"})
        for (const char* archived : {"false", "true"})
          out.push_back({{{"archived", archived}, {"campaign_type", channel}},
                         {kq::clause("equals", "messages.channel", kq::quoted(channel)),
                          kq::clause("equals", "archived", archived)},
                         channel, {}, std::nullopt});
      break;
    case Partitioning::EventMetrics:
      if (cfg.event_metric_ids.empty()) {
        out.push_back({});
      } else {
        for (const auto& id : cfg.event_metric_ids)
          out.push_back({{{"event_metric_id", id}}, {kq::clause("equals", "metric_id", kq::dquoted(id))}, "", {}, std::nullopt});
      }
      break;
    case Partitioning::ReportMetrics:
      // The metric ids the user named, else every metric listed (passed as `parents`).
      if (!cfg.metric_ids.empty()) {
        for (const auto& id : cfg.metric_ids) out.push_back({{{"metric_id", id}}, {}, "", {{"", id}}, std::nullopt});
      } else {
        for (const auto& p : parents) out.push_back({{{"metric_id", p.id}}, {}, "", {{"", p.id}}, std::nullopt});
      }
      break;
    case Partitioning::Parent: {
      const std::string key(spec.detail_key.empty() ? spec.parent_key : spec.detail_key);
      for (const auto& p : parents) {
        Partition part{{{key, p.id}}, {}, "", p.ancestry, p.cursor};
        part.ancestry.push_back({std::string(spec.parent_key), p.id});  // parent_key is "" for detail rows
        out.push_back(std::move(part));
      }
      break;
    }
  }
  return out;
}

}  // namespace sk::streams
