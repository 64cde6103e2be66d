// jsonw.h — a minimal streaming JSON writer into a std::string, byte-compatible with
// nlohmann::json::dump() (compact, no spaces; strings escaped the same way, invalid UTF-8 throws the
// same exception; doubles via nlohmann's own shortest-round-trip formatter, so 12.0 stays "12.0").
// Commas are inserted automatically. Callers emit object keys in nlohmann's order (std::map: sorted
// bytewise), which keeps responses byte-identical to the DOM renderers they replace.
#pragma once
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sim {

class JW {
 public:
  explicit JW(std::string& out) : o_(out) {}

  JW& obj() {
    pre();
    o_ += '{';
    comma_ = false;
    return *this;
  }
  JW& end_obj() {
    o_ += '}';
    comma_ = true;
    return *this;
  }
  JW& arr() {
    pre();
    o_ += '[';
    comma_ = false;
    return *this;
  }
  JW& end_arr() {
    o_ += ']';
    comma_ = true;
    return *this;
  }
  JW& key(std::string_view k) {
    pre();
    put_str(k);
    o_ += ':';
    after_key_ = true;
    return *this;
  }
  JW& s(std::string_view v) {
    pre();
    put_str(v);
    return *this;
  }
  // One string value made of several pieces (URLs) without a temporary.
  JW& cat(std::initializer_list<std::string_view> parts) {
    pre();
    bool clean = true;
    for (auto p : parts) clean = clean && is_clean(p);
    if (clean) {
      o_ += '"';
      for (auto p : parts) o_.append(p.data(), p.size());
      o_ += '"';
    } else {
      std::string tmp;
      for (auto p : parts) tmp.append(p.data(), p.size());
      put_slow(tmp);
    }
    return *this;
  }
  JW& i(int64_t v) {
    pre();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    o_.append(buf, size_t(r.ptr - buf));
    return *this;
  }
  JW& d(double v) {
    pre();
    if (!std::isfinite(v)) {
      o_ += "null";
      return *this;
    }
    char buf[64];
    char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, v);
    o_.append(buf, size_t(end - buf));
    return *this;
  }
  JW& b(bool v) {
    pre();
    o_ += v ? "true" : "false";
    return *this;
  }
  JW& null() {
    pre();
    o_ += "null";
    return *this;
  }
  // A complete, already-serialised JSON value.
  JW& raw(std::string_view v) {
    pre();
    o_.append(v.data(), v.size());
    return *this;
  }
  JW& j(const nlohmann::json& v) { return raw(v.dump()); }

  std::string& out() { return o_; }

 private:
  void pre() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (comma_) o_ += ',';
    comma_ = true;
  }
  static bool is_clean(std::string_view v) {
    for (unsigned char ch : v)
      if (ch < 0x20 || ch >= 0x80 || ch == '"' || ch == '\\') return false;
    return true;
  }
  void put_str(std::string_view v) {
    if (is_clean(v)) {
      o_ += '"';
      o_.append(v.data(), v.size());
      o_ += '"';
    } else {
      put_slow(v);
    }
  }
  // Escapes, UTF-8 and its errors exactly as nlohmann does (by letting nlohmann do it).
  void put_slow(std::string_view v) { o_ += nlohmann::json(std::string(v)).dump(); }

  std::string& o_;
  bool comma_ = false, after_key_ = false;
};

}  // namespace sim
