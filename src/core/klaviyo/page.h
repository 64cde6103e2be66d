// One JSON:API page, parsed with simdjson's DOM parser (which validates the whole document, so a
// truncated or malformed body is caught before any of its records is emitted). The page must have
// the shape its endpoint promises, or it is malformed (the pager fetches it again, then fails):
//   Shape::List    {"data": [ resource, ... ], "links": {"next": "..." | null}, "included": [...]?}
//   Shape::Single  {"data": { resource }}  (GET /api/lists/{id}): a one-record page
//   Shape::Report  {"data": {"attributes": {"results": [ {groupings, statistics}, ... ]}}}
//   Shape::Series  Report plus data.attributes.date_times: [ "2024-06-01T00:00:00+00:00", ... ]
// `included` must be an array when present, `links` an object, links.next a string or null. A
// list page whose `data` is an object is NOT taken as an empty page: that lost records silently.
// Records are given as simdjson elements and, for a collection, as the exact text the server sent
// for each (Page::raw), so the engine writes their bytes straight to the output without
// re-serialising them.
// Parsers are lent per page (pooled_parser): a parser keeps the capacity of the largest page it
// parsed (about 14 bytes per byte of body), so memory follows the pages being parsed at once (a
// bounded number), not the partitions open or the requests in flight.
// Thread-safety: a PageParser is used by one thread at a time; a Page is valid until the next
// parse() on its parser and while the body it was parsed from lives unchanged.
#pragma once

#include <cstddef>
#include <memory>
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
  // Shape::List: each data[] item's text as sent (views into the body), parallel to `data`; empty
  // when an item's text holds a line break (a pretty-printed body): then use to_json_text.
  std::vector<std::string_view> raw;
};

class PageParser {
 public:
  // Parses a document of the expected shape. Returns nullopt (and sets `error`) when the body is not
  // valid JSON or not of that shape.
  // A body with kBodySlack (>= SIMDJSON_PADDING) spare capacity is parsed in place; any other is
  // copied first.
  std::optional<Page> parse(const std::string& body, Shape shape, std::string& error);

 private:
  void item_texts(const std::string& body, Page& page);

  simdjson::dom::parser parser_;
  std::string padded_;                // the copy of a body without spare capacity
};

// Lends PageParsers from a process-wide pool; the deleter gives the parser back. At most
// parsers_at_once() are out at a time (the cores, at least kMinParsersAtOnce): a page is parsed and
// its records written in a few milliseconds of CPU, so more would only add memory (a parser and an
// output batch of a page's size each), not speed, when many requests are in flight; a thread
// asking for one more waits until one is given back. A thread must not hold two at once.
struct ReturnParser {
  void operator()(PageParser* p) const noexcept;
};
using PooledParser = std::unique_ptr<PageParser, ReturnParser>;
PooledParser pooled_parser();
constexpr std::size_t kMinParsersAtOnce = 2;
std::size_t parsers_at_once();

// The minified JSON text of a value (as the protocol output needs it).
std::string to_json_text(simdjson::dom::element e);

}  // namespace sk::klaviyo
