// query.cpp — recursive-descent parser for Klaviyo filter expressions and cursor encoding.
#include "query.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "util.h"

namespace sim {

namespace {
const char* kInvalid = "Invalid filter provided";

struct Parser {
  std::string_view s;
  size_t p = 0;
  std::string err;

  bool fail(const std::string& e = kInvalid) {
    if (err.empty()) err = e;
    return false;
  }
  bool eat(char c) {
    if (p < s.size() && s[p] == c) {
      ++p;
      return true;
    }
    return false;
  }
  std::string ident() {
    size_t b = p;
    while (p < s.size() && (isalnum(uint8_t(s[p])) || s[p] == '_' || s[p] == '-' || s[p] == '.' || s[p] == '$'))
      ++p;
    return std::string(s.substr(b, p - b));
  }
  bool literal(Literal& out) {
    if (p >= s.size()) return fail();
    char c = s[p];
    if (c == '\'' || c == '"') {
      ++p;
      std::string v;
      while (p < s.size() && s[p] != c) {
        if (s[p] == '\\' && p + 1 < s.size()) ++p;
        v += s[p++];
      }
      if (!eat(c)) return fail();
      out.kind = Literal::Str;
      out.s = v;
      return true;
    }
    if (c == '[') {
      ++p;
      out.kind = Literal::List;
      if (eat(']')) return true;
      while (true) {
        Literal e;
        if (!literal(e) || e.kind == Literal::List) return fail();
        out.list.push_back(std::move(e));
        if (eat(']')) return true;
        if (!eat(',')) return fail();
      }
    }
    size_t b = p;
    while (p < s.size() && s[p] != ',' && s[p] != ')' && s[p] != ']') ++p;
    std::string_view tok = s.substr(b, p - b);
    if (tok.empty()) return fail();
    if (tok == "true" || tok == "false") {
      out.kind = Literal::Bool;
      out.b = tok == "true";
      return true;
    }
    if (tok == "null") return fail();
    {
      std::string t(tok);
      char* end = nullptr;
      double d = std::strtod(t.c_str(), &end);
      if (end && *end == 0 && (isdigit(uint8_t(t[0])) || t[0] == '-') && t.find_first_of("T:") == std::string::npos &&
          std::count(t.begin(), t.end(), '-') <= (t[0] == '-' ? 1 : 0)) {
        out.kind = Literal::Num;
        out.n = d;
        return true;
      }
    }
    // Unquoted datetimes: ISO-8601 with 'T' (a space from an undecoded '+' is rejected).
    if (auto t = parse_time(tok, false)) {
      out.kind = Literal::Time;
      out.t = *t;
      return true;
    }
    return fail();  // unquoted string or garbage
  }
  bool expr(std::vector<Cond>& out) {
    std::string op = ident();
    if (op.empty() || !eat('(')) return fail();
    if (op == "and") {
      if (!list(out)) return false;
      return eat(')') || fail();
    }
    static const std::vector<std::string> known = {"equals", "any", "greater-than", "greater-or-equal",
                                                   "less-than", "less-or-equal", "contains", "starts-with",
                                                   "ends-with", "has"};
    if (std::find(known.begin(), known.end(), op) == known.end()) return fail();
    Cond c;
    c.op = op;
    c.field = ident();
    if (c.field.empty()) return fail();
    if (op == "has") {
      if (!eat(')')) return fail();
      out.push_back(c);
      return true;
    }
    if (!eat(',')) return fail();
    if (!literal(c.v)) return false;
    if (!eat(')')) return fail();
    out.push_back(std::move(c));
    return true;
  }
  bool list(std::vector<Cond>& out) {
    if (!expr(out)) return false;
    while (eat(','))
      if (!expr(out)) return false;
    return true;
  }
};

bool type_ok(const Literal& v, FType t) {
  switch (t) {
    case FType::Str: return v.kind == Literal::Str;
    case FType::Time: return v.kind == Literal::Time;
    case FType::Num: return v.kind == Literal::Num;
    case FType::Bool: return v.kind == Literal::Bool;
  }
  return false;
}
}  // namespace

FilterResult parse_filter(std::string_view s, const FieldTable& fields, int64_t now_us) {
  FilterResult r;
  Parser ps{s, 0, {}};
  if (!ps.list(r.conds) || ps.p != s.size()) {
    r.conds.clear();
    r.error = ps.err.empty() ? kInvalid : ps.err;
    return r;
  }
  for (auto& c : r.conds) {
    auto it = fields.find(c.field);
    if (it == fields.end() || std::find(it->second.ops.begin(), it->second.ops.end(), c.op) == it->second.ops.end()) {
      r.error = kInvalid;
      break;
    }
    FType t = it->second.type;
    bool ok = true;
    if (c.op == "has") {
      ok = true;
    } else if (c.op == "any") {
      ok = c.v.kind == Literal::List && !c.v.list.empty();
      for (auto& e : c.v.list) ok = ok && type_ok(e, t);
    } else if (c.op == "contains" || c.op == "starts-with" || c.op == "ends-with") {
      ok = c.v.kind == Literal::Str && t == FType::Str;
    } else if (c.op == "equals") {
      ok = type_ok(c.v, t);
    } else {  // comparisons
      ok = (t == FType::Time || t == FType::Num) && type_ok(c.v, t);
    }
    if (!ok) {
      r.error = kInvalid;
      break;
    }
    auto future = [&](const Literal& l) { return l.kind == Literal::Time && l.t > now_us; };
    bool fut = future(c.v);
    for (auto& e : c.v.list) fut = fut || future(e);
    if (fut) {
      r.error = "Invalid filter provided: datetime values in the future are not allowed";
      break;
    }
  }
  if (!r.error.empty()) r.conds.clear();
  return r;
}

std::string encode_cursor(const Cursor& c) {
  nlohmann::json j = {{"b", c.backward ? 1 : 0}, {"i", c.ki}, {"s", c.ks}, {"t", c.tie}, {"h", c.qhash}};
  return b64url_encode(j.dump());
}

std::optional<Cursor> decode_cursor(const std::string& s) {
  auto raw = b64url_decode(s);
  if (!raw) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(*raw);
    Cursor c;
    c.backward = j.at("b").get<int>() != 0;
    c.ki = j.at("i").get<int64_t>();
    c.ks = j.at("s").get<std::string>();
    c.tie = j.at("t").get<std::string>();
    c.qhash = j.at("h").get<uint64_t>();
    return c;
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace sim
