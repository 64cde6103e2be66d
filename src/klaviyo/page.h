// One JSON:API page, parsed with simdjson's DOM parser (which validates the whole document, so a
// truncated or malformed body is caught before any of its records is emitted). The page must have
// the shape its endpoint promises, or it is malformed (the pager fetches it again, then fails):
//   Shape::List    {"data": [ resource, ... ], "links": {"next": "..." | null}, "included": [...]?}
//   Shape::Single  {"data": { resource }}  (GET /api/lists/{id}): a one-record page
//   Shape::Report  {"data": {"attributes": {"results": [ {groupings, statistics}, ... ]}}}
//   Shape::Series  Report plus data.attributes.date_times: [ "2024-06-01T00:00:00+00:00", ... ]
// `included` must be an array when present, `links` an object, links.next a string or null. A
// list page whose `data` is an object is NOT taken as an empty page: that lost records silently.
// Records are given as simdjson elements, so the engine writes their bytes straight to the output.
// Thread-safety: one PageParser per worker; a Page is valid until the next parse() on its parser.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace sk::klaviyo {

enum class Shape { List, Single, Report, Series };

struct Page {
  simdjson::dom::element root;
  std::vector<simdjson::dom::element> data;  // data[] items, the one resource, or the report's results[]
  std::optional<std::string> next;           // links.next, absent or null on the last page
  std::optional<simdjson::dom::element> included;
  std::vector<std::string_view> date_times;  // Shape::Series: data.attributes.date_times
};

class PageParser {
 public:
  // Parses a document of the expected shape. Returns nullopt (and sets `error`) when the body is not
  // valid JSON or not of that shape.
  std::optional<Page> parse(const std::string& body, Shape shape, std::string& error);

 private:
  simdjson::dom::parser parser_;
};

// The minified JSON text of a value (as the protocol output needs it).
std::string to_json_text(simdjson::dom::element e);

}  // namespace sk::klaviyo
