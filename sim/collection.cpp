// collection.cpp — the generic list engine: filter matching (matches) and keyset paging (run_page,
// the Pager steps: order the rows, narrow by datetime bounds, locate the cursor, walk a page, make
// the next/prev cursors).
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

namespace {
// One run_page call. The rows are put in ascending (sort key, id) order (order_rows); a datetime
// bound narrows them to [lo, hi) (narrow_range); the cursor is located in that order (locate_cursor);
// the page is walked up or down from it (pick); and the next/prev cursors are made (run). Descending
// sorts and prev pages walk the same ascending order downwards.
class Pager {
 public:
  Pager(const Collection& c, const PageRequest& rq)
      : c_(c),
        rq_(rq),
        fast_(c.presorted && (rq.sort == c.presorted_field || rq.sort.empty())),
        indexed_(!fast_ && c.cache != nullptr),
        sort_(rq.sort.empty() ? c.default_sort : rq.sort),
        st_(sort_.empty() ? FType::Str : type_of(c, sort_)) {}

  PageResult run() {
    order_rows();
    narrow_range();
    locate_cursor();
    PageResult out;
    const bool backward = rq_.cursor && rq_.cursor->backward;
    bool more = false;  // another matching row exists beyond the page (in page direction)
    std::vector<size_t> picked = pick(backward, more);
    // A prev page has a prev link when matching rows remain before it.
    if (backward && !picked.empty() && any_before(picked.front())) out.prev = cursor_at(picked.front(), true);
    for (size_t j : picked) out.rows.push_back((*V_)[j]);
    if (!picked.empty()) {
      if (more) out.next = cursor_at(picked.back(), false);
      if (!backward && rq_.cursor) out.prev = cursor_at(picked.front(), true);
    }
    return out;
  }

 private:
  // Sort key of a row (fast path: the presorted key and numeric tie).
  Key key_of_row(uint32_t row) const {
    Key k;
    if (fast_) {
      k.i = c_.keyfn(row);
      k.tn = c_.tiefn(row);
      return k;
    }
    k.tie = c_.id(row);
    if (!sort_.empty() && sort_ != "id") {
      Val v = c_.get(row, sort_);
      if (!v.present) k.i = std::numeric_limits<int64_t>::min();
      else if (st_ == FType::Str) k.s = v.s;
      else if (st_ == FType::Num) k.i = int64_t(std::llround(v.n * 1e6));
      else k.i = v.i;
    }
    return k;
  }

  // The presorted rows (fast), the cached full order (indexed: filters are checked while walking,
  // keys computed on demand), or a filtered and sorted local copy with its keys.
  void order_rows() {
    if (fast_) V_ = c_.presorted;
    else if (indexed_) V_ = cached_order();
    else sort_local();
  }

  const std::vector<uint32_t>* cached_order() {
    std::string ckey = c_.cache_key + "|" + sort_;
    {
      std::lock_guard<std::mutex> g(c_.cache->mu);
      auto it = c_.cache->orders.find(ckey);
      if (it != c_.cache->orders.end()) cached_ = it->second;
    }
    if (!cached_) {
      auto tmp = keyed_rows(false);
      auto order = std::make_shared<std::vector<uint32_t>>();
      order->reserve(tmp.size());
      for (auto& kr : tmp) order->push_back(kr.second);
      std::lock_guard<std::mutex> g(c_.cache->mu);
      cached_ = c_.cache->orders.emplace(ckey, std::move(order)).first->second;
    }
    return cached_.get();
  }

  void sort_local() {
    auto tmp = keyed_rows(true);
    local_.reserve(tmp.size());
    keys_.reserve(tmp.size());
    for (auto& [k, r] : tmp) {
      local_.push_back(r);
      keys_.push_back(std::move(k));
    }
    V_ = &local_;
  }

  // c.rows (only the matching ones when `filtered`) with their keys, in ascending key order.
  std::vector<std::pair<Key, uint32_t>> keyed_rows(bool filtered) const {
    std::vector<std::pair<Key, uint32_t>> tmp;
    tmp.reserve(c_.rows.size());
    for (uint32_t r : c_.rows)
      if (!filtered || matches(c_, r, rq_.conds)) tmp.emplace_back(key_of_row(r), r);
    std::sort(tmp.begin(), tmp.end(), [](auto& a, auto& b) { return kcmp(a.first, b.first, false) < 0; });
    return tmp;
  }

  bool walk_filters() const { return fast_ || indexed_; }
  Key key_at(size_t j) const { return walk_filters() ? key_of_row((*V_)[j]) : keys_[j]; }
  bool ok_at(size_t j) const {
    if (!walk_filters()) return true;
    return c_.pred ? c_.pred((*V_)[j]) : matches(c_, (*V_)[j], rq_.conds);
  }

