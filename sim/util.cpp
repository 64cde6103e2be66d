// util.cpp — implementation of hashing, id derivation, time and encoding helpers.
#include "util.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

namespace sim {

uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c) {
  return mix64(mix64(mix64(mix64(seed) ^ a) ^ b) ^ c);
}
double unit(uint64_t h) { return double(h >> 11) * (1.0 / 9007199254740992.0); }

// --- civil date helpers (Howard Hinnant's algorithms) ---
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}
static void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += (m <= 2);
}

std::string fmt_time(int64_t us, int style) {
  char buf[64];
  return std::string(buf, fmt_time_to(buf, us, style));
}

static inline void put2(char* p, unsigned v) {
  p[0] = char('0' + v / 10);
  p[1] = char('0' + v % 10);
}

size_t fmt_time_to(char* buf, int64_t us, int style) {
  int64_t secs = us >= 0 ? us / kUs : -((-us + kUs - 1) / kUs);
  int64_t frac = us - secs * kUs;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t sod = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char sep = style == 2 ? ' ' : 'T';
  if (y < 0 || y > 9999) {  // rare: keep printf's exact rendering
    int n;
    if (style == 1)
      n = std::snprintf(buf, 40, "%04lld-%02u-%02u%c%02lld:%02lld:%02lld.%06lld+00:00", (long long)y, m, d, sep,
                        (long long)(sod / 3600), (long long)(sod / 60 % 60), (long long)(sod % 60), (long long)frac);
    else
      n = std::snprintf(buf, 40, "%04lld-%02u-%02u%c%02lld:%02lld:%02lld+00:00", (long long)y, m, d, sep,
                        (long long)(sod / 3600), (long long)(sod / 60 % 60), (long long)(sod % 60));
    return size_t(n);
  }
  unsigned yy = unsigned(y);
  put2(buf, yy / 100);
  put2(buf + 2, yy % 100);
  buf[4] = '-';
  put2(buf + 5, m);
  buf[7] = '-';
  put2(buf + 8, d);
  buf[10] = sep;
  put2(buf + 11, unsigned(sod / 3600));
  buf[13] = ':';
  put2(buf + 14, unsigned(sod / 60 % 60));
  buf[16] = ':';
  put2(buf + 17, unsigned(sod % 60));
  char* p = buf + 19;
  if (style == 1) {
    *p++ = '.';
    unsigned f = unsigned(frac);
    for (int k = 5; k >= 0; --k) {
      p[k] = char('0' + f % 10);
      f /= 10;
    }
    p += 6;
  }
  std::memcpy(p, "+00:00", 6);
  return size_t(p + 6 - buf);
}

static bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

std::optional<int64_t> parse_date(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
      !digits(s, 8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31)
    return std::nullopt;
  return days_from_civil(y, unsigned(m), unsigned(d)) * kDayUs;
}

std::optional<int64_t> parse_time(std::string_view s, bool allow_space_sep) {
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31)
    return std::nullopt;
  size_t p = 10;
  int64_t frac = 0;
  int64_t off = 0;
  if (p < s.size()) {
    if (s[p] == 'T' || (allow_space_sep && s[p] == ' ')) {
      ++p;
      if (!digits(s, p, 2, h) || p + 2 >= s.size() || s[p + 2] != ':' || !digits(s, p + 3, 2, mi))
        return std::nullopt;
      p += 5;
      if (p < s.size() && s[p] == ':') {
        if (!digits(s, p + 1, 2, se)) return std::nullopt;
        p += 3;
      }
      if (p < s.size() && s[p] == '.') {
        ++p;
        int n = 0;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          if (n < 6) frac = frac * 10 + (s[p] - '0');
          ++n;
          ++p;
        }
        if (n == 0) return std::nullopt;
        for (int k = n; k < 6; ++k) frac *= 10;
      }
      if (h > 23 || mi > 59 || se > 60) return std::nullopt;
      if (p < s.size()) {
        if (s[p] == 'Z' && p + 1 == s.size()) {
          p++;
        } else if (s[p] == '+' || s[p] == '-') {
          int oh, om;
          int sign = s[p] == '-' ? -1 : 1;
          if (!digits(s, p + 1, 2, oh)) return std::nullopt;
          size_t q = p + 3;
          if (q < s.size() && s[q] == ':') ++q;
          if (!digits(s, q, 2, om)) return std::nullopt;
          if (q + 2 != s.size()) return std::nullopt;
          off = sign * (int64_t(oh) * 3600 + om * 60);
          p = s.size();
        } else {
          return std::nullopt;
        }
      }
    } else {
      return std::nullopt;
    }
  }
  if (p != s.size()) return std::nullopt;
  int64_t secs = days_from_civil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + se - off;
  return secs * kUs + frac;
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// 4-round Feistel on two 32-bit halves.
uint64_t permute(uint64_t seed, uint64_t x) {
  uint32_t l = uint32_t(x >> 32), r = uint32_t(x);
  for (uint64_t i = 0; i < 4; ++i) {
    uint32_t f = uint32_t(hash(seed, 0xfe15, i, r));
    uint32_t nl = r, nr = l ^ f;
    l = nl;
    r = nr;
  }
  return (uint64_t(l) << 32) | r;
}
uint64_t unpermute(uint64_t seed, uint64_t y) {
  uint32_t l = uint32_t(y >> 32), r = uint32_t(y);
  for (int i = 3; i >= 0; --i) {
    uint32_t pr = l;
    uint32_t f = uint32_t(hash(seed, 0xfe15, uint64_t(i), pr));
    uint32_t pl = r ^ f;
    l = pl;
    r = pr;
  }
  return (uint64_t(l) << 32) | r;
}

