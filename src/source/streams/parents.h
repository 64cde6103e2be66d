// Parent listings for child streams, at any depth. The first child that needs a parent stream's
// records lists them (all partitions of the parent; for a parent that is itself a child, through
// its own parent's listing), and every other child of the same read shares that one listing:
// flow_actions and flow_messages both need flows, which is listed once. Listing runs on the worker
// that asked, through the shared rate budgets, while other streams' windows are being read.
//   flows                    -> [{id F1}, {id F2}]
//   flow_actions (of flows)  -> [{id A1, ancestry [flow_id F1]}, {id A2, ancestry [flow_id F2]}]
// A listing that failed fails every child that needs it (with the same error); a parent deleted
// while it is being listed (404) is skipped with a LOG line.
// Thread-safety: list() may be called from any worker; concurrent callers for the same parent wait
// for the first one's result.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "core/klaviyo/api.h"
#include "core/protocol/emitter.h"
#include "source/streams/partitions.h"
#include "core/util/error.h"

namespace sk::streams {

class ParentDirectory {
 public:
  ParentDirectory(const config::Config& cfg, protocol::Emitter& out) : cfg_(cfg), out_(out) {}

  // Every record of `parent` (all its partitions). Throws the listing's SourceError.
  const std::vector<ParentRef>& list(const StreamSpec& parent, klaviyo::Api& api);

  // How many times `parent` was listed in this read (0 or 1; for tests and logs).
  int listings(std::string_view parent) const;

 private:
  struct Entry {
    std::once_flag once;
    std::vector<ParentRef> refs;
    std::optional<Failure> failure;
  };
  std::vector<ParentRef> list_now(const StreamSpec& parent, klaviyo::Api& api);

  const config::Config& cfg_;
  protocol::Emitter& out_;
  mutable std::mutex mu_;
  std::map<std::string_view, std::unique_ptr<Entry>> entries_;
  std::map<std::string_view, int> listings_;
};

// The partitions of `spec` this read: from the row and the config, through `parents`' listing of
// its parent stream where it needs one (a child row; a report row without metric_ids). Throws the
// listing's SourceError, or a system error for a row naming an unknown parent.
std::vector<Partition> partitions_of(const StreamSpec& spec, const config::Config& cfg, ParentDirectory& parents,
                                     klaviyo::Api& api);

}  // namespace sk::streams
