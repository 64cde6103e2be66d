// util.h — small shared helpers: counter-based hashing, ULID-like/short ids, ISO-8601 time
// formatting/parsing, base64url, URL encoding, and JSON:API error bodies.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

// splitmix64-style mixer; hash(seed, a, b, ...) is the only randomness source.
uint64_t mix64(uint64_t x);
uint64_t hash(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0);
// Uniform double in [0,1) from a hash value.
double unit(uint64_t h);

// Time is int64 microseconds since the Unix epoch (UTC).
constexpr int64_t kUs = 1000000;
constexpr int64_t kDayUs = 86400 * kUs;
// Formats: 0 = "YYYY-MM-DDTHH:MM:SS+00:00", 1 = with ".ffffff", 2 = space separator.
std::string fmt_time(int64_t us, int style = 0);
// Same text as fmt_time written into buf (>= 40 bytes); returns the length.
size_t fmt_time_to(char* buf, int64_t us, int style = 0);
// Parse ISO-8601 (T or space separator, optional fraction, Z / +HH:MM / +HHMM / -HH:MM).
std::optional<int64_t> parse_time(std::string_view s, bool allow_space_sep = true);
// Parse YYYY-MM-DD to midnight UTC.
std::optional<int64_t> parse_date(std::string_view s);
int64_t now_us();

// Reversible 64-bit permutation keyed by seed (Feistel); used to derive ids from indices.
uint64_t permute(uint64_t seed, uint64_t x);
uint64_t unpermute(uint64_t seed, uint64_t y);

// 26-char Crockford base32 ULID-like id: 10 chars of time (ms) + 16 chars of (perm64<<16|tag).
std::string ulid(int64_t ms, uint64_t perm, uint16_t tag);
// Same 26 characters as ulid(), written into out (no terminator).
void ulid_to(char* out, int64_t ms, uint64_t perm, uint16_t tag);
// Decode the random part of an ulid(); returns {perm, tag} or nullopt.
std::optional<std::pair<uint64_t, uint16_t>> ulid_decode(std::string_view id);
// 6-char base62 id like "RESQ6t", derived from seed/kind/index.
std::string short_id(uint64_t seed, uint64_t kind, uint64_t index);
std::string uuid_from(uint64_t a, uint64_t b);
// Same 36 characters as uuid_from(), written into out (no terminator).
void uuid_to(char* out, uint64_t a, uint64_t b);

std::string b64url_encode(std::string_view in);
std::optional<std::string> b64url_decode(std::string_view in);
std::string url_encode(std::string_view s);  // RFC 3986 unreserved kept
std::string url_decode(std::string_view s, bool plus_as_space);

// {"errors":[{...}]} body.
std::string error_body(int status, const std::string& code, const std::string& title,
                       const std::string& detail, const std::string& source_key = "",
                       const std::string& source_val = "");

}  // namespace sim
