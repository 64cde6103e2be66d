// Parsing of JSON:API pages with simdjson, strict about their shape (see page.h).
#include "core/klaviyo/page.h"

#include <cstdint>
#include <cstring>
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/http/transport.h"

static_assert(sk::http::kBodySlack >= simdjson::SIMDJSON_PADDING, "transport bodies must be parseable in place");

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

// The DOM (which validated the whole body) keeps no byte positions, but the parse leaves behind
// its stage-1 index: the offset of every structural token ({ } [ ] : , and each scalar's first
// byte; never a brace inside a string). Walking those offsets with a depth count finds where each
// data[] item starts and ends without a second parse. Anything unexpected (a key spelled with
// escapes, a count that does not match the DOM's) leaves `raw` empty: the caller then re-serialises
// the DOM element. Line breaks inside an item would break the one-message-per-line output, so such
// a page goes without raw texts too.
void PageParser::item_texts(const std::string& body, Page& page) {
  const auto& impl = *parser_.implementation;
  const std::uint32_t* idx = impl.structural_indexes.get();
  const std::uint32_t n = impl.n_structural_indexes;
  const char* b = body.data();
  if (n == 0 || idx[n - 1] >= body.size()) return;
  auto at = [&](std::uint32_t k) { return k < n ? b[idx[k]] : '\0'; };
  // Past one value: a scalar is one token; a container ends at the token that closes it. The body
  // is valid JSON (the DOM parse succeeded), so brackets balance.
  auto skip = [&](std::uint32_t& k) {
    int depth = 0;
    do {
      const char c = b[idx[k++]];
      depth += (c == '{' || c == '[') - (c == '}' || c == ']');
    } while (depth > 0 && k < n);
    return depth == 0;
  };
  std::vector<std::string_view> raw;
  raw.reserve(page.data.size());
  bool line_break = false;
  std::uint32_t k = 1;  // after the root's '{'
  while (at(k) == '"') {
    const bool is_data = body.compare(idx[k], 6, "\"data\"") == 0;
    k += 1;
    if (at(k) != ':') return;
    k += 1;
    if (k >= n) return;
    if (!is_data) {
      if (!skip(k)) return;
    } else {
      if (at(k) != '[') return;
      ++k;
      while (at(k) == '{') {
        const std::uint32_t start = idx[k];
        if (!skip(k)) return;
        std::string_view text(b + start, idx[k - 1] + 1 - start);  // '{' .. its '}'
        if (std::memchr(text.data(), '\n', text.size()) || std::memchr(text.data(), '\r', text.size())) line_break = true;
        raw.push_back(text);
        if (at(k) == ',') ++k;
      }
      break;
    }
    if (at(k) == ',') ++k;
  }
  if (raw.size() == page.data.size() && !line_break) page.raw = std::move(raw);
}

std::optional<Page> PageParser::parse(const std::string& in, Shape shape, std::string& error) {
  const std::string* src = &in;
  if (in.capacity() - in.size() < simdjson::SIMDJSON_PADDING) {
    padded_.clear();
    padded_.reserve(in.size() + simdjson::SIMDJSON_PADDING);
    padded_.append(in);
    src = &padded_;
  }
  const std::string& body = *src;
  // Grow by a quarter at a time: pages of one stream differ by a few bytes, and growing to each new
  // largest page exactly would allocate (and fault in) new parser buffers again and again.
  if (body.size() > parser_.capacity()) {
    if (auto err = parser_.allocate(body.size() + body.size() / 4); err) {
      error = simdjson::error_message(err);  // out of memory: a transient failure of this page
      return std::nullopt;
    }
  }
  simdjson::dom::element root;
  if (auto err = parser_.parse(body.data(), body.size(), false).get(root); err) {
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
  if (shape == Shape::List) item_texts(body, page);
  return page;
}

namespace {

struct ParserPool {
  std::mutex mu;
  std::condition_variable returned;
  std::vector<std::unique_ptr<PageParser>> kept;
  std::size_t lent = 0;
};

ParserPool& parser_pool() {
  static ParserPool p;
  return p;
}

}  // namespace

std::size_t parsers_at_once() {
  static const std::size_t n = std::max<std::size_t>(kMinParsersAtOnce, std::thread::hardware_concurrency());
  return n;
}

void ReturnParser::operator()(PageParser* p) const noexcept {
  std::unique_ptr<PageParser> owned(p);
  ParserPool& pool = parser_pool();
  {
    std::lock_guard<std::mutex> lock(pool.mu);
    --pool.lent;
    try {
      pool.kept.push_back(std::move(owned));
    } catch (...) {  // no room to keep it: it is freed
    }
  }
  pool.returned.notify_one();
}

PooledParser pooled_parser() {
  ParserPool& pool = parser_pool();
  std::unique_lock<std::mutex> lock(pool.mu);
  // Holders never wait for a second parser (a pager gives its parser back before it fetches), so
  // waiting here ends as soon as one page is handled.
  pool.returned.wait(lock, [&] { return pool.lent < parsers_at_once(); });
  ++pool.lent;
  if (!pool.kept.empty()) {
    PageParser* p = pool.kept.back().release();
    pool.kept.pop_back();
    return PooledParser(p);
  }
  lock.unlock();
  try {
    return PooledParser(new PageParser());
  } catch (...) {
    lock.lock();
    --pool.lent;
    throw;
  }
}

std::string to_json_text(simdjson::dom::element e) { return simdjson::minify(e); }

}  // namespace sk::klaviyo
