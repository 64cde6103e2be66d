// api.cpp — JSON:API helpers shared by the endpoint handlers: error responses, parameter
// validation for list endpoints, links (self/next/prev as absolute URLs), sparse fieldsets.
#include "api.h"

#include <httplib.h>

#include <sstream>

#include "jsonw.h"
#include "util.h"

namespace sim {

bool Ctx::bad(const std::string& detail, const std::string& param, const std::string& code) {
  status = 400;
  body = error_body(400, code, "Invalid input.", detail, param.empty() ? "" : "parameter", param);
  return false;
}

bool Ctx::not_found(const std::string& what) {
  status = 404;
  body = error_body(404, "not_found", "Not found.", what + " not found.");
  return false;
}

std::set<std::string> Ctx::csv(const std::string& k) const {
  std::set<std::string> out;
  std::stringstream ss(get(k));
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.insert(item);
  return out;
}

static uint64_t fnv(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  return h;
}

static uint64_t query_hash(const Ctx& c) {
  return fnv(c.path + "|" + c.get("filter") + "|" + c.get("sort")) >> 1;  // fits in int64 JSON
}

bool check_params(Ctx& c, const std::vector<std::string>& includes, const std::string& add_type,
                  const std::vector<std::string>& additional) {
  for (auto& inc : c.csv("include"))
    if (std::find(includes.begin(), includes.end(), inc) == includes.end())
      return c.bad("'" + inc + "' is not a valid relationship field for the resource.", "include");
  for (auto& [k, v] : c.q) {
    if (k.rfind("additional-fields[", 0) == 0) {
      if (k != "additional-fields[" + add_type + "]")
        return c.bad("'" + k + "' is not a valid additional-fields parameter.", k);
      for (auto& a : c.csv(k))
        if (std::find(additional.begin(), additional.end(), a) == additional.end())
          return c.bad("'" + a + "' is not a valid field for the resource '" + add_type + "'.", k);
    }
  }
  return true;
}

bool prepare_list(Ctx& c, const ListSpec& spec, PageRequest& out) {
  if (!check_params(c, spec.includes, spec.additional_type, spec.additional)) return false;
  if (c.has("filter")) {
    if (!spec.filters || spec.filters->empty()) return c.bad("Filtering is not supported for this endpoint.", "filter");
    auto fr = parse_filter(c.get("filter"), *spec.filters, now_us());
    if (!fr.error.empty()) return c.bad(fr.error, "filter");
    out.conds = std::move(fr.conds);
  }
  if (c.has("sort")) {
    std::string s = c.get("sort");
    out.desc = !s.empty() && s[0] == '-';
    if (out.desc) s = s.substr(1);
    if (std::find(spec.sorts.begin(), spec.sorts.end(), s) == spec.sorts.end())
      return c.bad("'" + c.get("sort") + "' is not a valid sort field.", "sort");
    out.sort = s;
  }
  out.size = size_t(spec.page_default);
  if (c.has("page[size]")) {
    if (spec.page_max == 0) return c.bad("'page[size]' is not a valid parameter for this endpoint.", "page[size]");
    std::string v = c.get("page[size]");
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end || n < 1 || n > spec.page_max)
      return c.bad("Page size must be an integer between 1 and " + std::to_string(spec.page_max) + ".", "page[size]");
    out.size = size_t(n);
  }
  if (c.has("page[cursor]")) {
    auto cur = decode_cursor(c.get("page[cursor]"));
    if (!cur || cur->qhash != query_hash(c)) return c.bad("Invalid page cursor provided.", "page[cursor]");
    out.cursor = cur;
  }
  return true;
}

json ref(const std::string& type, const std::string& id) { return json{{"type", type}, {"id", id}}; }

json rel_one(const Ctx& c, const std::string& type, const std::string& id, const std::string& self_plural,
             const std::string& self_id, const std::string& name) {
  std::string b = c.base + "/api/" + self_plural + "/" + self_id;
  return json{{"data", ref(type, id)}, {"links", {{"self", b + "/relationships/" + name + "/"}, {"related", b + "/" + name + "/"}}}};
}

json rel_many(const Ctx& c, const json& data, const std::string& self_plural, const std::string& self_id,
              const std::string& name) {
  std::string b = c.base + "/api/" + self_plural + "/" + self_id;
  return json{{"data", data}, {"links", {{"self", b + "/relationships/" + name + "/"}, {"related", b + "/" + name + "/"}}}};
}

