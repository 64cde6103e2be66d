// resources/profiles.cpp — GET /api/profiles[/{id}], /api/lists|segments/{id}/profiles and
// /api/lists|segments/{id}/relationships/profiles (memberships with joined_group_at). Profiles
// render in profiles_render.cpp; profiles created by the write endpoints (written.h) are listed
// with the generated ones (kWrittenBit rows) and render in written_render.cpp.
#include "../jsonw.h"
#include "../render.h"
#include "../util.h"

namespace sim {

namespace {
const std::vector<std::string> kAnyEq{"any", "equals"}, kEq{"equals"}, kGtLt{"greater-than", "less-than"},
    kCmp{"greater-than", "greater-or-equal", "less-than", "less-or-equal"};
const std::string kSupp = "subscriptions.email.marketing.suppression.";
const std::string kLSupp = "subscriptions.email.marketing.list_suppressions.";

Val profile_val(const Ctx& c, uint32_t i, const std::string& f) {
  const Profile& p = c.ds.profiles[i];
  Val v;
  if (f == "id" || f == "profile_id") v.s = c.ds.profile_id(i);
  else if (f == "created") v.i = p.created;
  else if (f == "updated") v.i = p.updated;
  else if (f == "email" || f == "phone_number" || f == "external_id") {
    Contact ct = profile_contact(c.ds, i);
    auto& o = f == "email" ? ct.email : f == "phone_number" ? ct.phone : ct.external_id;
    v.present = o.has_value();
    if (o) v.s = *o;
  } else if (f == kSupp + "reason") {
    v.present = p.supp_ts != 0;
    v.s = suppression_reason(p.supp_reason);
  } else if (f == kSupp + "timestamp") {
    v.present = p.supp_ts != 0;
    v.i = p.supp_ts;
  } else if (f == kLSupp + "reason") {
    v.present = p.lsupp_ts != 0;
    v.s = "USER_SUPPRESSED";
  } else if (f == kLSupp + "list_id") {
    v.present = p.lsupp_ts != 0 && p.lsupp_list < c.ds.lists.size();
    if (v.present) v.s = c.ds.lists[p.lsupp_list].id;
  } else if (f == kLSupp + "timestamp") {
    v.present = p.lsupp_ts != 0;
    v.i = p.lsupp_ts;
  } else {
    v.present = false;  // _kx, push_token: never match
  }
  return v;
}

// A written profile's value for one filter/sort field (written.h; the caller holds its lock).
Val written_profile_val(const WrittenStore& W, uint32_t j, const std::string& f) {
  const WProfile& p = W.profiles[j];
  Val v;
  if (f == "id" || f == "profile_id") v.s = W.profile_id(j);
  else if (f == "created") v.i = p.created;
  else if (f == "updated") v.i = p.updated;
  else if (f == "email" || f == "phone_number" || f == "external_id") {
    v.s = p.ids[f == "email" ? 0 : f == "phone_number" ? 1 : 2];
    v.present = !v.s.empty();
  } else {
    v.present = false;  // no suppressions, _kx, push tokens
  }
  return v;
}

// Adds the written profiles (kWrittenBit rows) to the profiles collection; the caller holds the
// written store's lock while the page is made.
void add_written_rows(const Ctx& c, Collection& col) {
  const WrittenStore& W = *c.st.written;
  for (uint32_t j = 0; j < W.profiles.size(); ++j) col.rows.push_back(kWrittenBit | j);
  col.id = [&c, &W](uint32_t r) { return is_written(r) ? W.profile_id(widx(r)) : c.ds.profile_id(r); };
  col.get = [&c, &W](uint32_t r, const std::string& fld) {
    return is_written(r) ? written_profile_val(W, widx(r), fld) : profile_val(c, r, fld);
  };
  col.cache = &W.profile_orders;  // cleared whenever a written profile changes
  col.cache_key = "profiles|" + std::to_string(c.ds.version);
}

void write_written_row(const Ctx& c, JW& w, uint32_t j) {
  auto add = c.csv("additional-fields[profile]");
  json d = render_written_profile(c, *c.st.written, j, add.count("subscriptions") > 0,
                                  add.count("predictive_analytics") > 0);
  apply_fields(c, d);
  w.j(d);
}

// Appends the data array of profile resources (joined: per row joined_group_at, memberships;
// kWrittenBit rows: profiles created by the write endpoints).
void write_profiles(const Ctx& c, const ProfileWriter& pw, const std::vector<uint32_t>& profs, const std::vector<int64_t>* joined,
                    std::string& doc) {
  const bool fielded = c.has("fields[profile]");
  JW w(doc);
  std::string tmp;
  w.arr();
  for (size_t k = 0; k < profs.size(); ++k) {
    const int64_t* j = joined ? &(*joined)[k] : nullptr;
    if (is_written(profs[k])) {
      write_written_row(c, w, widx(profs[k]));
    } else if (!fielded) {
      pw.write(w, profs[k], j);
    } else {
      tmp.clear();
      JW tw(tmp);
      pw.write(tw, profs[k], j);
      write_fielded(c, w, tmp);
    }
  }
  w.end_arr();
}

void profiles(Ctx& c) {
  static const FieldTable f = {
      {"id", {FType::Str, kAnyEq}},          {"email", {FType::Str, kAnyEq}},
      {"phone_number", {FType::Str, kAnyEq}}, {"external_id", {FType::Str, kAnyEq}},
      {"_kx", {FType::Str, kEq}},            {"created", {FType::Time, kGtLt}},
      {"updated", {FType::Time, kGtLt}},     {kSupp + "reason", {FType::Str, kEq}},
      {kSupp + "timestamp", {FType::Time, kCmp}}, {kLSupp + "reason", {FType::Str, kEq}},
      {kLSupp + "list_id", {FType::Str, kEq}},    {kLSupp + "timestamp", {FType::Time, kCmp}}};
  ListSpec spec{&f,
                {"id", "created", "updated", "email", kSupp + "timestamp", kLSupp + "timestamp"},
                20, 100, {"conversations", "push-tokens"}, "profile", {"subscriptions", "predictive_analytics"}};
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  Collection col;
  col.filters = &f;
  col.default_sort = "id";
  col.rows.resize(c.ds.profiles.size());
  for (uint32_t i = 0; i < c.ds.profiles.size(); ++i) col.rows[i] = i;
  col.id = [&](uint32_t i) { return c.ds.profile_id(i); };
  col.get = [&](uint32_t i, const std::string& fld) { return profile_val(c, i, fld); };
  col.cache = &c.ds.order_cache;  // profile ids are unique
  col.cache_key = "profiles";
  std::shared_lock<std::shared_mutex> written_lock(c.st.written->mu, std::defer_lock);
  if (c.st.written->n_profiles.load(std::memory_order_relaxed) > 0) {
    written_lock.lock();
    add_written_rows(c, col);
  }
  auto pr = run_page(col, rq);
  auto add = c.csv("additional-fields[profile]");
  ProfileWriter pw(c, add.count("subscriptions") > 0, add.count("predictive_analytics") > 0);
  std::string doc;
  doc.reserve(pr.rows.size() * 4000 + 512);
  doc += "{\"data\":";
  write_profiles(c, pw, pr.rows, nullptr, doc);
  if (c.has("include")) doc += ",\"included\":[]";
  finish_list_raw(c, pr, std::move(doc));
}

// A profile created by the write endpoints (no list or segment memberships).
void profile_one_written(Ctx& c) {
  const WrittenStore& W = *c.st.written;
  std::shared_lock<std::shared_mutex> lk(W.mu);
  auto j = W.find_profile(c.pp[0]);
  if (!j) return (void)c.not_found("Profile");
  auto add = c.csv("additional-fields[profile]");
  json d = render_written_profile(c, W, *j, add.count("subscriptions") > 0, add.count("predictive_analytics") > 0);
  auto incs = c.csv("include");
  json inc = json::array();
  for (const char* g : {"lists", "segments"})
    if (incs.count(g)) d["relationships"][g]["data"] = json::array();
  finish_single(c, d, incs.empty() ? nullptr : &inc);
}

void profile_one(Ctx& c) {
  if (!check_params(c, {"conversations", "lists", "push-tokens", "segments"}, "profile", {"subscriptions", "predictive_analytics"}))
    return;
  auto i = c.ds.find_profile(c.pp[0]);
  if (!i) return profile_one_written(c);
  auto add = c.csv("additional-fields[profile]");
  json d = render_profile(c, *i, add.count("subscriptions"), add.count("predictive_analytics"));
  auto incs = c.csv("include");
  json inc = json::array();
  for (int seg = 0; seg < 2; ++seg) {
    const auto& G = seg ? c.ds.segments : c.ds.lists;
    json refs = json::array();
    for (uint32_t g = 0; g < G.size(); ++g)
      for (auto mi : G[g].members)
        if (c.ds.members[mi].profile == *i) {
          refs.push_back(ref(seg ? "segment" : "list", G[g].id));
          if (incs.count(seg ? "segments" : "lists")) inc.push_back(seg ? render_segment(c, g) : render_list(c, g));
        }
    if (incs.count(seg ? "segments" : "lists")) d["relationships"][seg ? "segments" : "lists"]["data"] = refs;
  }
  finish_single(c, d, incs.empty() ? nullptr : &inc);
}

void members(Ctx& c, bool seg, bool rel_only) {
  static const FieldTable fl = {{"email", {FType::Str, kAnyEq}}, {"phone_number", {FType::Str, kAnyEq}},
                                {"push_token", {FType::Str, kAnyEq}}, {"_kx", {FType::Str, kEq}},
                                {"joined_group_at", {FType::Time, kCmp}}};
  static const FieldTable fs = [] {
    FieldTable t = fl;
    t["profile_id"] = {FType::Str, kAnyEq};
    return t;
  }();
  const FieldTable& f = seg ? fs : fl;
  ListSpec spec{&f, {"joined_group_at"}, 20, 100, {}, rel_only ? "" : "profile",
                rel_only ? std::vector<std::string>{} : std::vector<std::string>{"subscriptions", "predictive_analytics"}};
  auto gi = seg ? c.ds.find_segment(c.pp[0]) : c.ds.find_list(c.pp[0]);
  if (!gi) return (void)c.not_found(seg ? "Segment" : "List");
  PageRequest rq;
  if (!prepare_list(c, spec, rq)) return;
  const Group& g = (seg ? c.ds.segments : c.ds.lists)[*gi];
  Collection col;
  col.filters = &f;
  col.default_sort = "joined_group_at";
  col.rows = g.members;
  col.id = [&](uint32_t m) { return c.ds.profile_id(c.ds.members[m].profile); };
  col.get = [&](uint32_t m, const std::string& fld) {
    if (fld == "joined_group_at") {
      Val v;
      v.i = c.ds.members[m].joined;
      return v;
    }
    return profile_val(c, c.ds.members[m].profile, fld);
  };
  col.cache = &c.ds.order_cache;  // a profile is a member of a group at most once: ids are unique
  col.cache_key = std::string(seg ? "segment-members:" : "list-members:") + std::to_string(*gi);
  auto pr = run_page(col, rq);
  std::string doc;
  doc.reserve(pr.rows.size() * (rel_only ? 48 : 4000) + 512);
  doc += "{\"data\":";
  if (rel_only) {
    JW w(doc);
    w.arr();
    char idb[26];
    for (auto m : pr.rows) {
      c.ds.profile_id_to(idb, c.ds.members[m].profile);
      w.obj().key("id").s(std::string_view(idb, 26)).key("type").s("profile").end_obj();
    }
    w.end_arr();
  } else {
    auto add = c.csv("additional-fields[profile]");
    ProfileWriter pw(c, add.count("subscriptions") > 0, add.count("predictive_analytics") > 0);
    std::vector<uint32_t> profs;
    std::vector<int64_t> joined;
    for (auto m : pr.rows) {
      profs.push_back(c.ds.members[m].profile);
      joined.push_back(c.ds.members[m].joined);
    }
    write_profiles(c, pw, profs, &joined, doc);
  }
  finish_list_raw(c, pr, std::move(doc));
}

// Predictive analytics are the M tier, other profile reads L.
Tier profile_tier(const Ctx& c) {
  if (c.csv("additional-fields[profile]").count("predictive_analytics")) return tiers::M;
  return tiers::L;
}
// A single profile with its lists or segments included is XS.
Tier profile_one_tier(const Ctx& c) {
  auto inc = c.csv("include");
  if (inc.count("lists") || inc.count("segments")) return tiers::XS;
  return profile_tier(c);
}
}  // namespace

void add_profile_routes(std::vector<Route>& r) {
  r.insert(r.end(), {
      // method, pattern, scopes, tier, handler[, tier rule]
      {"GET", "/api/profiles", {"profiles"}, tiers::L, profiles, profile_tier},
      {"GET", "/api/profiles/{id}", {"profiles"}, tiers::L, profile_one, profile_one_tier},
      {"GET", "/api/lists/{id}/profiles", {"lists", "profiles"}, tiers::L, [](Ctx& c) { members(c, false, false); },
       profile_tier},
      {"GET", "/api/segments/{id}/profiles", {"segments", "profiles"}, tiers::L, [](Ctx& c) { members(c, true, false); },
       profile_tier},
      {"GET", "/api/lists/{id}/relationships/profiles", {"lists", "profiles"}, tiers::L,
       [](Ctx& c) { members(c, false, true); }},
      {"GET", "/api/segments/{id}/relationships/profiles", {"segments", "profiles"}, tiers::L,
       [](Ctx& c) { members(c, true, true); }},
  });
}

}  // namespace sim