static const char* kB32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void ulid_to(char* out, int64_t ms, uint64_t perm, uint16_t tag) {
  uint64_t t = ms < 0 ? 0 : uint64_t(ms);
  for (int i = 9; i >= 0; --i) {
    out[i] = kB32[t & 31];
    t >>= 5;
  }
  // 80 bits: perm (64) then tag (16), big-endian, 5 bits per char.
  unsigned __int128 v = (static_cast<unsigned __int128>(perm) << 16) | tag;
  for (int i = 25; i >= 10; --i) {
    out[i] = kB32[unsigned(v & 31)];
    v >>= 5;
  }
}

std::string ulid(int64_t ms, uint64_t perm, uint16_t tag) {
  std::string out(26, '0');
  ulid_to(out.data(), ms, perm, tag);
  return out;
}

std::optional<std::pair<uint64_t, uint16_t>> ulid_decode(std::string_view id) {
  if (id.size() != 26) return std::nullopt;
  unsigned __int128 v = 0;
  for (size_t i = 10; i < 26; ++i) {
    const char* p = nullptr;
    for (int k = 0; k < 32; ++k)
      if (kB32[k] == id[i]) p = kB32 + k;
    if (!p) return std::nullopt;
    v = (v << 5) | unsigned(p - kB32);
  }
  return std::make_pair(uint64_t(v >> 16), uint16_t(v & 0xffff));
}

std::string short_id(uint64_t seed, uint64_t kind, uint64_t index) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  uint64_t h = hash(seed, 0x5107 + kind, index);
  std::string out(6, 'A');
  out[0] = a[h % 52];  // starts with a letter
  h /= 52;
  for (size_t i = 1; i < 6; ++i) {
    out[i] = a[h % 62];
    h /= 62;
  }
  return out;
}

static inline void put_hex(char* p, uint64_t v, int n) {
  static const char* hx = "0123456789abcdef";
  for (int k = n - 1; k >= 0; --k) {
    p[k] = hx[v & 15];
    v >>= 4;
  }
}

// "%08x-%04x-4%03x-%04x-%012llx" of (a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|((b>>48)&0x3fff), b&0xffffffffffff)
void uuid_to(char* out, uint64_t a, uint64_t b) {
  put_hex(out, a >> 32, 8);
  out[8] = '-';
  put_hex(out + 9, (a >> 16) & 0xffff, 4);
  out[13] = '-';
  out[14] = '4';
  put_hex(out + 15, a & 0xfff, 3);
  out[18] = '-';
  put_hex(out + 19, 0x8000 | ((b >> 48) & 0x3fff), 4);
  out[23] = '-';
  put_hex(out + 24, b & 0xffffffffffffULL, 12);
}

std::string uuid_from(uint64_t a, uint64_t b) {
  std::string out(36, '0');
  uuid_to(out.data(), a, b);
  return out;
}

static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
std::string b64url_encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
    i += 3;
  }
  if (in.size() - i == 1) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
  } else if (in.size() - i == 2) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
  }
  return out;
}
std::optional<std::string> b64url_decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = val(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string url_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && isxdigit(uint8_t(s[i + 1])) && isxdigit(uint8_t(s[i + 2]))) {
      out += char(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (s[i] == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string error_body(int status, const std::string& code, const std::string& title, const std::string& detail,
                       const std::string& source_key, const std::string& source_val) {
  static std::atomic<uint64_t> ctr{1};
  uint64_t n = ctr.fetch_add(1);
  nlohmann::json e = {{"id", uuid_from(hash(77, n), hash(78, n))},
                      {"status", status},
                      {"code", code},
                      {"title", title},
                      {"detail", detail}};
  if (!source_key.empty()) e["source"] = {{source_key, source_val}};
  return nlohmann::json{{"errors", nlohmann::json::array({e})}}.dump();
}

}  // namespace sim