void apply_fields(const Ctx& c, json& obj) {
  if (!obj.is_object() || !obj.contains("type")) return;
  std::string key = "fields[" + obj["type"].get<std::string>() + "]";
  if (!c.has(key) || !obj.contains("attributes")) return;
  json& attrs = obj["attributes"];
  json keep = json::object();
  for (auto& f : c.csv(key)) {
    // dotted sub-fields: location.city
    std::vector<std::string> parts;
    std::stringstream ss(f);
    std::string p;
    while (std::getline(ss, p, '.')) parts.push_back(p);
    const json* src = &attrs;
    bool ok = true;
    for (auto& part : parts) {
      if (!src->is_object() || !src->contains(part)) {
        ok = false;
        break;
      }
      src = &(*src)[part];
    }
    if (!ok) continue;
    json* dst = &keep;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      if (!dst->contains(parts[i])) (*dst)[parts[i]] = json::object();
      dst = &(*dst)[parts[i]];
    }
    (*dst)[parts.back()] = *src;
  }
  attrs = std::move(keep);
}

void include_once(json& included, std::set<std::string>& seen, json obj) {
  std::string k = obj["type"].get<std::string>() + "/" + obj["id"].get<std::string>();
  if (seen.insert(k).second) included.push_back(std::move(obj));
}

static std::string self_url(const Ctx& c) {
  std::string t = c.req.target;
  auto qpos = t.find('?');
  std::string out = c.base + c.req.path;
  if (qpos != std::string::npos && qpos + 1 < t.size()) out += t.substr(qpos);
  return out;
}

static std::string with_cursor(const Ctx& c, const std::string& cursor) {
  std::string t = c.req.target;
  auto qpos = t.find('?');
  std::string rawq = qpos == std::string::npos ? "" : t.substr(qpos + 1);
  std::string kept;
  std::stringstream ss(rawq);
  std::string part;
  while (std::getline(ss, part, '&')) {
    if (part.empty()) continue;
    std::string k = url_decode(part.substr(0, part.find('=')), true);
    if (k == "page[cursor]") continue;
    kept += (kept.empty() ? "" : "&") + part;
  }
  return c.base + c.req.path + "?" + kept + (kept.empty() ? "" : "&") + "page%5Bcursor%5D=" + cursor;
}

void finish_list(Ctx& c, const PageResult& pr, json data, const json* included) {
  json doc;
  for (auto& d : data) apply_fields(c, d);
  doc["data"] = std::move(data);
  json links = {{"self", self_url(c)}, {"next", nullptr}, {"prev", nullptr}};
  uint64_t qh = query_hash(c);
  if (pr.next) {
    Cursor k = *pr.next;
    k.qhash = qh;
    links["next"] = with_cursor(c, encode_cursor(k));
  }
  if (pr.prev) {
    Cursor k = *pr.prev;
    k.qhash = qh;
    links["prev"] = with_cursor(c, encode_cursor(k));
  }
  doc["links"] = std::move(links);
  if (included) {
    json inc = *included;
    for (auto& d : inc) apply_fields(c, d);
    doc["included"] = std::move(inc);
  }
  c.status = 200;
  c.body = doc.dump();
  c.is_page = true;
}

void finish_list_raw(Ctx& c, const PageResult& pr, std::string doc) {
  uint64_t qh = query_hash(c);
  doc += ",\"links\":";
  JW w(doc);
  w.obj();
  w.key("next");
  if (pr.next) {
    Cursor k = *pr.next;
    k.qhash = qh;
    w.s(with_cursor(c, encode_cursor(k)));
  } else {
    w.null();
  }
  w.key("prev");
  if (pr.prev) {
    Cursor k = *pr.prev;
    k.qhash = qh;
    w.s(with_cursor(c, encode_cursor(k)));
  } else {
    w.null();
  }
  w.key("self").s(self_url(c));
  w.end_obj();
  doc += '}';
  c.status = 200;
  c.body = std::move(doc);
  c.is_page = true;
}

void write_fielded(const Ctx& c, JW& w, const std::string& text) {
  json o = json::parse(text);
  apply_fields(c, o);
  w.j(o);
}

void finish_single(Ctx& c, json data, const json* included) {
  json doc;
  apply_fields(c, data);
  doc["data"] = std::move(data);
  doc["links"] = {{"self", self_url(c)}};
  if (included) {
    json inc = *included;
    for (auto& d : inc) apply_fields(c, d);
    doc["included"] = std::move(inc);
  }
  c.status = 200;
  c.body = doc.dump();
}

}  // namespace sim
