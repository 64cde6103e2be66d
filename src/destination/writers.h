// The two writers: each sends one batch until every record in it is accepted by Klaviyo or
// rejected (one LOG line per rejected record, through the ledger), then settles it in the ledger.
// - EventWriter: POST /api/event-bulk-create-jobs. A 202 accepts every entry. A 400 whose errors
//   point at entries (source.pointer /data/attributes/events-bulk-create/data/{i}/...) rejects
//   those and sends the rest again; a 400 pointing at none fails the write (system_error).
// - ProfileWriter: a bulk import job (POST /api/profile-bulk-import-jobs, polled until complete,
//   its import-errors read) for kBulkProfiles people or more while the key may (lists:write), else
//   POST /api/profile-import per person (200/201 accepted; 400/409 rejected).
// 429s, 5xx and network errors were retried by http::Client; what is left (401, 403, exhausted
// retries) is thrown as SourceError, and the batch is not settled, so no STATE passes it.
// Thread-safety: one writer per thread (each owns its Api); budgets and the ledger are shared.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/budget/rate_budget.h"
#include "core/klaviyo/api.h"
#include "core/util/clock.h"
#include "destination/batches.h"
#include "destination/ledger.h"

namespace sk::destination {

// One budget per write endpoint (Klaviyo counts each endpoint apart).
struct WriteBudgets {
  WriteBudgets(Clock& clock, double window_scale);
  budget::RateBudget events;       // event-bulk-create-jobs: 10/s, 150/min
  budget::RateBudget import;       // profile-import: 75/s, 750/min
  budget::RateBudget bulk;         // profile-bulk-import-jobs: 10/s, 150/min
  budget::RateBudget jobs;         // GET of a job and its import-errors: 10/s, 150/min
  double window_scale;
};

// The entries a 400 points at: index i of `/<prefix>/{i}/...` -> the details of its errors.
std::map<std::size_t, std::string> pointed_entries(const nlohmann::json& doc, std::string_view prefix);

class EventWriter {
 public:
  EventWriter(klaviyo::Api& api, WriteBudgets& budgets, Ledger& ledger)
      : api_(api), budgets_(budgets), ledger_(ledger) {}
  void send(EventBatch& batch);

 private:
  klaviyo::Api& api_;
  WriteBudgets& budgets_;
  Ledger& ledger_;
};

// At least this many people in a batch go as a bulk import job; fewer go one by one.
inline constexpr std::size_t kBulkProfiles = 20;

class ProfileWriter {
 public:
  ProfileWriter(klaviyo::Api& api, WriteBudgets& budgets, Ledger& ledger, Clock& clock,
                protocol::Emitter& out)
      : api_(api), budgets_(budgets), ledger_(ledger), clock_(clock), out_(out) {}
  void send(ProfileBatch& batch);

 private:
  bool send_bulk(ProfileBatch& batch);  // false: the key may not (403), nothing was sent
  void wait_for_job(const std::string& job_id);
  void read_import_errors(const std::string& job_id, ProfileBatch& batch, const std::vector<std::size_t>& live);
  void send_one(ProfileBatch::Person& person);
  void reject_person(const ProfileBatch::Person& person, const std::string& reason);

  klaviyo::Api& api_;
  WriteBudgets& budgets_;
  Ledger& ledger_;
  Clock& clock_;
  protocol::Emitter& out_;
  bool bulk_allowed_ = true;
};

}  // namespace sk::destination
