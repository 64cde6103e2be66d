// One JSON:API page, parsed with simdjson's DOM parser (which validates the whole document, so a
// truncated or malformed body is caught before any of its records is emitted). Gives the data[]
// resources (or, for a single-resource document such as GET /api/lists/{id}, whose `data` is an
// object, that one resource), links.next and included[] without building nlohmann objects: the engine writes each
// record's bytes straight to the output, converting to nlohmann only for streams whose hooks
// transform records.
// Thread-safety: one PageParser per worker; a Page is valid until the next parse() on its parser.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace sk::klaviyo {

struct Page {
  simdjson::dom::element root;
  std::vector<simdjson::dom::element> data;  // data[] items, or the one object of a single-resource document
  std::optional<std::string> next;     // links.next, absent or null on the last page
  std::optional<simdjson::dom::element> included;
};

class PageParser {
 public:
  // Parses a JSON:API document: a collection (`data` an array) or a single resource (`data` an
  // object, a one-record page). Returns nullopt (and sets `error`) when the body is not valid JSON
  // or its `data` is neither.
  std::optional<Page> parse(const std::string& body, std::string& error);

 private:
  simdjson::dom::parser parser_;
};

// The minified JSON text of a value (as the protocol output needs it).
std::string to_json_text(simdjson::dom::element e);

}  // namespace sk::klaviyo
