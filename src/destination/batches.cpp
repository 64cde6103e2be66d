// Event and profile batches (see batches.h).
#include "destination/batches.h"

#include <algorithm>
#include <utility>

namespace sk::destination {

namespace {
// The identifier Klaviyo resolves a profile by first, and its tag: email, else phone, else
// external_id, else anonymous_id.
std::pair<char, std::string_view> identity_key(std::string_view email, std::string_view phone,
                                               std::string_view external_id, std::string_view anonymous_id) {
  if (!email.empty()) return {'e', email};
  if (!phone.empty()) return {'p', phone};
  if (!external_id.empty()) return {'x', external_id};
  return {'a', anonymous_id};
}

std::string identity_text(std::pair<char, std::string_view> key) {
  std::string out{key.first, ':'};
  out += key.second;
  return out;
}
}  // namespace

EventBatch::EventBatch(std::uint32_t interval, std::size_t max_events)
    : interval_(interval), max_events_(max_events) {
  refs_.reserve(max_events);
  starts_.reserve(max_events);
  entries_.reserve(std::min(kMaxEventBytes, max_events * 640));  // a typical tracking event's entry
}

EventBatch::Add EventBatch::add(const Event& e, RecordRef ref) {
  const auto [tag, id] = identity_key(e.profile.email, e.profile.phone_number, e.profile.external_id,
                                      e.profile.anonymous_id);
  const std::uint64_t key = fnv1a64(
      e.unique_id, fnv1a64("\x1f", fnv1a64(e.metric_name, fnv1a64("\x1f", fnv1a64(id, fnv1a64({&tag, 1}))))));
  if (keys_.count(key) != 0) return Add::Duplicate;
  if (refs_.size() >= max_events_) return Add::Full;
  const std::size_t start = entries_.empty() ? 0 : entries_.size() + 1;
  if (!entries_.empty()) entries_ += ',';
  append_event_bulk_entry(e, entries_);
  if (entries_.size() > kMaxEventBytes) {
    const bool alone = refs_.empty();
    entries_.resize(start == 0 ? 0 : start - 1);
    return alone ? Add::TooLarge : Add::Full;
  }
  starts_.push_back(start);
  refs_.push_back(std::move(ref));
  keys_.insert(key);
  return Add::Added;
}

std::string EventBatch::body() const {
  std::string out;
  out.reserve(entries_.size() + 128);
  out += R"({"data":{"type":"event-bulk-create-job","attributes":{"events-bulk-create":{"data":[)";
  out += entries_;
  out += "]}}}}";
  return out;
}

void EventBatch::remove(const std::set<std::size_t>& positions) {
  std::string entries;
  std::vector<std::size_t> starts;
  std::vector<RecordRef> refs;
  for (std::size_t i = 0; i < refs_.size(); ++i) {
    if (positions.count(i) != 0) continue;
    const std::size_t end = i + 1 < starts_.size() ? starts_[i + 1] - 1 : entries_.size();
    starts.push_back(entries.empty() ? 0 : entries.size() + 1);
    if (!entries.empty()) entries += ',';
    entries.append(entries_, starts_[i], end - starts_[i]);
    refs.push_back(std::move(refs_[i]));
  }
  entries_ = std::move(entries);
  starts_ = std::move(starts);
  refs_ = std::move(refs);
}

void merge_profile(Profile& into, Profile later) {
  for (std::string Profile::*f : {&Profile::email, &Profile::phone_number, &Profile::external_id,
                                  &Profile::first_name, &Profile::last_name, &Profile::organization, &Profile::title,
                                  &Profile::image, &Profile::locale})
    if (!(later.*f).empty()) into.*f = std::move(later.*f);
  for (std::string Location::*f : {&Location::address1, &Location::address2, &Location::city, &Location::region,
                                   &Location::country, &Location::zip, &Location::timezone})
    if (!(later.location.*f).empty()) into.location.*f = std::move(later.location.*f);
  for (auto& [k, v] : later.properties.items()) into.properties[k] = std::move(v);
}

bool ProfileBatch::add(Profile p, RecordRef ref) {
  const std::string who = identity_text(identity_key(p.email, p.phone_number, p.external_id, {}));
  if (auto it = index_.find(who); it != index_.end()) {
    Person& person = people_[it->second];
    merge_profile(person.profile, std::move(p));
    person.refs.push_back(std::move(ref));
    return true;
  }
  const std::size_t bytes = profile_attributes(p).dump().size() + 64;
  if (people_.size() >= kMaxProfiles || (bytes_ > 0 && bytes_ + bytes > kMaxProfileBytes)) return false;
  bytes_ += bytes;
  index_.emplace(who, people_.size());
  people_.push_back(Person{std::move(p), {std::move(ref)}});
  return true;
}

}  // namespace sk::destination
