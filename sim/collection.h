// collection.h — generic list engine: applies parsed filters, sorts (key, then id), and pages with
// keyset cursors (next/prev) over any resource exposed through accessor callbacks.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dataset.h"
#include "query.h"

namespace sim {

// A row's value for one field (filters and sort). Multi-valued string fields use `list`.
struct Val {
  bool present = true;
  int64_t i = 0;  // Time (us), Bool (0/1)
  double n = 0;   // Num
  std::string s;  // Str
};

struct Collection {
  const FieldTable* filters = nullptr;
  std::vector<std::string> sorts;  // sortable fields
  std::string default_sort;        // "" = id order
  std::function<Val(uint32_t row, const std::string& field)> get;
  std::function<std::string(uint32_t row)> id;
  std::vector<uint32_t> rows;  // candidate rows (used when presorted == nullptr)
  // Optional fast path (events): all rows already sorted ascending by presorted_field, with ties
  // in id order; keyfn gives the sort key, tiefn a number ordered like the id.
  const std::vector<uint32_t>* presorted = nullptr;
  std::string presorted_field;
  std::function<int64_t(uint32_t)> keyfn;
  std::function<uint64_t(uint32_t)> tiefn;
  std::function<std::optional<uint64_t>(const std::string& id)> tie_of_id;
  // Optional: a compiled equivalent of matches(row, conds) for this request (hot paths).
  std::function<bool(uint32_t)> pred;
  // Optional (non-presorted collections): the full ascending order for each sort is computed once
  // and kept in `cache` under cache_key + "|" + sort; filters are then applied while walking it.
  // Requires ids unique within `rows` (the order is then total, so filtering commutes with sorting).
  OrderCache* cache = nullptr;
  std::string cache_key;
};

struct PageRequest {
  std::vector<Cond> conds;
  std::string sort;  // field, no sign
  bool desc = false;
  size_t size = 20;
  std::optional<Cursor> cursor;
};

struct PageResult {
  std::vector<uint32_t> rows;
  std::optional<Cursor> next, prev;  // qhash left 0; the caller fills it
};

bool matches(const Collection& c, uint32_t row, const std::vector<Cond>& conds);
PageResult run_page(const Collection& c, const PageRequest& rq);

}  // namespace sim
