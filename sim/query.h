// query.h — Klaviyo query-parameter language: filter expressions (parse + validate against a
// per-endpoint field table), sort, page[size], and opaque page cursors.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

enum class FType { Str, Time, Num, Bool };

struct FieldDef {
  FType type;
  std::vector<std::string> ops;  // allowed operators, e.g. {"equals","any"}
};
using FieldTable = std::map<std::string, FieldDef>;

struct Literal {
  enum Kind { None, Str, Time, Num, Bool, List } kind = None;
  std::string s;
  int64_t t = 0;
  double n = 0;
  bool b = false;
  std::vector<Literal> list;
};

struct Cond {
  std::string op, field;
  Literal v;
};

struct FilterResult {
  std::vector<Cond> conds;
  std::string error;  // empty when ok; otherwise the 400 detail
};

// Parses `and(...)` / comma-joined expressions; validates fields, operators, literal types; rejects
// datetimes later than `now_us`.
FilterResult parse_filter(std::string_view s, const FieldTable& fields, int64_t now_us);

struct Cursor {
  bool backward = false;
  int64_t ki = 0;
  std::string ks;
  std::string tie;     // id of the boundary row
  uint64_t qhash = 0;  // hash of path + filter + sort
};
std::string encode_cursor(const Cursor& c);
std::optional<Cursor> decode_cursor(const std::string& s);

}  // namespace sim
