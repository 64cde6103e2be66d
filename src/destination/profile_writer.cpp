// Profile upserts: bulk import jobs, or profile-import one person at a time (see writers.h).
#include <algorithm>
#include <chrono>

#include "core/klaviyo/errors.h"
#include "destination/writers.h"

namespace sk::destination {

namespace {
constexpr std::string_view kImportPath = "/api/profile-import";
constexpr std::string_view kBulkPath = "/api/profile-bulk-import-jobs";
constexpr std::string_view kProfiles = "/data/attributes/profiles/data/";

[[noreturn]] void fail(const klaviyo::Reply& r, std::string_view what) {
  throw SourceError(klaviyo::judge(r.status, r.doc, what, "profiles", klaviyo::CallKind::Write).failure);
}

bool ok(const klaviyo::Reply& r) { return r.status >= 200 && r.status < 300; }

std::string bulk_body(std::vector<ProfileBatch::Person>& people, const std::vector<std::size_t>& live) {
  nlohmann::json data = nlohmann::json::array();
  for (std::size_t i : live) data.push_back({{"type", "profile"}, {"attributes", profile_attributes(people[i].profile)}});
  nlohmann::json body = {
      {"data", {{"type", "profile-bulk-import-job"}, {"attributes", {{"profiles", {{"data", std::move(data)}}}}}}}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

void ProfileWriter::send(ProfileBatch& batch) {
  if (!(bulk_allowed_ && batch.size() >= kBulkProfiles && send_bulk(batch)))
    for (auto& person : batch.people()) send_one(person);
  ledger_.batch_settled(batch.interval());
}

void ProfileWriter::reject_person(const ProfileBatch::Person& person, const std::string& reason) {
  for (const auto& ref : person.refs) ledger_.rejected(ref, reason);
}

void ProfileWriter::send_one(ProfileBatch::Person& person) {
  nlohmann::json body = {{"data", {{"type", "profile"}, {"attributes", profile_attributes(person.profile)}}}};
  klaviyo::Reply r = api_.send("POST", api_.url(kImportPath),
                               body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), budgets_.import);
  if (ok(r)) return;
  if (r.status == 400 || r.status == 409) {
    reject_person(person, "Klaviyo (HTTP " + std::to_string(r.status) + "): " + klaviyo::error_detail(r.doc));
    return;
  }
  fail(r, "POST /api/profile-import");
}

bool ProfileWriter::send_bulk(ProfileBatch& batch) {
  auto& people = batch.people();
  std::vector<std::size_t> live(people.size());
  for (std::size_t i = 0; i < live.size(); ++i) live[i] = i;
  while (!live.empty()) {
    klaviyo::Reply r = api_.send("POST", api_.url(kBulkPath), bulk_body(people, live), budgets_.bulk);
    if (r.status == 403 && live.size() == people.size()) {
      bulk_allowed_ = false;
      out_.log(protocol::LogLevel::Warn,
               "The API key may not run bulk profile imports (it lacks lists:write): profiles are written one at a "
               "time with /api/profile-import.");
      return false;
    }
    if (ok(r)) {
      const std::string job = r.doc.is_object() ? r.doc["data"].value("id", std::string()) : std::string();
      if (job.empty()) throw system_error("Klaviyo accepted a bulk profile import but returned no job id.");
      wait_for_job(job);
      read_import_errors(job, batch, live);
      return true;
    }
    auto bad = r.status == 400 ? pointed_entries(r.doc, kProfiles) : std::map<std::size_t, std::string>{};
    std::vector<std::size_t> keep;
    for (std::size_t k = 0; k < live.size(); ++k) {
      auto it = bad.find(k);
      if (it == bad.end()) keep.push_back(live[k]);
      else reject_person(people[live[k]], "Klaviyo: " + it->second);
    }
    if (keep.size() == live.size()) fail(r, "POST /api/profile-bulk-import-jobs");
    live = std::move(keep);
  }
  return true;
}

void ProfileWriter::wait_for_job(const std::string& job) {
  const std::string url = api_.url(std::string(kBulkPath) + "/" + job);
  auto pause = std::chrono::milliseconds(static_cast<long long>(500 * budgets_.window_scale) + 1);
  for (;;) {
    klaviyo::Reply r = api_.send("GET", url, {}, budgets_.jobs);
    if (!ok(r)) fail(r, "GET /api/profile-bulk-import-jobs/{id}");
    const std::string status = r.doc["data"]["attributes"].value("status", std::string());
    if (status == "complete") return;
    if (status == "cancelled")
      throw transient_error("Klaviyo cancelled bulk profile import job " + job + "; run the sync again.");
    clock_.sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(static_cast<long long>(5000 * budgets_.window_scale) + 1));
  }
}

void ProfileWriter::read_import_errors(const std::string& job, ProfileBatch& batch,
                                       const std::vector<std::size_t>& live) {
  std::string url = api_.url(std::string(kBulkPath) + "/" + job + "/import-errors", {{"page[size]", "100"}});
  while (!url.empty()) {
    klaviyo::Reply r = api_.send("GET", url, {}, budgets_.jobs);
    if (!ok(r)) fail(r, "GET /api/profile-bulk-import-jobs/{id}/import-errors");
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& item : r.doc.value("data", nlohmann::json::array()))
      if (item.is_object() && item.contains("attributes")) errors.push_back(item["attributes"]);
    for (auto& [k, detail] : pointed_entries({{"errors", errors}}, kProfiles))
      if (k < live.size()) reject_person(batch.people()[live[k]], "Klaviyo import error: " + detail);
    const auto& links = r.doc.value("links", nlohmann::json::object());
    url = links.contains("next") && links["next"].is_string() ? links["next"].get<std::string>() : "";
  }
}

}  // namespace sk::destination
