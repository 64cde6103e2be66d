// Shared, once-per-read parent listings (see parents.h).
#include "source/streams/parents.h"

#include "core/klaviyo/pager.h"
#include "source/streams/request.h"
#include "core/util/datetime.h"

namespace sk::streams {

const std::vector<ParentRef>& ParentDirectory::list(const StreamSpec& parent, klaviyo::Api& api) {
  Entry* entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = entries_[parent.name];
    if (!slot) slot = std::make_unique<Entry>();
    entry = slot.get();
  }
  std::call_once(entry->once, [&] {
    try {
      entry->refs = list_now(parent, api);
    } catch (const SourceError& e) {
      entry->failure = e.failure();
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++listings_[parent.name];
  });
  if (entry->failure) throw SourceError(*entry->failure);
  return entry->refs;
}

int ParentDirectory::listings(std::string_view parent) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = listings_.find(parent);
  return it == listings_.end() ? 0 : it->second;
}

std::vector<Partition> partitions_of(const StreamSpec& spec, const config::Config& cfg, ParentDirectory& parents,
                                     klaviyo::Api& api) {
  const bool listed = spec.partitions == Partitioning::Parent ||
                      (spec.partitions == Partitioning::ReportMetrics && cfg.metric_ids.empty());
  if (!listed) return partitions_for(spec, cfg);
  const StreamSpec* parent = find_stream(spec.parent);
  if (!parent)
    throw system_error("Internal error: stream " + std::string(spec.name) + " names an unknown parent '" +
                       std::string(spec.parent) + "'.");
  return partitions_for(spec, cfg, parents.list(*parent, api));
}

std::vector<ParentRef> ParentDirectory::list_now(const StreamSpec& parent, klaviyo::Api& api) {
  const std::vector<Partition> parts = partitions_of(parent, cfg_, *this, api);
  std::vector<ParentRef> refs;
  for (const auto& part : parts) {
    // Every record of the partition: no bounds, whatever the saved state of the parent stream.
    klaviyo::Pager pager(api, build_call(parent, cfg_, part, {}), shape_of(parent));
    try {
      while (const klaviyo::Page* page = pager.next()) {
        for (simdjson::dom::element rec : page->data) {
          std::string_view id;
          if (rec["id"].get(id)) continue;
          ParentRef ref{std::string(id), std::nullopt, part.ancestry};
          std::string_view cursor;
          if (parent.incremental() && !rec["attributes"][parent.cursor_field].get(cursor))
            ref.cursor = parse_datetime(cursor);
          refs.push_back(std::move(ref));
        }
      }
    } catch (const klaviyo::PartitionSkipped& skipped) {
      out_.log(protocol::LogLevel::Info, std::string(parent.name) + ": " + skipped.message);
    }
  }
  return refs;
}

}  // namespace sk::streams
