// resources/writes.cpp — POST /api/event-bulk-create-jobs (every entry validated, all errors in one
// 400, else 202 and every event stored), POST /api/profile-import (201 created / 200 updated / 409
// duplicate_profile), POST /api/profile-bulk-import-jobs and its GET and import-errors. Records go to
// the WrittenStore (written.h); written records render in written_render.cpp.
#include <unordered_map>
#include <unordered_set>

#include "../render.h"
#include "../util.h"
#include "write_checks.h"

namespace sim {

namespace {
const std::string kEntries = "/data/attributes/events-bulk-create/data";
constexpr int64_t kYearUs = 365 * kDayUs;
constexpr int64_t k1990Us = 631152000LL * kUs;  // 1990-01-01T00:00:00Z

// One event of an entry, validated.
struct EventIn {
  const json* attrs;
  std::string metric;
  int64_t t;  // whole seconds; 0 = the request's time
};
struct EntryIn {
  const json* profile;
  std::vector<EventIn> events;
};

// The optional fields of an event: time (ISO-8601, after 1990, <= now + 1 year), value (number),
// value_currency and unique_id (strings); null means absent.
void check_event_fields(const json& a, const std::string& ptr, int64_t now, EventIn& ev, WriteErrors& e) {
  auto it = a.find("time");
  if (it != a.end() && !it->is_null()) {
    auto t = it->is_string() ? parse_time(it->get_ref<const std::string&>()) : std::nullopt;
    if (!t) e.add(ptr + "/time", "Invalid datetime: expected an ISO 8601 date-time string.");
    else if (*t <= k1990Us) e.add(ptr + "/time", "The time must be after 1990-01-01T00:00:00+00:00.");
    else if (*t > now + kYearUs) e.add(ptr + "/time", "The time can be at most one year in the future.");
    else ev.t = *t - ((*t % kUs) + kUs) % kUs;
  }
  it = a.find("value");
  if (it != a.end() && !it->is_null() && !it->is_number()) e.add(ptr + "/value", "Must be a number.");
  for (const char* f : {"value_currency", "unique_id"}) {
    it = a.find(f);
    if (it != a.end() && !it->is_null() && !it->is_string()) e.add(ptr + "/" + f, "Must be a string.");
  }
  it = a.find("properties");
  if (it == a.end() || !it->is_object()) e.add(ptr + "/properties", "This field is required and must be an object.");
}

// Event j of an entry at ptr (…/events/data/j): a resource of type event with a metric name.
void check_event(const json& obj, const std::string& ptr, int64_t now, EntryIn& entry, WriteErrors& e) {
  const json* a = resource_attributes(obj, "event", ptr, e);
  if (!a) return;
  EventIn ev{a, "", 0};
  auto m = a->find("metric");
  const std::string mptr = ptr + "/attributes/metric";
  if (const json* ma = typed_attributes(m == a->end() ? nullptr : &*m, "metric", mptr, e)) {
    auto n = ma->find("name");
    if (n == ma->end() || !n->is_string() || n->get_ref<const std::string&>().empty())
      e.add(mptr + "/data/attributes/name", "The metric name is required.");
    else if (utf8_length(n->get_ref<const std::string&>()) >= 128)
      e.add(mptr + "/data/attributes/name", "The metric name must be fewer than 128 characters.");
    else ev.metric = n->get<std::string>();
  }
  check_event_fields(*a, ptr + "/attributes", now, ev, e);
  entry.events.push_back(std::move(ev));
}

// In-request duplicates: the same (profile, metric, unique_id) twice fails the whole request.
void check_duplicates(const std::vector<EntryIn>& entries, WriteErrors& e) {
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].profile) continue;
    std::string who = profile_identity(*entries[i].profile);
    for (size_t j = 0; j < entries[i].events.size(); ++j) {
      const EventIn& ev = entries[i].events[j];
      auto u = ev.attrs->find("unique_id");
      if (who.empty() || ev.metric.empty() || u == ev.attrs->end() || !u->is_string()) continue;
      const std::string& uid = u->get_ref<const std::string&>();
      if (seen.insert(who + '\x1f' + ev.metric + '\x1f' + uid).second) continue;
      e.add(kEntries + "/" + std::to_string(i) + "/attributes/events/data/" + std::to_string(j) + "/attributes/unique_id",
            "unique_id '" + uid + "' is repeated for the same profile and metric in this request; no events were processed.",
            "duplicate_unique_id", "Duplicate unique_id.");
    }
  }
}

