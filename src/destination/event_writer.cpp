// Bulk event writes and the pointers of a 400 (see writers.h).
#include <cstdlib>

#include "core/budget/rate_budget.h"
#include "core/klaviyo/errors.h"
#include "destination/json_read.h"
#include "destination/writers.h"

namespace sk::destination {

namespace {
constexpr std::string_view kEventsPath = "/api/event-bulk-create-jobs";
constexpr std::string_view kEntries = "/data/attributes/events-bulk-create/data/";

}  // namespace

WriteBudgets::WriteBudgets(Clock& clock, double scale)
    : events(budget::tier(budget::TierId::M), clock, scale),
      import(budget::tier(budget::TierId::L), clock, scale),
      bulk(budget::tier(budget::TierId::M), clock, scale),
      jobs(budget::tier(budget::TierId::M), clock, scale),
      window_scale(scale) {}

std::map<std::size_t, std::string> pointed_entries(const nlohmann::json& doc, std::string_view prefix) {
  std::map<std::size_t, std::string> out;
  if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array()) return out;
  for (const auto& e : doc["errors"]) {
    if (!e.is_object() || !e.contains("source") || !e["source"].is_object()) continue;
    const std::string pointer = text(e["source"], "pointer");
    if (pointer.compare(0, prefix.size(), prefix) != 0) continue;
    const char* digits = pointer.c_str() + prefix.size();
    char* end = nullptr;
    const unsigned long i = std::strtoul(digits, &end, 10);
    if (end == digits || (*end != '\0' && *end != '/')) continue;
    std::string detail = text(e, "detail");
    if (detail.empty()) detail = text(e, "title");
    std::string field = *end == '/' ? std::string(end + 1) : std::string();
    std::string& all = out[i];
    all += (all.empty() ? "" : "; ") + detail + (field.empty() ? "" : " (" + field + ")");
  }
  return out;
}

void EventWriter::send(EventBatch& batch) {
  const std::string url = api_.url(kEventsPath);
  // Each round either succeeds or rejects at least one entry, so this ends.
  while (!batch.empty()) {
    klaviyo::Reply r = api_.send("POST", url, batch.body(), budgets_.events);
    if (r.status >= 200 && r.status < 300) break;
    if (r.status == 400) {
      auto bad = pointed_entries(r.doc, kEntries);
      std::set<std::size_t> positions;
      for (auto& [i, detail] : bad)
        if (i < batch.size()) {
          ledger_.rejected(batch.ref(i), "Klaviyo: " + detail);
          positions.insert(i);
        }
      if (!positions.empty()) {
        batch.remove(positions);
        continue;
      }
    }
    throw SourceError(
        klaviyo::judge(r.status, r.doc, "POST " + std::string(kEventsPath), "events", klaviyo::CallKind::Write).failure);
  }
  ledger_.batch_settled(batch.interval());
}

}  // namespace sk::destination
