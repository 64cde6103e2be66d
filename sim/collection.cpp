// collection.cpp — implementation of the generic filter/sort/keyset-paging engine.
#include "collection.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sim {

namespace {
FType type_of(const Collection& c, const std::string& f) {
  auto it = c.filters->find(f);
  return it == c.filters->end() ? FType::Str : it->second.type;
}

bool eq(const Val& v, const Literal& l) {
  switch (l.kind) {
    case Literal::Str: return v.s == l.s;
    case Literal::Time: return v.i == l.t;
    case Literal::Num: return v.n == l.n;
    case Literal::Bool: return (v.i != 0) == l.b;
    default: return false;
  }
}
int cmp(const Val& v, const Literal& l) {
  if (l.kind == Literal::Time) return v.i < l.t ? -1 : v.i > l.t ? 1 : 0;
  return v.n < l.n ? -1 : v.n > l.n ? 1 : 0;
}

// Sort key of a row (strings compare by s, everything else by i).
struct Key {
  int64_t i = 0;
  std::string s;
  std::string tie;
  uint64_t tn = 0;
};
int kcmp(const Key& a, const Key& b, bool numeric_tie) {
  if (a.i != b.i) return a.i < b.i ? -1 : 1;
  if (a.s != b.s) return a.s < b.s ? -1 : 1;
  if (numeric_tie) return a.tn < b.tn ? -1 : a.tn > b.tn ? 1 : 0;
  return a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0;
}
}  // namespace

bool matches(const Collection& c, uint32_t row, const std::vector<Cond>& conds) {
  for (auto& cd : conds) {
    Val v = c.get(row, cd.field);
    if (cd.op == "has") {
      if (!v.present) return false;
      continue;
    }
    if (!v.present) return false;
    if (cd.op == "equals") {
      if (!eq(v, cd.v)) return false;
    } else if (cd.op == "any") {
      bool any = false;
      for (auto& e : cd.v.list) any = any || eq(v, e);
      if (!any) return false;
    } else if (cd.op == "contains") {
      if (v.s.find(cd.v.s) == std::string::npos) return false;
    } else if (cd.op == "starts-with") {
      if (v.s.rfind(cd.v.s, 0) != 0) return false;
    } else if (cd.op == "ends-with") {
      if (v.s.size() < cd.v.s.size() || v.s.compare(v.s.size() - cd.v.s.size(), cd.v.s.size(), cd.v.s) != 0)
        return false;
    } else {
      int r = cmp(v, cd.v);
      if (cd.op == "greater-than" && !(r > 0)) return false;
      if (cd.op == "greater-or-equal" && !(r >= 0)) return false;
      if (cd.op == "less-than" && !(r < 0)) return false;
      if (cd.op == "less-or-equal" && !(r <= 0)) return false;
    }
  }
  return true;
}

