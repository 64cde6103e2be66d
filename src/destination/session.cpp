// Input lines into batches and STATEs (see session.h).
#include "destination/session.h"

#include <variant>

#include "destination/input.h"
#include "destination/json_read.h"

static_assert(sk::destination::LineReader::kPadding >= simdjson::SIMDJSON_PADDING, "lines must be padded for simdjson");

namespace sk::destination {

namespace {
// Non-JSON lines are each worth a warning, up to this many; then one line says more were ignored.
constexpr std::uint64_t kNotJsonWarnings = 20;

}  // namespace

void Session::line(std::string_view text, long number) {
  if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;
  simdjson::dom::element msg;
  if (parser_.parse(text.data(), text.size(), false).get(msg) || !msg.is_object()) {  // padded: no copy
    if (++not_json_ <= kNotJsonWarnings)
      out_.log(protocol::LogLevel::Warn, "Input line " + std::to_string(number) +
                                             " is not an Airbyte message (not a JSON object); it is ignored." +
                                             (not_json_ == kNotJsonWarnings ? " Further such lines are counted only." : ""));
    return;
  }
  const std::string_view type = text_view(msg, "type");
  simdjson::dom::element body;
  if (type == "RECORD" && !msg["record"].get(body) && body.is_object()) {
    record(body, number);
  } else if (type == "STATE" && !msg["state"].get(body) && body.is_object()) {
    flush();
    states_++;
    ledger_.state(nlohmann::json::parse(text));
  }
}

void Session::record(simdjson::dom::element rec, long number) {
  const std::string_view stream = text_view(rec, "stream");
  const std::string_view ns = text_view(rec, "namespace");
  auto kind = catalog_.kind(stream, ns);
  if (!kind) {
    unknown_++;
    return;
  }
  records_++;
  const std::string key = stream_key(stream, ns);
  ledger_.received(key);
  simdjson::dom::element data;
  if (rec["data"].get(data)) {
    ledger_.rejected(RecordRef{key, "line " + std::to_string(number), ledger_.interval()}, "the record has no data");
    return;
  }
  Mapped m = map_record(RecordIn{stream, *kind, data, number}, cfg_.mapping, clock_.now());
  if (auto* e = std::get_if<Event>(&m)) {
    add_event(*e, RecordRef{key, who(data, number), ledger_.interval()});
  } else if (auto* p = std::get_if<Profile>(&m)) {
    add_profile(std::move(*p), RecordRef{key, who(data, number), ledger_.interval()});
  } else if (auto* s = std::get_if<Skipped>(&m)) {
    ledger_.skipped(key, s->reason);
  } else if (auto* r = std::get_if<Rejected>(&m)) {
    ledger_.rejected(RecordRef{key, r->who, ledger_.interval()}, r->reason);
  }
}

void Session::add_event(const Event& e, RecordRef ref) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!events_) {
      events_.emplace(ledger_.interval(), static_cast<std::size_t>(cfg_.batch_events));
      events_opened_ = std::chrono::steady_clock::now();
    }
    switch (events_->add(e, ref)) {
      case EventBatch::Add::Added:
        events_sent_++;
        if (events_->size() >= static_cast<std::size_t>(cfg_.batch_events)) {
          senders_.submit(std::move(*events_));
          events_.reset();
        }
        return;
      case EventBatch::Add::TooLarge:
        ledger_.rejected(ref, "the event is larger than Klaviyo's 5 MB request limit");
        return;
      case EventBatch::Add::Full:
      case EventBatch::Add::Duplicate:
        senders_.submit(std::move(*events_));
        events_.reset();
        break;
    }
  }
}

void Session::add_profile(Profile p, RecordRef ref) {
  if (!profiles_) {
    profiles_.emplace(ledger_.interval());
    profiles_opened_ = std::chrono::steady_clock::now();
  }
  profiles_sent_++;
  if (profiles_->add(p, ref)) return;
  senders_.submit(std::move(*profiles_));
  profiles_.emplace(ledger_.interval());
  profiles_opened_ = std::chrono::steady_clock::now();
  profiles_->add(std::move(p), std::move(ref));
}

void Session::flush() {
  if (events_ && !events_->empty()) senders_.submit(std::move(*events_));
  if (profiles_ && !profiles_->empty()) senders_.submit(std::move(*profiles_));
  events_.reset();
  profiles_.reset();
}

std::optional<std::chrono::steady_clock::time_point> Session::oldest_open() const {
  if (events_ && profiles_) return std::min(events_opened_, profiles_opened_);
  if (events_) return events_opened_;
  if (profiles_) return profiles_opened_;
  return std::nullopt;
}

void Session::summarise() {
  out_.log(protocol::LogLevel::Info,
           "Input: " + std::to_string(records_) + " records of configured streams (" + std::to_string(events_sent_) +
               " events and " + std::to_string(profiles_sent_) + " profile upserts sent to Klaviyo), " +
               std::to_string(states_) + " states; ignored " + std::to_string(unknown_) +
               " records of streams not in the catalog and " + std::to_string(not_json_) + " lines that are not JSON.");
}

}  // namespace sk::destination
