// written.cpp — the written store: ids, identifier lookups, the profile upsert rule, metric
// find-or-create, event dedup (open addressing over event indices), profile bulk import jobs, the
// merged (datetime, id) event order, and the /__sim/written documents.
#include "written.h"

#include <algorithm>

#include "util.h"

namespace sim {

using json = nlohmann::json;

namespace {
constexpr uint64_t kWProfile = 0x5157, kWEvent = 0xE157, kWJob = 0x1B0B;
constexpr uint16_t kProfileTag = 0x5002, kEventTag = 0xE7E8, kJobTag = 0x1B01;
constexpr uint64_t kMetricKind = 0x77;
constexpr const char* kRestFields[] = {"first_name", "last_name", "organization", "title", "image", "locale"};

template <class F>
std::optional<uint32_t> find_ulid(const std::string& id, uint64_t key, uint16_t tag, size_t n, F idfn) {
  auto d = ulid_decode(id);
  if (!d || d->second != tag) return std::nullopt;
  uint64_t i = unpermute(key, d->first);
  if (i >= n || idfn(uint32_t(i)) != id) return std::nullopt;
  return uint32_t(i);
}

std::optional<uint32_t> find_in(const std::unordered_map<std::string, uint32_t>& m, const std::string& k) {
  auto it = m.find(k);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

// Merges `from` (an object) into `into` key by key; a null value erases the key when nulls clear,
// and is ignored otherwise.
bool merge_object(json& into, const json& from, bool null_clears) {
  bool changed = false;
  for (auto& [k, v] : from.items()) {
    if (v.is_null()) {
      if (null_clears && into.contains(k)) {
        into.erase(k);
        changed = true;
      }
    } else if (!into.contains(k) || into[k] != v) {
      into[k] = v;
      changed = true;
    }
  }
  return changed;
}
}  // namespace

std::string WrittenStore::profile_id(uint32_t j) const {
  return ulid(profiles[j].created / 1000, permute(seed_ ^ kWProfile, j), kProfileTag);
}
uint64_t WrittenStore::event_tie(uint32_t j) const { return permute(seed_ ^ kWEvent, j); }
std::string WrittenStore::event_id(uint32_t j) const { return ulid(events[j].t / 1000, event_tie(j), kEventTag); }

std::optional<uint32_t> WrittenStore::find_profile(const std::string& id) const {
  return find_ulid(id, seed_ ^ kWProfile, kProfileTag, profiles.size(), [&](uint32_t j) { return profile_id(j); });
}
std::optional<uint32_t> WrittenStore::find_event(const std::string& id) const {
  return find_ulid(id, seed_ ^ kWEvent, kEventTag, events.size(), [&](uint32_t j) { return event_id(j); });
}
std::optional<uint32_t> WrittenStore::find_metric(const std::string& id) const { return find_in(metric_by_id_, id); }
std::optional<uint32_t> WrittenStore::find_job(const std::string& id) const { return find_in(job_by_id_, id); }

const std::string& WrittenStore::metric_ref_id(const Dataset& ds, uint32_t ref) const {
  return is_written(ref) ? metrics[widx(ref)].id : ds.metrics[ref].id;
}
const std::string& WrittenStore::metric_ref_name(const Dataset& ds, uint32_t ref) const {
  return is_written(ref) ? metrics[widx(ref)].name : ds.metrics[ref].name;
}

// ---- profiles -----------------------------------------------------------------------------------

void WrittenStore::touched_profiles() {
  n_profiles.store(uint32_t(profiles.size()));
  std::lock_guard<std::mutex> g(profile_orders.mu);
  profile_orders.orders.clear();
}

// Identifiers: a string sets (unless, for an event, another profile holds it), null clears in
// Import mode. The lookup maps follow.
bool WrittenStore::apply_identifiers(WProfile& p, uint32_t index, const json& attrs, UpsertMode mode) {
  bool changed = false;
  for (int k = 0; k < 4; ++k) {
    auto it = attrs.find(kIdNames[k]);
    if (it == attrs.end()) continue;
    std::string v = it->is_string() ? it->get<std::string>() : "";
    if (v.empty() && mode != UpsertMode::Import) continue;  // only profile-import clears (null)
    if (v == p.ids[k]) continue;
    if (!v.empty()) {
      auto owner = by_id_[k].find(v);
      if (owner != by_id_[k].end() && owner->second != index) continue;  // Event mode: stays with its owner
    }
    if (!p.ids[k].empty()) by_id_[k].erase(p.ids[k]);
    p.ids[k] = v;
    if (!v.empty()) by_id_[k][v] = index;
    changed = true;
  }
  return changed;
}

// Names, location and properties (location and properties merge key by key).
bool WrittenStore::apply_rest(WProfile& p, const json& attrs, UpsertMode mode) {
  const bool clears = mode == UpsertMode::Import;
  bool any = attrs.contains("location") || attrs.contains("properties");
  for (const char* f : kRestFields) any = any || attrs.contains(f);
  if (!any) return false;  // identifiers only (the usual event profile): nothing to parse
  json rest = p.rest.empty() ? json::object() : json::parse(p.rest);
  bool changed = false;
  for (const char* f : kRestFields) {
    auto it = attrs.find(f);
    if (it == attrs.end()) continue;
    if (it->is_null()) {
      if (clears && rest.contains(f)) changed = rest.erase(f) > 0;
    } else if (!rest.contains(f) || rest[f] != *it) {
      rest[f] = *it;
      changed = true;
    }
  }
  for (const char* f : {"location", "properties"}) {
    auto it = attrs.find(f);
    if (it == attrs.end()) continue;
    if (it->is_null()) {
      if (clears && rest.contains(f)) changed = rest.erase(f) > 0 || changed;
      continue;
    }
    if (!rest.contains(f)) rest[f] = json::object();
    changed = merge_object(rest[f], *it, clears) || changed;
  }
  if (changed) p.rest = rest.empty() ? "" : rest.dump();
  return changed;
}

UpsertResult WrittenStore::upsert_profile(const json& attrs, UpsertMode mode, int64_t now) {
  UpsertResult r;
  std::optional<uint32_t> primary;
  for (int k = 0; k < 4; ++k) {
    auto it = attrs.find(kIdNames[k]);
    if (it == attrs.end() || !it->is_string()) continue;
    auto m = find_in(by_id_[k], it->get<std::string>());
    if (!m) continue;
    if (!primary) primary = m;
    else if (*m != *primary && !r.conflict) r.conflict = m;
  }
  if (r.conflict && mode != UpsertMode::Event) {
    r.index = *primary;
    return r;
  }
  r.conflict.reset();
  if (!primary) {
    primary = uint32_t(profiles.size());
    WProfile p;
    p.created = p.updated = now;
    profiles.push_back(std::move(p));
    r.created = true;
  }
  r.index = *primary;
  WProfile& p = profiles[r.index];
  bool changed = apply_identifiers(p, r.index, attrs, mode);
  changed = apply_rest(p, attrs, mode) || changed;
  if (changed && !r.created) p.updated = now;
  if (changed || r.created) touched_profiles();
  return r;
}

// ---- metrics and events -------------------------------------------------------------------------

uint32_t WrittenStore::metric_for(const Dataset& ds, const std::string& name, int64_t now) {
  for (uint32_t i = 0; i < ds.metrics.size(); ++i)
    if (ds.metrics[i].name == name) return i;
  if (auto w = find_in(metric_by_name_, name)) return kWrittenBit | *w;
  uint32_t j = uint32_t(metrics.size());
  std::string id = short_id(seed_, kMetricKind, j);
  metrics.push_back({id, name, now - now % kUs});
  metric_by_name_[name] = j;
  metric_by_id_[id] = j;
  n_metrics.store(uint32_t(metrics.size()));
  return kWrittenBit | j;
}

uint16_t WrittenStore::currency_index(const std::string& code) {
  auto it = currency_by_code_.find(code);
  if (it != currency_by_code_.end()) return it->second;
  uint16_t i = uint16_t(std::min<size_t>(currencies.size(), 0xffff));
  if (i == 0xffff) return 0;  // more distinct codes than anyone sends: not kept
  currencies.push_back(code);
  currency_by_code_[code] = i;
  return i;
}

uint64_t WrittenStore::dedup_hash(const WEvent& e) const {
  uint64_t h = hash(seed_, 0xDED, e.profile, e.metric);
  if (!(e.flags & WEvent::kHasUid)) return hash(h, 1, uint64_t(e.t / kUs));
  return hash(h, 2, std::hash<std::string_view>{}(e.uid()));
}

bool WrittenStore::same_key(const WEvent& a, const WEvent& b) const {
  if (a.profile != b.profile || a.metric != b.metric) return false;
  bool ua = a.flags & WEvent::kHasUid, ub = b.flags & WEvent::kHasUid;
  if (ua != ub) return false;
  return ua ? a.uid() == b.uid() : a.t / kUs == b.t / kUs;
}

void WrittenStore::dedup_grow() {
  std::vector<uint32_t> old;
  old.swap(dedup_);
  dedup_.assign(std::max<size_t>(1024, old.size() * 2), 0);
  const size_t mask = dedup_.size() - 1;
  for (uint32_t slot : old) {
    if (!slot) continue;
    size_t k = dedup_hash(events[slot - 1]) & mask;
    while (dedup_[k]) k = (k + 1) & mask;
    dedup_[k] = slot;
  }
}

const char* WrittenStore::keep_text(std::string_view s) {
  if (s.size() > arena_left_) {
    arena_left_ = std::max<size_t>(s.size(), 4 << 20);
    arena_.push_back(std::make_unique<char[]>(arena_left_));
    arena_pos_ = arena_.back().get();
  }
  char* out = arena_pos_;
  std::copy(s.begin(), s.end(), out);
  arena_pos_ += s.size();
  arena_left_ -= s.size();
  return out;
}

bool WrittenStore::add_event(WEvent e) {
  if ((events.size() + 1) * 2 > dedup_.size()) dedup_grow();
  const size_t mask = dedup_.size() - 1;
  size_t k = dedup_hash(e) & mask;
  for (; dedup_[k]; k = (k + 1) & mask) {
    if (same_key(events[dedup_[k] - 1], e)) {
      ignored_duplicates++;
      return false;
    }
  }
  WProfile& p = profiles[e.profile];
  if (e.t > p.last_event) p.last_event = e.t;
  e.text = keep_text(std::string_view(e.text, size_t(e.uid_len) + e.props_len));
  events.push_back(e);
  dedup_[k] = uint32_t(events.size());
  n_events.store(uint32_t(events.size()));
  return true;
}

// ---- jobs ---------------------------------------------------------------------------------------

ImportJob& WrittenStore::add_job(std::vector<json> profs, int64_t now) {
  ImportJob job;
  uint32_t n = uint32_t(jobs.size());
  job.created = now;
  job.id = ulid(now / 1000, permute(seed_ ^ kWJob, n), kJobTag);
  job.total = uint32_t(profs.size());
  job.profiles = std::move(profs);
  job_by_id_[job.id] = n;
  jobs.push_back(std::move(job));
  return jobs.back();
}

void WrittenStore::complete_job(ImportJob& job, int64_t now) {
  for (uint32_t i = 0; i < job.profiles.size(); ++i) {
    UpsertResult r = upsert_profile(job.profiles[i], UpsertMode::Bulk, now);
    if (!r.conflict) {
      job.completed_count++;
      continue;
    }
    job.failed_count++;
    job.errors.push_back({i, "duplicate_profile", "Duplicate profile.",
                          "The identifiers of this profile belong to two different profiles (" + profile_id(r.index) +
                              ", " + profile_id(*r.conflict) + ").",
                          std::move(job.profiles[i])});
  }
  job.profiles.clear();
  job.profiles.shrink_to_fit();
  if (!job.started) job.started = now;
  job.completed = now;
  job.status = 2;
}

// ---- reads --------------------------------------------------------------------------------------

std::shared_ptr<const std::vector<uint32_t>> WrittenStore::event_order(const Dataset& ds) const {
  std::lock_guard<std::mutex> g(order_mu_);
  const uint64_t key[3] = {ds.version, ds.events.size(), events.size()};
  if (order_ && std::equal(key, key + 3, order_key_)) return order_;
  std::vector<uint32_t> w(events.size());
  for (uint32_t j = 0; j < w.size(); ++j) w[j] = j;
  auto wless = [&](uint32_t a, uint32_t b) {
    if (events[a].t != events[b].t) return events[a].t < events[b].t;
    return event_tie(a) < event_tie(b);
  };
  std::sort(w.begin(), w.end(), wless);
  auto merged = std::make_shared<std::vector<uint32_t>>();
  merged->reserve(ds.event_order.size() + w.size());
  auto gi = ds.event_order.begin();
  for (uint32_t j : w) {
    const int64_t t = events[j].t;
    const uint64_t tie = event_tie(j);
    while (gi != ds.event_order.end() &&
           (ds.events[*gi].t < t || (ds.events[*gi].t == t && ds.event_tie(*gi) < tie)))
      merged->push_back(*gi++);
    merged->push_back(kWrittenBit | j);
  }
  merged->insert(merged->end(), gi, ds.event_order.end());
  order_ = std::move(merged);
  std::copy(key, key + 3, order_key_);
  return order_;
}

json WrittenStore::event_item(const Dataset& ds, uint32_t j) const {
  const WEvent& e = events[j];
  const WProfile& p = profiles[e.profile];
  json prof = json::object();
  for (int k = 0; k < 4; ++k)
    if (!p.ids[k].empty()) prof[kIdNames[k]] = p.ids[k];
  json it = {{"id", event_id(j)},          {"metric", metric_ref_name(ds, e.metric)},
             {"profile", prof},            {"profile_id", profile_id(e.profile)},
             {"time", fmt_time(e.t, 0)},   {"properties", json::parse(e.props())}};
  if (e.flags & WEvent::kHasValue) it["value"] = e.value;
  if (e.currency) it["value_currency"] = currencies[e.currency];
  if (e.flags & WEvent::kHasUid) it["unique_id"] = std::string(e.uid());
  return it;
}

json WrittenStore::profile_item(uint32_t j) const {
  const WProfile& p = profiles[j];
  json it = p.rest.empty() ? json::object() : json::parse(p.rest);
  it["id"] = profile_id(j);
  for (int k = 0; k < 4; ++k)
    if (!p.ids[k].empty()) it[kIdNames[k]] = p.ids[k];
  return it;
}

json WrittenStore::written_doc(const Dataset& ds, const std::string& r, size_t offset, size_t limit,
                               std::string& err) const {
  json items = json::array();
  size_t n = r == "events" ? events.size() : r == "profiles" ? profiles.size() : r == "metrics" ? metrics.size()
           : r == "import_jobs" ? jobs.size() : SIZE_MAX;
  if (n == SIZE_MAX) {
    err = "unknown resource: " + r + " (events, profiles, metrics, import_jobs)";
    return nullptr;
  }
  for (size_t j = offset; j < n && j - offset < limit; ++j) {
    if (r == "events") {
      items.push_back(event_item(ds, uint32_t(j)));
    } else if (r == "profiles") {
      items.push_back(profile_item(uint32_t(j)));
    } else if (r == "metrics") {
      items.push_back({{"id", metrics[j].id}, {"name", metrics[j].name}});
    } else {
      const ImportJob& job = jobs[j];
      static const char* kStatus[] = {"queued", "processing", "complete"};
      items.push_back({{"id", job.id}, {"status", kStatus[job.status]}, {"total_count", job.total},
                       {"completed_count", job.completed_count}, {"failed_count", job.failed_count},
                       {"errors", job.errors.size()}});
    }
  }
  json doc = {{"resource", r}, {"count", n}, {"items", items}};
  if (r == "events") {
    doc["ignored_duplicates"] = ignored_duplicates;
    doc["discarded"] = discarded_events;
  }
  return doc;
}

}  // namespace sim