PageResult run_page(const Collection& c, const PageRequest& rq) {
  PageResult out;
  const bool fast = c.presorted && (rq.sort == c.presorted_field || rq.sort.empty());
  // Materialise an ascending-sorted row vector with keys (small collections) or use the presorted one.
  std::vector<uint32_t> local;
  std::vector<Key> keys;
  const std::vector<uint32_t>* V = nullptr;
  std::string sort = rq.sort.empty() ? c.default_sort : rq.sort;
  FType st = sort.empty() ? FType::Str : type_of(c, sort);
  auto key_of_row = [&](uint32_t row) {
    Key k;
    if (fast) {
      k.i = c.keyfn(row);
      k.tn = c.tiefn(row);
      return k;
    }
    k.tie = c.id(row);
    if (!sort.empty() && sort != "id") {
      Val v = c.get(row, sort);
      if (!v.present) k.i = std::numeric_limits<int64_t>::min();
      else if (st == FType::Str) k.s = v.s;
      else if (st == FType::Num) k.i = int64_t(std::llround(v.n * 1e6));
      else k.i = v.i;
    }
    return k;
  };
  // indexed: non-presorted collection whose full order for this sort is cached; like the fast
  // path, keys are computed on demand and filters are checked while walking.
  const bool indexed = !fast && c.cache != nullptr;
  std::shared_ptr<const std::vector<uint32_t>> cached;
  if (fast) {
    V = c.presorted;
  } else if (indexed) {
    std::string ckey = c.cache_key + "|" + sort;
    {
      std::lock_guard<std::mutex> g(c.cache->mu);
      auto it = c.cache->orders.find(ckey);
      if (it != c.cache->orders.end()) cached = it->second;
    }
    if (!cached) {
      std::vector<std::pair<Key, uint32_t>> tmp;
      tmp.reserve(c.rows.size());
      for (uint32_t r : c.rows) tmp.emplace_back(key_of_row(r), r);
      std::sort(tmp.begin(), tmp.end(), [](auto& a, auto& b) { return kcmp(a.first, b.first, false) < 0; });
      auto order = std::make_shared<std::vector<uint32_t>>();
      order->reserve(tmp.size());
      for (auto& kr : tmp) order->push_back(kr.second);
      std::lock_guard<std::mutex> g(c.cache->mu);
      cached = c.cache->orders.emplace(ckey, std::move(order)).first->second;
    }
    V = cached.get();
  } else {
    std::vector<std::pair<Key, uint32_t>> tmp;
    tmp.reserve(c.rows.size());
    for (uint32_t r : c.rows)
      if (matches(c, r, rq.conds)) tmp.emplace_back(key_of_row(r), r);
    std::sort(tmp.begin(), tmp.end(), [](auto& a, auto& b) { return kcmp(a.first, b.first, false) < 0; });
    local.reserve(tmp.size());
    keys.reserve(tmp.size());
    for (auto& [k, r] : tmp) {
      local.push_back(r);
      keys.push_back(std::move(k));
    }
    V = &local;
  }
  const size_t n = V->size();
  const bool walk_filters = fast || indexed;
  auto key_at = [&](size_t j) { return walk_filters ? key_of_row((*V)[j]) : keys[j]; };
  auto ok_at = [&](size_t j) {
    if (!walk_filters) return true;
    return c.pred ? c.pred((*V)[j]) : matches(c, (*V)[j], rq.conds);
  };

  // Range narrowing on the sort key (datetime bounds on events; time-typed sorts of indexed
  // collections). Rows outside [lo,hi) cannot match the condition; the rest are still filtered.
  size_t lo = 0, hi = n;
  const std::string& range_field = fast ? c.presorted_field : sort;
  const bool ranged = fast || (indexed && st == FType::Time && !sort.empty() && sort != "id");
  if (ranged) {
    for (auto& cd : rq.conds) {
      if (cd.field != range_field || cd.v.kind != Literal::Time) continue;
      int64_t t = cd.v.t;
      auto first_ge = [&](int64_t x) {
        return size_t(std::partition_point(V->begin(), V->end(),
                                           [&](uint32_t r) { return (fast ? c.keyfn(r) : key_of_row(r).i) < x; }) -
                      V->begin());
      };
      if (cd.op == "greater-than") lo = std::max(lo, first_ge(t + 1));
      if (cd.op == "greater-or-equal") lo = std::max(lo, first_ge(t));
      if (cd.op == "less-than") hi = std::min(hi, first_ge(t));
      if (cd.op == "less-or-equal") hi = std::min(hi, first_ge(t + 1));
    }
    if (hi < lo) hi = lo;
  }

  // Cursor positions in ascending space.
  size_t lb = lo, ub = lo;  // first >= cursor, first > cursor
  bool have_cursor = rq.cursor.has_value();
  if (have_cursor) {
    Key ck;
    ck.i = rq.cursor->ki;
    ck.s = rq.cursor->ks;
    ck.tie = rq.cursor->tie;
    if (fast) ck.tn = c.tie_of_id ? c.tie_of_id(rq.cursor->tie).value_or(0) : 0;
    auto first_where = [&](auto pred) {  // first j in [lo,hi) with pred(key) true (monotone)
      size_t a = lo, b = hi;
      while (a < b) {
        size_t m = a + (b - a) / 2;
        if (pred(key_at(m))) b = m;
        else a = m + 1;
      }
      return a;
    };
    lb = first_where([&](const Key& k) { return kcmp(k, ck, fast) >= 0; });
    ub = first_where([&](const Key& k) { return kcmp(k, ck, fast) > 0; });
  }
  const size_t want = rq.size;
  std::vector<size_t> picked;  // ascending-space indices, in output order
  bool more = false;           // another matching row exists beyond the page (in page direction)
  bool backward = have_cursor && rq.cursor->backward;
  bool asc = !rq.desc;
  // Walk "up" (ascending indices) or "down".
  auto walk_up = [&](size_t from, std::vector<size_t>& acc) {
    for (size_t j = from; j < hi; ++j) {
      if (!ok_at(j)) continue;
      if (acc.size() == want) return true;
      acc.push_back(j);
    }
    return false;
  };
  auto walk_down = [&](size_t from_excl, std::vector<size_t>& acc) {
    for (size_t j = from_excl; j > lo; --j) {
      if (!ok_at(j - 1)) continue;
      if (acc.size() == want) return true;
      acc.push_back(j - 1);
    }
    return false;
  };
  if (!backward) {
    if (asc) more = walk_up(have_cursor ? std::max(ub, lo) : lo, picked);
    else more = walk_down(have_cursor ? std::min(lb, hi) : hi, picked);
  } else {
    std::vector<size_t> acc;
    bool before = asc ? walk_down(std::min(lb, hi), acc) : walk_up(std::max(ub, lo), acc);
    picked.assign(acc.rbegin(), acc.rend());
    more = true;
    (void)before;
    // prev link exists if rows remain before this page
    if (!picked.empty()) {
      bool anyb = false;
      if (asc) {
        for (size_t j = picked.front(); j > lo && !anyb; --j) anyb = ok_at(j - 1);
      } else {
        for (size_t j = picked.front() + 1; j < hi && !anyb; ++j) anyb = ok_at(j);
      }
      if (anyb) {
        Key k = key_at(picked.front());
        out.prev = Cursor{true, k.i, k.s, fast ? c.id((*V)[picked.front()]) : k.tie, 0};
      }
    }
  }
  for (size_t j : picked) out.rows.push_back((*V)[j]);
  if (!picked.empty()) {
    if (more) {
      Key k = key_at(picked.back());
      out.next = Cursor{false, k.i, k.s, fast ? c.id((*V)[picked.back()]) : k.tie, 0};
    }
    if (!backward && have_cursor) {
      Key k = key_at(picked.front());
      out.prev = Cursor{true, k.i, k.s, fast ? c.id((*V)[picked.front()]) : k.tie, 0};
    }
  }
  return out;
}

}  // namespace sim
