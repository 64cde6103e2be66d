// written.h — the records the write endpoints create (profiles, metrics, events, profile bulk import
// jobs), kept apart from the generated dataset in a compact form: an event is 64 bytes plus its
// unique_id and properties text, with its profile and metric by index. Lookups by identifier, the
// event dedup rule (profile, metric, unique_id | time to the second), the profile upsert rule, the
// (datetime, id) order merged with the generated events, and the /__sim/written documents.
//
// Thread-safety: the data members and the methods not marked otherwise need `mu` held by the caller
// (unique to change, shared to read); the n_* counters are atomics readable without it (the read
// endpoints use them to skip the written store when it is empty); the order caches lock themselves.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataset.h"

namespace sim {

// A row or reference with this bit set indexes the written store; without it, the generated dataset.
constexpr uint32_t kWrittenBit = 0x80000000u;
inline bool is_written(uint32_t row) { return (row & kWrittenBit) != 0; }
inline uint32_t widx(uint32_t row) { return row & ~kWrittenBit; }

struct WProfile {
  int64_t created = 0, updated = 0, last_event = 0;
  std::string ids[4];  // email, phone_number, external_id, anonymous_id ("" = absent)
  std::string rest;    // the other attributes (first_name, …, location, properties): JSON object text, "" = none
};

struct WMetric {
  std::string id, name;
  int64_t created;
};

struct WEvent {
  int64_t t;           // microseconds, whole seconds (Klaviyo truncates `time` to the second)
  double value;        // valid when flags & kHasValue
  const char* text;    // unique_id (uid_len bytes) then the properties as JSON text (keys sorted),
                       // in the store's arena (add_event copies it there)
  uint32_t uid_len, props_len;
  uint32_t profile;    // index into WrittenStore::profiles
  uint32_t metric;     // generated metric index, or kWrittenBit | written metric index
  uint16_t currency;   // index into WrittenStore::currencies (0 = none)
  uint8_t flags;
  static constexpr uint8_t kHasValue = 1, kHasUid = 2;
  std::string_view uid() const { return {text, uid_len}; }
  std::string_view props() const { return {text + uid_len, props_len}; }
};

struct ImportError {
  uint32_t index;  // position in the job's profiles
  std::string code, title, detail;
  nlohmann::json payload;  // the profile's attributes as sent
};

struct ImportJob {
  std::string id;
  int64_t created = 0, started = 0, completed = 0;  // 0 = not yet
  int status = 0;   // 0 queued, 1 processing, 2 complete
  uint32_t total = 0, completed_count = 0, failed_count = 0;
  std::vector<nlohmann::json> profiles;  // attributes to apply (cleared once applied)
  std::vector<ImportError> errors;
};

// How upsert_profile treats nulls and identifiers that belong to different profiles.
enum class UpsertMode {
  Import,  // profile-import: null clears; a conflict changes nothing
  Bulk,    // bulk import job: null is ignored; a conflict changes nothing
  Event,   // an event's profile: null is ignored; a conflict keeps the first match (email, phone, ...)
};

struct UpsertResult {
  uint32_t index = 0;
  bool created = false;
  std::optional<uint32_t> conflict;  // another profile matched (Import/Bulk: nothing was changed)
};

class WrittenStore {
 public:
  explicit WrittenStore(uint64_t seed) : seed_(seed) {}

  mutable std::shared_mutex mu;
  std::vector<WProfile> profiles;
  std::vector<WMetric> metrics;
  std::vector<WEvent> events;
  std::vector<std::string> currencies{""};
  std::vector<ImportJob> jobs;
  uint64_t ignored_duplicates = 0;  // events dropped by the dedup rule
  uint64_t discarded_events = 0;    // events validated but not kept (--no-store-written)
  std::atomic<uint32_t> n_events{0}, n_profiles{0}, n_metrics{0};

  static constexpr const char* kIdNames[4] = {"email", "phone_number", "external_id", "anonymous_id"};

  // ids and lookups
  std::string profile_id(uint32_t j) const;
  std::string event_id(uint32_t j) const;
  uint64_t event_tie(uint32_t j) const;  // orders written events among equal datetimes
  std::optional<uint32_t> find_profile(const std::string& id) const;
  std::optional<uint32_t> find_event(const std::string& id) const;
  std::optional<uint32_t> find_metric(const std::string& id) const;
  std::optional<uint32_t> find_job(const std::string& id) const;
  // The id / name of a metric reference (generated index or kWrittenBit | written index).
  const std::string& metric_ref_id(const Dataset& ds, uint32_t ref) const;
  const std::string& metric_ref_name(const Dataset& ds, uint32_t ref) const;

  // writes (unique lock)
  UpsertResult upsert_profile(const nlohmann::json& attrs, UpsertMode mode, int64_t now);
  // The metric named `name`: a generated one with that name, else a written one (created when new).
  uint32_t metric_for(const Dataset& ds, const std::string& name, int64_t now);
  uint16_t currency_index(const std::string& code);
  // Stores e unless an event with the same (profile, metric, unique_id | second) exists; false then.
  // e.text may point at a temporary: a stored event's text is copied into the arena.
  bool add_event(WEvent e);
  ImportJob& add_job(std::vector<nlohmann::json> profiles, int64_t now);
  // Applies a job's profiles in order (queued/processing -> complete).
  void complete_job(ImportJob& job, int64_t now);

  // reads
  // Generated and written events in (datetime, id) order (written rows carry kWrittenBit); cached
  // until either side changes. Locks itself; the caller holds mu (shared) and the dataset lock.
  std::shared_ptr<const std::vector<uint32_t>> event_order(const Dataset& ds) const;
  mutable OrderCache profile_orders;  // GET /api/profiles orders over generated + written rows
  nlohmann::json written_doc(const Dataset& ds, const std::string& resource, size_t offset, size_t limit,
                             std::string& err) const;

 private:
  uint64_t dedup_hash(const WEvent& e) const;
  bool same_key(const WEvent& a, const WEvent& b) const;
  void dedup_grow();
  bool apply_identifiers(WProfile& p, uint32_t index, const nlohmann::json& attrs, UpsertMode mode);
  bool apply_rest(WProfile& p, const nlohmann::json& attrs, UpsertMode mode);
  void touched_profiles();
  nlohmann::json event_item(const Dataset& ds, uint32_t j) const;
  nlohmann::json profile_item(uint32_t j) const;

  uint64_t seed_;
  std::unordered_map<std::string, uint32_t> by_id_[4];  // identifier value -> profile index
  std::unordered_map<std::string, uint32_t> metric_by_name_, metric_by_id_, job_by_id_;
  std::unordered_map<std::string, uint16_t> currency_by_code_;
  std::vector<uint32_t> dedup_;  // open addressing over event indices + 1 (0 = empty), size a power of 2
  std::vector<std::unique_ptr<char[]>> arena_;  // events' text: few large blocks, never moved
  char* arena_pos_ = nullptr;
  size_t arena_left_ = 0;
  const char* keep_text(std::string_view s);
  mutable std::mutex order_mu_;
  mutable std::shared_ptr<const std::vector<uint32_t>> order_;
  mutable uint64_t order_key_[3] = {~0ULL, 0, 0};  // dataset version, dataset events, written events
};

}  // namespace sim