// Validates the whole body; the entries (for storage) when there is no error.
std::vector<EntryIn> check_bulk_events(const json& body, int64_t now, WriteErrors& e) {
  std::vector<EntryIn> entries;
  const json* attrs = typed_attributes(&body, "event-bulk-create-job", "", e);
  if (!attrs) return entries;
  auto ebc = attrs->find("events-bulk-create");
  if (ebc == attrs->end() || !ebc->is_object()) {
    e.add("/data/attributes/events-bulk-create", "This field is required and must be an object.");
    return entries;
  }
  const json* data = array_member(*ebc, "data", "/data/attributes/events-bulk-create", e);
  if (!data) return entries;
  if (data->empty() || data->size() > 1000) {
    e.add(kEntries, "Must contain between 1 and 1000 entries.");
    return entries;
  }
  size_t total = 0;
  for (size_t i = 0; i < data->size(); ++i) {
    const std::string ptr = kEntries + "/" + std::to_string(i);
    EntryIn entry{nullptr, {}};
    const json* a = resource_attributes((*data)[i], "event-bulk-create", ptr, e);
    if (!a) continue;
    auto p = a->find("profile");
    entry.profile = typed_attributes(p == a->end() ? nullptr : &*p, "profile", ptr + "/attributes/profile", e);
    if (entry.profile) check_profile(*entry.profile, ptr + "/attributes/profile/data/attributes", e);
    auto ev = a->find("events");
    const json* evs = ev != a->end() && ev->is_object() ? array_member(*ev, "data", ptr + "/attributes/events", e) : nullptr;
    if (ev == a->end() || !ev->is_object()) e.add(ptr + "/attributes/events", "This field is required.");
    for (size_t j = 0; evs && j < evs->size(); ++j)
      check_event((*evs)[j], ptr + "/attributes/events/data/" + std::to_string(j), now, entry, e);
    total += entry.events.size();
    entries.push_back(std::move(entry));
  }
  if (total > 1000) e.add(kEntries, "A request may create at most 1000 events (" + std::to_string(total) + " given).");
  check_duplicates(entries, e);
  return entries;
}

// The stored form of a validated event; its text (unique_id + properties) is built in `text`.
WEvent make_event(WrittenStore& W, const EventIn& ev, uint32_t profile, uint32_t metric, int64_t now,
                  std::string& text) {
  const json& a = *ev.attrs;
  WEvent w{};
  w.t = ev.t ? ev.t : now - now % kUs;
  w.profile = profile;
  w.metric = metric;
  auto it = a.find("value");
  if (it != a.end() && it->is_number()) {
    w.value = it->get<double>();
    w.flags |= WEvent::kHasValue;
  }
  it = a.find("value_currency");
  if (it != a.end() && it->is_string()) w.currency = W.currency_index(it->get<std::string>());
  it = a.find("unique_id");
  text.clear();
  if (it != a.end() && it->is_string()) {
    text = it->get_ref<const std::string&>();
    w.uid_len = uint32_t(text.size());
    w.flags |= WEvent::kHasUid;
  }
  text += a.at("properties").dump();
  w.props_len = uint32_t(text.size() - w.uid_len);
  w.text = text.data();
  return w;
}

