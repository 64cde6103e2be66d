// Named hooks of the stream table (see hooks.h). Switches are exhaustive over Hook.
#include "source/streams/hooks.h"

#include <cstdint>
#include <initializer_list>
#include <optional>

namespace sk::streams {

using nlohmann::json;

bool transforms_records(const StreamSpec& spec) {
  for (Hook h : spec.hooks) {
    switch (h) {
      case Hook::CampaignChannel:
      case Hook::MergeIncluded:
      case Hook::SuppressedOnly:
      case Hook::ProfileId:
      case Hook::CampaignDetails:
        return true;
    }
  }
  return false;
}

IncludedIndex::IncludedIndex(const json& doc) {
  auto inc = doc.find("included");
  if (inc == doc.end() || !inc->is_array()) return;
  for (const auto& item : *inc) {
    if (!item.is_object()) continue;
    auto t = item.find("type");
    auto i = item.find("id");
    if (t != item.end() && i != item.end() && t->is_string() && i->is_string())
      by_key_[{t->get<std::string>(), i->get<std::string>()}] = &item;
  }
}

const json* IncludedIndex::find(const json& type, const json& id) const {
  if (!type.is_string() || !id.is_string()) return nullptr;
  auto it = by_key_.find({type.get<std::string>(), id.get<std::string>()});
  return it == by_key_.end() ? nullptr : it->second;
}

namespace {

void merge_one(const IncludedIndex& included, json& ref) {
  if (!ref.is_object()) return;
  const json* full = included.find(ref.value("type", json()), ref.value("id", json()));
  if (!full) return;
  if (auto a = full->find("attributes"); a != full->end() && a->is_object())
    for (const auto& [k, v] : a->items()) ref[k] = v;
  if (auto r = full->find("relationships"); r != full->end()) ref["relationships"] = *r;
}

void merge_included(const IncludedIndex& included, json& record) {
  auto rels = record.find("relationships");
  if (rels == record.end() || !rels->is_object()) return;
  for (auto& [name, rel] : rels->items()) {
    if (!rel.is_object()) continue;
    auto data = rel.find("data");
    if (data == rel.end()) continue;
    if (data->is_array()) {
      for (auto& item : *data) merge_one(included, item);
    } else {
      merge_one(included, *data);
    }
  }
}

bool keep_suppressed(json& record) {
  auto attrs = record.find("attributes");
  if (attrs == record.end() || !attrs->is_object()) return false;
  json* marketing = nullptr;
  if (auto s = attrs->find("subscriptions"); s != attrs->end() && s->is_object())
    if (auto e = s->find("email"); e != s->end() && e->is_object())
      if (auto m = e->find("marketing"); m != e->end() && m->is_object()) marketing = &*m;
  if (!marketing) return false;
  auto sup = marketing->find("suppression");
  if (sup == marketing->end() || sup->is_null() || (sup->is_array() && sup->empty())) return false;
  json moved = std::move(*sup);
  marketing->erase("suppression");
  (*marketing)["suppressions"] = std::move(moved);
  return true;
}

}  // namespace

bool apply_record_hooks(const StreamSpec& spec, const Partition& part, const IncludedIndex& included, json& record) {
  for (Hook h : spec.hooks) {
    switch (h) {
      case Hook::CampaignChannel: {
        auto& attrs = record["attributes"];
        if (attrs.is_null()) attrs = json::object();
        if (attrs.is_object()) attrs["channel"] = part.channel;
        break;
      }
      case Hook::MergeIncluded:
        merge_included(included, record);
        break;
      case Hook::SuppressedOnly:
        if (!keep_suppressed(record)) return false;
        break;
      case Hook::ProfileId:
        record["profile_id"] = record.value("id", json());
        break;
      case Hook::CampaignDetails:  // applied by apply_call_hooks
        break;
    }
  }
  return true;
}

namespace {

// The member at `path` of nested objects, or null when any step is missing or not an object.
json member_at(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(k);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return *cur;
}

// A GET of a related resource; nullopt when the status table says it is absent (a 404 Lookup).
// Other non-2xx statuses throw the table's error.
std::optional<json> lookup(klaviyo::Api& api, const std::string& url, klaviyo::CallInfo info) {
  klaviyo::Reply r = api.get_raw(url, info);
  if (r.status >= 200 && r.status < 300) return std::move(r.doc);
  const klaviyo::Verdict v = klaviyo::judge(r.status, r.doc, "GET " + url, info.scope, klaviyo::CallKind::Lookup);
  if (v.action == klaviyo::Action::Absent) return std::nullopt;
  throw SourceError(v.failure);
}

// The row's detail_path with {id} filled in (percent-encoded).
std::string detail_url(const StreamSpec& spec, klaviyo::Api& api, const std::string& id) {
  std::string path(spec.detail_path);
  if (auto pos = path.find("{id}"); pos != std::string::npos) path.replace(pos, 4, klaviyo::percent_encode(id));
  return api.url(path);
}

void add_campaign_details(const StreamSpec& spec, klaviyo::Api& api, json& record) {
  const json id = record.value("id", json());
  if (!id.is_string()) return;
  const klaviyo::CallInfo info{spec.tier, spec.scope};

  std::int64_t count = 0;
  if (auto doc = lookup(api, detail_url(spec, api, id.get<std::string>()), info); doc && doc->is_object()) {
    const json n = member_at(*doc, {"data", "attributes", "estimated_recipient_count"});
    if (n.is_number_integer()) count = n.get<std::int64_t>();
  }
  record["estimated_recipient_count"] = count;

  const json related = member_at(record, {"relationships", "campaign-messages", "links", "related"});
  if (!related.is_string() || related.get_ref<const std::string&>().empty()) return;
  const std::string& url = related.get_ref<const std::string&>();
  if (!api.same_origin(url)) return;  // never send the key to another host
  json messages = json::array();
  if (auto doc = lookup(api, url, info); doc && doc->is_object()) {
    auto data = doc->find("data");
    if (data != doc->end() && data->is_array()) messages = std::move(*data);
    else if (data != doc->end() && data->is_object()) messages.push_back(std::move(*data));
  }
  record["campaign_messages"] = std::move(messages);
}

}  // namespace

void apply_call_hooks(const StreamSpec& spec, klaviyo::Api& api, json& record) {
  for (Hook h : spec.hooks) {
    switch (h) {
      case Hook::CampaignChannel:
      case Hook::MergeIncluded:
      case Hook::SuppressedOnly:
      case Hook::ProfileId:
        break;
      case Hook::CampaignDetails:
        add_campaign_details(spec, api, record);
        break;
    }
  }
}

}  // namespace sk::streams
