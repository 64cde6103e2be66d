// Typed reads of JSON members (see json_read.h).
#include "destination/json_read.h"

namespace sk::destination {

const nlohmann::json* member(const nlohmann::json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));  // a std::string key: nlohmann 3.10 has no string_view find
  return it == obj.end() ? nullptr : &*it;
}

std::string text(const nlohmann::json& obj, std::string_view key) {
  const auto* v = member(obj, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}

std::string id_text(const nlohmann::json& obj, std::string_view key) {
  const auto* v = member(obj, key);
  if (v && v->is_number_integer()) return v->dump();
  return v && v->is_string() ? v->get<std::string>() : "";
}

std::optional<simdjson::dom::element> member(simdjson::dom::element obj, std::string_view key) {
  simdjson::dom::object o;
  simdjson::dom::element v;
  if (obj.get_object().get(o) || o.at_key(key).get(v)) return std::nullopt;
  return v;
}

std::string_view string_view_of(simdjson::dom::element v) {
  std::string_view s;
  return v.get_string().get(s) ? std::string_view() : s;
}

std::string_view text_view(simdjson::dom::element obj, std::string_view key) {
  auto v = member(obj, key);
  return v ? string_view_of(*v) : std::string_view();
}

std::string text(simdjson::dom::element obj, std::string_view key) { return std::string(text_view(obj, key)); }

std::string id_value(simdjson::dom::element v) {
  if (v.is_int64()) return std::to_string(v.get_int64().value_unsafe());
  if (v.is_uint64()) return std::to_string(v.get_uint64().value_unsafe());
  return std::string(string_view_of(v));
}

std::string id_text(simdjson::dom::element obj, std::string_view key) {
  auto v = member(obj, key);
  return v ? id_value(*v) : "";
}

std::optional<double> number(simdjson::dom::element obj, std::string_view key) {
  auto v = member(obj, key);
  double d;
  if (!v || !v->is_number() || v->get_double().get(d)) return std::nullopt;
  return d;
}

}  // namespace sk::destination
