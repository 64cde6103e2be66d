// What one request to Klaviyo will carry, filled by the reading thread and handed to a writer:
// - EventBatch: the entries of one bulk create job (≤ max events, ≤ kMaxEventBytes of entries),
//   never two events with the same (profile, metric, unique_id) — Klaviyo rejects the whole
//   request for that — each entry kept as JSON text with the record it came from.
// - ProfileBatch: profile upserts merged per person in arrival order (later fields win,
//   properties merged key by key), so one batch never holds the same person twice.
// Every batch holds records of one ledger interval (batches are flushed at each STATE).
// Thread-safety: a batch is used by one thread at a time (filled, then handed over).
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "destination/ledger.h"
#include "destination/mapping.h"

namespace sk::destination {

// Klaviyo takes 5 MB per request; the entries stay under 4.5 MB, leaving room for the envelope.
inline constexpr std::size_t kMaxEventBytes = 4'500'000;
// A bulk profile import takes 10,000 profiles and 5 MB.
inline constexpr std::size_t kMaxProfiles = 10'000;
inline constexpr std::size_t kMaxProfileBytes = 4'500'000;

class EventBatch {
 public:
  EventBatch(std::uint32_t interval, std::size_t max_events);
  enum class Add { Added, Full, Duplicate, TooLarge };
  // Added; or Full / Duplicate (send this batch, then add to a new one); or TooLarge (the event
  // alone is over the byte cap: reject it).
  Add add(const Event& e, RecordRef ref);
  std::size_t size() const { return refs_.size(); }
  bool empty() const { return refs_.empty(); }
  std::size_t bytes() const { return entries_.size(); }
  std::uint32_t interval() const { return interval_; }
  const RecordRef& ref(std::size_t i) const { return refs_[i]; }
  // The body of a POST /api/event-bulk-create-jobs with every entry left.
  std::string body() const;
  // Drops the entries at `positions` (indexes into the entries left), keeping the others' order.
  void remove(const std::set<std::size_t>& positions);

 private:
  std::uint32_t interval_;
  std::size_t max_events_;
  std::string entries_;               // entries as JSON text, comma-separated
  std::vector<std::size_t> starts_;   // where each entry starts in entries_
  std::vector<RecordRef> refs_;
  // A hash of each event's profile identity, metric and unique_id. Two different events that
  // collide only end this batch early (Duplicate), never merge.
  std::unordered_set<std::uint64_t> keys_;
};

class ProfileBatch {
 public:
  struct Person {
    Profile profile;
    std::vector<RecordRef> refs;  // every record merged into it, in arrival order
  };
  explicit ProfileBatch(std::uint32_t interval) : interval_(interval) {}
  // False when the batch is full (send it, then add to a new one).
  bool add(Profile p, RecordRef ref);
  std::size_t size() const { return people_.size(); }
  bool empty() const { return people_.empty(); }
  std::uint32_t interval() const { return interval_; }
  std::vector<Person>& people() { return people_; }

 private:
  std::uint32_t interval_;
  std::size_t bytes_ = 0;
  std::vector<Person> people_;
  std::unordered_map<std::string, std::size_t> index_;  // identity -> position in people_
};

// `later`'s fields over `into`'s: non-empty strings win, properties are merged key by key.
void merge_profile(Profile& into, Profile later);

}  // namespace sk::destination
