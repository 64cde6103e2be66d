// Fuzz target: one stdin line of destination-klaviyo's `write`, parsed as Session::line does
// (simdjson DOM), its record mapped as each kind of stream (sk::destination::map_record) and the
// result written as Klaviyo's JSON. Properties: an event has a metric name of fewer than 128
// characters, a unique_id, a time that is empty or ISO-8601, properties that are a JSON object, and a
// bulk entry that is valid JSON which an EventBatch accepts (or finds too large); a profile has an
// email, phone or external_id and valid JSON attributes. Nothing may throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "core/util/datetime.h"
#include "destination/batches.h"
#include "destination/mapping.h"
#include "fuzz_input.h"

namespace {

using sk_fuzz::violated;
using namespace sk::destination;

void check_event(const Event& e) {
  if (e.metric_name.empty() || e.metric_name.size() >= 128 * 4) violated("event without a usable metric name");
  if (e.unique_id.empty()) violated("event without a unique_id");
  if (!e.time.empty() && !sk::parse_datetime(e.time)) violated("event time is not ISO-8601");
  if (!nlohmann::json::accept(e.properties) || !nlohmann::json::parse(e.properties).is_object())
    violated("event properties are not a JSON object");
  if (e.profile.email.empty() && e.profile.phone_number.empty() && e.profile.external_id.empty() &&
      e.profile.anonymous_id.empty())
    violated("event without any profile identifier");
  if (!nlohmann::json::accept(event_bulk_entry(e))) violated("bulk entry is not valid JSON");
  EventBatch batch(0, 1000);
  const auto added = batch.add(e, RecordRef{"s", "line 1", 0});
  if (added != EventBatch::Add::Added && added != EventBatch::Add::TooLarge) violated("an empty batch refused an event");
  if (added == EventBatch::Add::Added && !nlohmann::json::accept(batch.body())) violated("batch body is not JSON");
}

void check_profile(const Profile& p) {
  if (p.email.empty() && p.phone_number.empty() && p.external_id.empty()) violated("profile without identifier");
  (void)profile_attributes(p).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static simdjson::dom::parser parser;
  simdjson::dom::element msg, rec, body;
  if (parser.parse(reinterpret_cast<const char*>(data), size).get(msg)) return 0;  // not JSON: ignored
  if (msg["record"].get(rec) || rec["data"].get(body)) body = msg;  // a bare data object maps too
  const sk::SysTime now{std::chrono::sys_days{std::chrono::year{2026} / 6 / 1}};
  for (ObjectKind kind : {ObjectKind::Tracking, ObjectKind::EventRow, ObjectKind::ProfileRow}) {
    Options options;
    options.require_email_or_phone = kind != ObjectKind::EventRow;
    const Mapped m = map_record(RecordIn{"stream", kind, body, 1}, options, now);
    if (const auto* e = std::get_if<Event>(&m)) check_event(*e);
    if (const auto* p = std::get_if<Profile>(&m)) check_profile(*p);
  }
  return 0;
}
