// Parsing of JSON:API pages with simdjson, strict about their shape (see page.h).
#include "klaviyo/page.h"

namespace sk::klaviyo {

namespace {

bool fail(std::string& error, std::string text) {
  error = std::move(text);
  return false;
}

bool array_items(simdjson::dom::element e, std::vector<simdjson::dom::element>& out) {
  if (!e.is_array()) return false;
  simdjson::dom::array items = e.get_array().value_unsafe();
  out.reserve(items.size());
  for (simdjson::dom::element item : items) out.push_back(item);
  return true;
}

bool read_links(simdjson::dom::element root, Page& page, std::string& error) {
  simdjson::dom::element links;
  if (root["links"].get(links)) return true;  // absent: no next page
  if (links.is_null()) return true;
  if (!links.is_object()) return fail(error, "links is not an object");
  simdjson::dom::element next;
  if (links["next"].get(next) || next.is_null()) return true;
  if (!next.is_string()) return fail(error, "links.next is neither a string nor null");
  std::string_view n = next.get_string().value_unsafe();
  if (!n.empty()) page.next = std::string(n);
  return true;
}

bool read_report(simdjson::dom::element data, Shape shape, Page& page, std::string& error) {
  if (!data.is_object()) return fail(error, "data is not an object");
  simdjson::dom::element results;
  if (data.at_pointer("/attributes/results").get(results) || !array_items(results, page.data))
    return fail(error, "data.attributes.results is not an array");
  if (shape == Shape::Series) {
    simdjson::dom::element dts;
    if (data.at_pointer("/attributes/date_times").get(dts) || !dts.is_array())
      return fail(error, "data.attributes.date_times is not an array");
    simdjson::dom::array items = dts.get_array().value_unsafe();
    for (simdjson::dom::element d : items) {
      if (!d.is_string()) return fail(error, "data.attributes.date_times has an item that is not a string");
      page.date_times.push_back(d.get_string().value_unsafe());
    }
  }
  return true;
}

}  // namespace

std::optional<Page> PageParser::parse(const std::string& body, Shape shape, std::string& error) {
  simdjson::dom::element root;
  if (auto err = parser_.parse(body).get(root); err) {
    error = simdjson::error_message(err);
    return std::nullopt;
  }
  Page page;
  page.root = root;
  simdjson::dom::element data;
  if (!root.is_object() || root["data"].get(data)) {
    error = "no data member";
    return std::nullopt;
  }
  bool ok = true;
  switch (shape) {
    case Shape::List:
      ok = array_items(data, page.data) || fail(error, "data is not an array (a collection was expected)");
      break;
    case Shape::Single:
      ok = data.is_object() || fail(error, "data is not an object (a single resource was expected)");
      if (ok) page.data.push_back(data);
      break;
    case Shape::Report:
    case Shape::Series:
      ok = read_report(data, shape, page, error);
      break;
  }
  if (!ok || !read_links(root, page, error)) return std::nullopt;
  for (simdjson::dom::element item : page.data)
    if (!item.is_object()) {
      error = "data has an item that is not an object";
      return std::nullopt;
    }
  simdjson::dom::element included;
  if (!root["included"].get(included) && !included.is_null()) {
    if (!included.is_array()) {
      error = "included is not an array";
      return std::nullopt;
    }
    page.included = included;
  }
  return page;
}

std::string to_json_text(simdjson::dom::element e) { return simdjson::minify(e); }

}  // namespace sk::klaviyo