  // Range narrowing on the sort key (datetime bounds on events; time-typed sorts of indexed
  // collections). Rows outside [lo,hi) cannot match the condition; the rest are still filtered.
  void narrow_range() {
    lo_ = 0;
    hi_ = V_->size();
    const std::string& range_field = fast_ ? c_.presorted_field : sort_;
    const bool ranged = fast_ || (indexed_ && st_ == FType::Time && !sort_.empty() && sort_ != "id");
    if (!ranged) return;
    auto first_ge = [&](int64_t x) {
      return size_t(std::partition_point(V_->begin(), V_->end(),
                                         [&](uint32_t r) { return (fast_ ? c_.keyfn(r) : key_of_row(r).i) < x; }) -
                    V_->begin());
    };
    for (auto& cd : rq_.conds) {
      if (cd.field != range_field || cd.v.kind != Literal::Time) continue;
      int64_t t = cd.v.t;
      if (cd.op == "greater-than") lo_ = std::max(lo_, first_ge(t + 1));
      if (cd.op == "greater-or-equal") lo_ = std::max(lo_, first_ge(t));
      if (cd.op == "less-than") hi_ = std::min(hi_, first_ge(t));
      if (cd.op == "less-or-equal") hi_ = std::min(hi_, first_ge(t + 1));
    }
    if (hi_ < lo_) hi_ = lo_;
  }

  // The cursor's position in ascending space: lb = first row >= cursor, ub = first row > cursor.
  void locate_cursor() {
    lb_ = ub_ = lo_;
    if (!rq_.cursor) return;
    Key ck;
    ck.i = rq_.cursor->ki;
    ck.s = rq_.cursor->ks;
    ck.tie = rq_.cursor->tie;
    if (fast_) ck.tn = c_.tie_of_id ? c_.tie_of_id(rq_.cursor->tie).value_or(0) : 0;
    auto first_where = [&](auto pred) {  // first j in [lo,hi) with pred(key) true (monotone)
      size_t a = lo_, b = hi_;
      while (a < b) {
        size_t m = a + (b - a) / 2;
        if (pred(key_at(m))) b = m;
        else a = m + 1;
      }
      return a;
    };
    lb_ = first_where([&](const Key& k) { return kcmp(k, ck, fast_) >= 0; });
    ub_ = first_where([&](const Key& k) { return kcmp(k, ck, fast_) > 0; });
  }

  // Collects up to rq.size matching rows walking "up" (ascending indices) from `from`, or "down"
  // from just below `from_excl`; true when another matching row lies beyond them.
  bool walk_up(size_t from, std::vector<size_t>& acc) const {
    for (size_t j = from; j < hi_; ++j) {
      if (!ok_at(j)) continue;
      if (acc.size() == rq_.size) return true;
      acc.push_back(j);
    }
    return false;
  }
  bool walk_down(size_t from_excl, std::vector<size_t>& acc) const {
    for (size_t j = from_excl; j > lo_; --j) {
      if (!ok_at(j - 1)) continue;
      if (acc.size() == rq_.size) return true;
      acc.push_back(j - 1);
    }
    return false;
  }

  // The page's ascending-space indices in output order. A prev page walks away from the cursor
  // against the sort direction, then reads back; it always has a next link.
  std::vector<size_t> pick(bool backward, bool& more) const {
    std::vector<size_t> picked;
    const bool asc = !rq_.desc, have_cursor = rq_.cursor.has_value();
    if (!backward) {
      if (asc) more = walk_up(have_cursor ? std::max(ub_, lo_) : lo_, picked);
      else more = walk_down(have_cursor ? std::min(lb_, hi_) : hi_, picked);
      return picked;
    }
    std::vector<size_t> acc;
    if (asc) walk_down(std::min(lb_, hi_), acc);
    else walk_up(std::max(ub_, lo_), acc);
    picked.assign(acc.rbegin(), acc.rend());
    more = true;
    return picked;
  }

  // Whether a matching row precedes index j in page order.
  bool any_before(size_t j) const {
    if (!rq_.desc) {
      for (size_t k = j; k > lo_; --k)
        if (ok_at(k - 1)) return true;
    } else {
      for (size_t k = j + 1; k < hi_; ++k)
        if (ok_at(k)) return true;
    }
    return false;
  }

  Cursor cursor_at(size_t j, bool backward) const {
    Key k = key_at(j);
    return Cursor{backward, k.i, k.s, fast_ ? c_.id((*V_)[j]) : k.tie, 0};
  }

  const Collection& c_;
  const PageRequest& rq_;
  const bool fast_, indexed_;
  const std::string sort_;
  const FType st_;  // type of the sort field
  std::vector<uint32_t> local_;
  std::vector<Key> keys_;  // keys of local_ (the only mode that keeps them)
  std::shared_ptr<const std::vector<uint32_t>> cached_;
  const std::vector<uint32_t>* V_ = nullptr;  // the rows in ascending order
  size_t lo_ = 0, hi_ = 0, lb_ = 0, ub_ = 0;
};
}  // namespace

PageResult run_page(const Collection& c, const PageRequest& rq) { return Pager(c, rq).run(); }

}  // namespace sim
