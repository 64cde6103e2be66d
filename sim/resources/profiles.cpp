// resources/profiles.cpp — GET /api/profiles[/{id}], /api/lists|segments/{id}/profiles and
// /api/lists|segments/{id}/relationships/profiles (memberships with joined_group_at).
#include "../render.h"
#include "../util.h"

namespace sim {

namespace {
const std::vector<std::string> kAnyEq{"any", "equals"}, kEq{"equals"}, kGtLt{"greater-than", "less-than"},
    kCmp{"greater-than", "greater-or-equal", "less-than", "less-or-equal"};
const std::string kSupp = "subscriptions.email.marketing.suppression.";
const std::string kLSupp = "subscriptions.email.marketing.list_suppressions.";
const char* kReasons[] = {"HARD_BOUNCE", "INVALID_EMAIL", "SPAM_COMPLAINT", "UNSUBSCRIBE", "USER_SUPPRESSED"};

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
    v.s = kReasons[p.supp_reason % 5];
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
  for (uint32_t i = 0; i < c.ds.profiles.size(); ++i) col.rows.push_back(i);
  col.id = [&](uint32_t i) { return c.ds.profile_id(i); };
  col.get = [&](uint32_t i, const std::string& fld) { return profile_val(c, i, fld); };
  auto pr = run_page(col, rq);
  auto add = c.csv("additional-fields[profile]");
  json data = json::array();
  for (auto r : pr.rows) data.push_back(render_profile(c, r, add.count("subscriptions"), add.count("predictive_analytics")));
  json inc = json::array();
  finish_list(c, pr, std::move(data), c.has("include") ? &inc : nullptr);
}

void profile_one(Ctx& c) {
  if (!check_params(c, {"conversations", "lists", "push-tokens", "segments"}, "profile", {"subscriptions", "predictive_analytics"}))
    return;
  auto i = c.ds.find_profile(c.pp[0]);
  if (!i) return (void)c.not_found("Profile");
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
  auto pr = run_page(col, rq);
  auto add = c.csv("additional-fields[profile]");
  json data = json::array();
  for (auto m : pr.rows) {
    uint32_t p = c.ds.members[m].profile;
    if (rel_only) {
      data.push_back(ref("profile", c.ds.profile_id(p)));
    } else {
      json d = render_profile(c, p, add.count("subscriptions"), add.count("predictive_analytics"));
      d["attributes"]["joined_group_at"] = fmt_t(c.ds.members[m].joined, c.ds.members[m].joined % kUs ? 1 : 0);
      data.push_back(std::move(d));
    }
  }
  finish_list(c, pr, std::move(data), nullptr);
}

Tier profile_tier(const Ctx& c) {
  if (c.csv("additional-fields[profile]").count("predictive_analytics")) return tiers::M;
  return tiers::L;
}
}  // namespace

void add_profile_routes(std::vector<Route>& r) {
  r.push_back({"GET", "/api/profiles", {"profiles"}, profile_tier, profiles});
  r.push_back({"GET", "/api/profiles/{id}", {"profiles"},
               [](const Ctx& c) {
                 auto inc = c.csv("include");
                 if (inc.count("lists") || inc.count("segments")) return tiers::XS;
                 return profile_tier(c);
               },
               profile_one});
  r.push_back({"GET", "/api/lists/{id}/profiles", {"lists", "profiles"}, profile_tier, [](Ctx& c) { members(c, false, false); }});
  r.push_back({"GET", "/api/segments/{id}/profiles", {"segments", "profiles"}, profile_tier, [](Ctx& c) { members(c, true, false); }});
  r.push_back({"GET", "/api/lists/{id}/relationships/profiles", {"lists", "profiles"}, [](const Ctx&) { return tiers::L; },
               [](Ctx& c) { members(c, false, true); }});
  r.push_back({"GET", "/api/segments/{id}/relationships/profiles", {"segments", "profiles"}, [](const Ctx&) { return tiers::L; },
               [](Ctx& c) { members(c, true, true); }});
}

}  // namespace sim
