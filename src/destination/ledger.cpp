// The STATE ledger (see ledger.h).
#include "destination/ledger.h"

#include "destination/catalog.h"
#include "destination/json_read.h"

namespace sk::destination {

std::string state_scope(const nlohmann::json& message) {
  const auto& st = message["state"];
  if (text(st, "type") != "STREAM") return {};
  const auto* stream = member(st, "stream");
  const auto* desc = stream ? member(*stream, "stream_descriptor") : nullptr;
  if (desc == nullptr) return {};
  return stream_key(text(*desc, "name"), text(*desc, "namespace"));
}

std::uint32_t Ledger::interval() const {
  std::lock_guard<std::mutex> lock(mu_);
  return interval_;
}

void Ledger::received(const std::string& stream) {
  std::lock_guard<std::mutex> lock(mu_);
  counts_[interval_][stream].records++;
}

void Ledger::skipped(const std::string& stream, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  Counts& c = counts_[interval_][stream];
  c.refused++;
  c.reasons[reason]++;
}

void Ledger::rejected(const RecordRef& ref, const std::string& reason) {
  out_.log(protocol::LogLevel::Warn, "Rejected " + ref.who + " of stream '" + ref.stream + "': " + reason);
  std::lock_guard<std::mutex> lock(mu_);
  Counts& c = counts_[ref.interval][ref.stream];
  c.refused++;
  c.reasons["rejected"]++;
}

void Ledger::batch_opened(std::uint32_t interval) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_[interval]++;
}

void Ledger::batch_settled(std::uint32_t interval) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = pending_.find(interval); it != pending_.end() && --it->second == 0) pending_.erase(it);
  emit_ready_locked();
}

void Ledger::state(nlohmann::json message) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string scope = state_scope(message);
  states_.push_back(Waiting{std::move(message), interval_, std::move(scope)});
  interval_++;
  emit_ready_locked();
}

std::size_t Ledger::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return states_.size();
}

// The first STATE may go when no batch of its interval or before is pending; then the next.
void Ledger::emit_ready_locked() {
  while (!states_.empty()) {
    Waiting& w = states_.front();
    if (!pending_.empty() && pending_.begin()->first <= w.interval) return;
    emit_locked(w);
    states_.pop_front();
  }
}

Ledger::Counts Ledger::take_counts_locked(std::uint32_t upto, const std::string& scope) {
  Counts sum;
  auto add = [&sum](const Counts& c) {
    sum.records += c.records;
    sum.refused += c.refused;
    for (const auto& [reason, n] : c.reasons) sum.reasons[reason] += n;
  };
  for (auto it = counts_.begin(); it != counts_.end() && it->first <= upto;) {
    auto& streams = it->second;
    if (scope.empty()) {
      for (const auto& [stream, c] : streams) add(c);
      streams.clear();
    } else if (auto s = streams.find(scope); s != streams.end()) {
      add(s->second);
      streams.erase(s);
    }
    it = streams.empty() ? counts_.erase(it) : std::next(it);
  }
  return sum;
}

void Ledger::emit_locked(Waiting& w) {
  const Counts c = take_counts_locked(w.interval, w.scope);
  std::string summary = "State " + std::to_string(w.interval + 1) + " (" +
                        (w.scope.empty() ? std::string("all streams") : "stream '" + w.scope + "'") + "): " +
                        std::to_string(c.records) + " records, " + std::to_string(c.records - c.refused) +
                        " written, " + std::to_string(c.refused) + " not written";
  std::string sep = " (";
  for (const auto& [reason, n] : c.reasons) {
    summary += sep + reason + ": " + std::to_string(n);
    sep = ", ";
  }
  out_.log(protocol::LogLevel::Info, summary + (c.reasons.empty() ? "." : ")."));
  nlohmann::json& st = w.message["state"];
  st["destinationStats"] = {{"recordCount", static_cast<double>(c.records)},
                            {"rejectedRecordCount", static_cast<double>(c.refused)}};
  out_.message(std::move(w.message));
}

}  // namespace sk::destination
