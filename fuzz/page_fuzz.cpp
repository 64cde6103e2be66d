// Fuzz target: one Klaviyo response body through sk::klaviyo::PageParser::parse, as a worker sees
// it (one parser reused across pages). The first byte picks the expected shape (collection,
// single resource, report, series). A body that is not valid JSON or not of that shape must be
// reported through `error`; a page that parses must give records whose text is valid JSON, and a
// collection's raw item texts (when given) must be the same objects as the DOM's, on one line.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "core/klaviyo/page.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using sk::klaviyo::Shape;
  using sk_fuzz::violated;
  if (size == 0) return 0;
  static sk::klaviyo::PageParser parser;
  static simdjson::dom::parser check;
  constexpr Shape kShapes[] = {Shape::List, Shape::Single, Shape::Report, Shape::Series};
  const Shape shape = kShapes[data[0] % 4];
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string error;
  const auto page = parser.parse(body, shape, error);
  if (!page) {
    if (error.empty()) violated("rejected without an error text");
    return 0;
  }
  if (shape == Shape::Single && page->data.size() != 1) violated("single resource page without one record");
  for (const simdjson::dom::element& record : page->data) {
    if (!record.is_object()) violated("a record that is not an object");
    const std::string text = sk::klaviyo::to_json_text(record);
    simdjson::dom::element reparsed;
    if (check.parse(text).get(reparsed)) violated("a record's text is not valid JSON");
    if (!reparsed.is_object()) violated("a record's text is not an object");
  }
  if (!page->raw.empty()) {
    if (shape != Shape::List) violated("raw texts for a page that is not a collection");
    if (page->raw.size() != page->data.size()) violated("raw texts not parallel to the records");
    for (std::size_t i = 0; i < page->raw.size(); ++i) {
      const std::string_view raw = page->raw[i];
      if (raw.find('\n') != std::string_view::npos || raw.find('\r') != std::string_view::npos)
        violated("a raw text with a line break");
      simdjson::dom::element reparsed;
      if (check.parse(std::string(raw)).get(reparsed)) violated("a raw text is not valid JSON");
      if (simdjson::minify(reparsed) != sk::klaviyo::to_json_text(page->data[i]))
        violated("a raw text differs from its record");
    }
  }
  if (page->next && page->next->empty()) violated("an empty links.next");
  if (page->included) {
    if (!page->included->is_array()) violated("included is not an array");
    (void)sk::klaviyo::to_json_text(*page->included);
  }
  return 0;
}