void store_events(Ctx& c, const std::vector<EntryIn>& entries, int64_t now) {
  WrittenStore& W = *c.st.written;
  std::unique_lock<std::shared_mutex> lk(W.mu);
  if (!c.st.cfg.store_written) {
    for (auto& en : entries) W.discarded_events += en.events.size();
    return;
  }
  std::unordered_map<std::string, uint32_t> metric_of;  // this request's names
  std::string text;
  for (auto& en : entries) {
    uint32_t profile = W.upsert_profile(*en.profile, UpsertMode::Event, now).index;
    for (auto& ev : en.events) {
      auto m = metric_of.find(ev.metric);
      if (m == metric_of.end()) m = metric_of.emplace(ev.metric, W.metric_for(c.ds, ev.metric, now)).first;
      W.add_event(make_event(W, ev, profile, m->second, now, text));
    }
  }
}

void event_bulk_create(Ctx& c) {
  auto body = parse_write_body(c, kMaxWriteBody);
  if (!body) return;
  const int64_t now = now_us();
  WriteErrors e;
  auto entries = check_bulk_events(*body, now, e);
  if (!e.empty()) return e.fail(c);
  store_events(c, entries, now);
  c.status = 202;
  c.body.clear();
}

// ---- profiles -----------------------------------------------------------------------------------

void profile_import(Ctx& c) {
  if (!check_params(c, {}, "profile", {"subscriptions", "predictive_analytics"})) return;
  auto body = parse_write_body(c, kMaxWriteBody);
  if (!body) return;
  WriteErrors e;
  const json* a = typed_attributes(&*body, "profile", "", e);
  if (a) check_profile(*a, "/data/attributes", e);
  if (!e.empty()) return e.fail(c);
  WrittenStore& W = *c.st.written;
  std::unique_lock<std::shared_mutex> lk(W.mu);
  UpsertResult r = W.upsert_profile(*a, UpsertMode::Import, now_us());
  if (r.conflict) {
    json err = json::parse(error_body(409, "duplicate_profile", "Conflict.",
                                      "A profile already exists with one of these identifiers.", "pointer",
                                      "/data/attributes"));
    err["errors"][0]["meta"] = {{"duplicate_profile_id", W.profile_id(*r.conflict)}};
    c.status = 409;
    c.body = err.dump();
    return;
  }
  auto add = c.csv("additional-fields[profile]");
  json d = render_written_profile(c, W, r.index, add.count("subscriptions") > 0, add.count("predictive_analytics") > 0);
  apply_fields(c, d);
  c.status = r.created ? 201 : 200;
  c.body = json{{"data", std::move(d)}, {"links", {{"self", c.res_url("profiles", W.profile_id(r.index))}}}}.dump();
}

json job_resource(const Ctx& c, const ImportJob& j) {
  static const char* kStatus[] = {"queued", "processing", "complete"};
  const std::string plural = "profile-bulk-import-jobs";
  return {{"type", "profile-bulk-import-job"},
          {"id", j.id},
          {"attributes",
           {{"status", kStatus[j.status]}, {"created_at", tstr(j.created)}, {"total_count", j.total},
            {"completed_count", j.completed_count}, {"failed_count", j.failed_count},
            {"completed_at", opt_time(j.completed)}, {"expires_at", tstr(j.created + 7 * kDayUs)},
            {"started_at", opt_time(j.started)}}},
          {"relationships",
           {{"lists", rel_many(c, json::array(), plural, j.id, "lists")},
            {"profiles", rel_many(c, json::array(), plural, j.id, "profiles")}}},
          {"links", {{"self", c.res_url(plural, j.id)}}}};
}

