// One `write` run's input handling: each stdin line becomes a record mapped into the open event or
// profile batch (handed to the senders when full), a STATE (the open batches go first, then the
// STATE waits in the ledger), or is ignored: a line that is not JSON (a warning, as Airbyte's CDK
// does), a record of a stream not in the catalog, any other message type.
// Thread-safety: the reading thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/protocol/emitter.h"
#include "destination/batches.h"
#include "destination/catalog.h"
#include "destination/config.h"
#include "destination/ledger.h"
#include "destination/senders.h"

namespace sk::destination {

class Session {
 public:
  Session(const Config& cfg, const Catalog& catalog, Ledger& ledger, Senders& senders, protocol::Emitter& out,
          Clock& clock)
      : cfg_(cfg), catalog_(catalog), ledger_(ledger), senders_(senders), out_(out), clock_(clock) {}
  // One input line, followed in memory by LineReader::kPadding readable bytes.
  void line(std::string_view text, long number);
  // Hands the open batches to the senders.
  void flush();
  // When the oldest open batch was started; nullopt when none is open.
  std::optional<std::chrono::steady_clock::time_point> oldest_open() const;
  // One LOG line: what the run read and did with it.
  void summarise();

 private:
  void record(simdjson::dom::element record, long number);
  void add_event(const Event& e, RecordRef ref);
  void add_profile(Profile p, RecordRef ref);

  const Config& cfg_;
  const Catalog& catalog_;
  Ledger& ledger_;
  Senders& senders_;
  protocol::Emitter& out_;
  Clock& clock_;
  simdjson::dom::parser parser_;  // one per session: its buffers are reused line after line
  std::optional<EventBatch> events_;
  std::optional<ProfileBatch> profiles_;
  // When the open event / profile batch received its first record.
  std::chrono::steady_clock::time_point events_opened_, profiles_opened_;
  std::uint64_t records_ = 0, events_sent_ = 0, profiles_sent_ = 0, not_json_ = 0, unknown_ = 0, states_ = 0;
};

}  // namespace sk::destination
