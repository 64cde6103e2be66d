// Parsing of JSON:API pages with simdjson (see page.h).
#include "klaviyo/page.h"

namespace sk::klaviyo {

std::optional<Page> PageParser::parse(const std::string& body, std::string& error) {
  simdjson::dom::element root;
  if (auto err = parser_.parse(body).get(root); err) {
    error = simdjson::error_message(err);
    return std::nullopt;
  }
  Page page;
  page.root = root;
  simdjson::dom::element data;
  if (root["data"].get(data)) {
    error = "no data array";
    return std::nullopt;
  }
  if (data.is_array()) {
    simdjson::dom::array items = data.get_array().value_unsafe();
    page.data.reserve(items.size());
    for (simdjson::dom::element item : items) page.data.push_back(item);
  } else if (data.is_object()) {
    page.data.push_back(data);
  } else {
    error = "data is neither an array nor an object";
    return std::nullopt;
  }
  simdjson::dom::element next;
  if (!root.at_pointer("/links/next").get(next) && next.is_string()) {
    std::string_view n = next.get_string().value_unsafe();
    if (!n.empty()) page.next = std::string(n);
  }
  simdjson::dom::element included;
  if (!root["included"].get(included)) page.included = included;
  return page;
}

std::string to_json_text(simdjson::dom::element e) { return simdjson::minify(e); }

}  // namespace sk::klaviyo
