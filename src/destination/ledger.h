// The STATE ledger: every STATE the destination receives is printed, in the order received, once
// every record that arrived before it has been settled — accepted by Klaviyo (a 202 for events, a
// completed import for profiles), skipped, or rejected — with destinationStats:
//   recordCount          records of the STATE's scope (its stream; every stream for GLOBAL or
//                        LEGACY) received since the previous STATE of that scope, skipped and
//                        rejected ones included (what the source counted as sourceStats);
//   rejectedRecordCount  those of them skipped or rejected.
// Plus one LOG line per STATE summing its skips and rejections by reason.
// Records are grouped in intervals: interval k holds the records received after the k-th STATE
// and before the next. Every batch holds records of one interval (batches are flushed at each
// STATE), so a STATE may go out when no batch of its interval or an earlier one is pending.
// Thread-safe: the reading thread reports arrivals and STATEs, writer threads settle batches.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/protocol/emitter.h"

namespace sk::destination {

// An input record on its way to Klaviyo: its stream key, how LOG lines name it and its interval.
struct RecordRef {
  std::string stream;
  std::string who;  // "messageId X" or "line N"
  std::uint32_t interval = 0;
};

class Ledger {
 public:
  explicit Ledger(protocol::Emitter& out) : out_(out) {}
  // The interval records arriving now belong to.
  std::uint32_t interval() const;
  // A record of a configured stream arrived.
  void received(const std::string& stream);
  // A record is not sent on purpose (reason: "no email or phone", "page call", ...); no LOG line.
  void skipped(const std::string& stream, const std::string& reason);
  // A record could not be written; one LOG line names it, its stream and the reason.
  void rejected(const RecordRef& ref, const std::string& reason);
  // A batch of the current interval is on its way / has settled (every record accepted or rejected).
  void batch_opened(std::uint32_t interval);
  void batch_settled(std::uint32_t interval);
  // A STATE message arrived (the whole AirbyteMessage): queued, printed when its records settle.
  void state(nlohmann::json message);
  // STATEs received but not printed yet.
  std::size_t waiting() const;

 private:
  struct Counts {
    std::uint64_t records = 0, refused = 0;
    std::map<std::string, std::uint64_t> reasons;  // skip / rejection reason -> records
  };
  struct Waiting {
    nlohmann::json message;
    std::uint32_t interval;  // the interval it closes
    std::string scope;       // the stream key; "" for GLOBAL / LEGACY
  };
  void emit_ready_locked();
  void emit_locked(Waiting& w);
  Counts take_counts_locked(std::uint32_t upto, const std::string& scope);

  protocol::Emitter& out_;
  mutable std::mutex mu_;
  std::uint32_t interval_ = 0;
  std::map<std::uint32_t, std::uint64_t> pending_;                 // interval -> batches in flight
  std::map<std::uint32_t, std::map<std::string, Counts>> counts_;  // interval -> stream -> counts
  std::deque<Waiting> states_;
};

// The scope of a STATE message: its stream key for STREAM, "" for GLOBAL / LEGACY.
std::string state_scope(const nlohmann::json& message);

}  // namespace sk::destination