void bulk_import(Ctx& c) {
  if (!check_params(c, {})) return;
  auto body = parse_write_body(c, kMaxWriteBody);
  if (!body) return;
  WriteErrors e;
  const json* a = typed_attributes(&*body, "profile-bulk-import-job", "", e);
  auto ps = a ? a->find("profiles") : json::const_iterator();
  const json* data = !a ? nullptr
                     : ps != a->end() && ps->is_object() ? array_member(*ps, "data", "/data/attributes/profiles", e)
                                                         : nullptr;
  if (a && (ps == a->end() || !ps->is_object())) e.add("/data/attributes/profiles", "This field is required.");
  if (data && (data->empty() || data->size() > 10000))
    e.add("/data/attributes/profiles/data", "Must contain between 1 and 10000 profiles.");
  std::vector<json> profiles;
  for (size_t i = 0; data && i < data->size() && i < 10000; ++i) {
    const std::string ptr = "/data/attributes/profiles/data/" + std::to_string(i);
    const json* pa = resource_attributes((*data)[i], "profile", ptr, e);
    if (pa) check_profile(*pa, ptr + "/attributes", e);
    if (pa && e.empty()) profiles.push_back(*pa);
  }
  if (!e.empty()) return e.fail(c);
  WrittenStore& W = *c.st.written;
  std::unique_lock<std::shared_mutex> lk(W.mu);
  const ImportJob& job = W.add_job(std::move(profiles), now_us());
  c.status = 202;
  c.body = json{{"data", job_resource(c, job)}}.dump();
}

// GET advances the job: queued -> processing (first GET) -> complete (second GET; profiles applied).
void bulk_import_job(Ctx& c) {
  if (!check_params(c, {"lists"})) return;
  WrittenStore& W = *c.st.written;
  std::unique_lock<std::shared_mutex> lk(W.mu);
  auto j = W.find_job(c.pp[0]);
  if (!j) return (void)c.not_found("Profile bulk import job");
  ImportJob& job = W.jobs[*j];
  const int64_t now = now_us();
  if (job.status == 0) {
    job.status = 1;
    job.started = now;
  } else if (job.status == 1) {
    W.complete_job(job, now);
  }
  json inc = json::array();
  finish_single(c, job_resource(c, job), c.has("include") ? &inc : nullptr);
}

void import_errors(Ctx& c) {
  ListSpec spec{nullptr, {}, 20, 100, {}, "", {}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  WrittenStore& W = *c.st.written;
  std::shared_lock<std::shared_mutex> lk(W.mu);
  auto j = W.find_job(c.pp[0]);
  if (!j) return (void)c.not_found("Profile bulk import job");
  const ImportJob& job = W.jobs[*j];
  static const FieldTable order = {{"index", {FType::Time, {}}}};
  const uint64_t jh = std::hash<std::string>{}(job.id);
  auto err_id = [jh](uint32_t k) { return uuid_from(hash(jh, 0x1E, k), hash(jh, 0x1F, k)); };
  Collection col;
  col.filters = &order;
  col.default_sort = "index";
  for (uint32_t k = 0; k < job.errors.size(); ++k) col.rows.push_back(k);
  col.id = err_id;
  col.get = [&](uint32_t k, const std::string&) {
    Val v;
    v.i = job.errors[k].index;
    return v;
  };
  auto pr = run_page(col, rq);
  json data = json::array();
  for (auto k : pr.rows) {
    const ImportError& er = job.errors[k];
    data.push_back({{"type", "import-error"},
                    {"id", err_id(k)},
                    {"attributes",
                     {{"code", er.code}, {"title", er.title}, {"detail", er.detail},
                      {"source", {{"pointer", "/data/attributes/profiles/data/" + std::to_string(er.index)}}},
                      {"original_payload", er.payload}}}});
  }
  finish_list(c, pr, std::move(data), nullptr);
}
}  // namespace

void add_write_routes(std::vector<Route>& r) {
  r.insert(r.end(), {
      // method, pattern, scopes, tier, handler
      {"POST", "/api/event-bulk-create-jobs", {"events:write"}, tiers::M, event_bulk_create},
      {"POST", "/api/profile-import", {"profiles:write"}, tiers::L, profile_import},
      {"POST", "/api/profile-bulk-import-jobs", {"profiles:write", "lists:write"}, tiers::M, bulk_import},
      {"GET", "/api/profile-bulk-import-jobs/{id}", {"lists", "profiles"}, tiers::M, bulk_import_job},
      {"GET", "/api/profile-bulk-import-jobs/{id}/import-errors", {"profiles"}, tiers::M, import_errors},
  });
}

}  // namespace sim
