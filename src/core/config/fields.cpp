// Config parsing helpers shared by both connectors (see fields.h). Every message names the field
// and how to fix it.
#include "core/config/fields.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

#include "core/util/error.h"

namespace sk::config {

using nlohmann::json;

namespace {

// A value as a message shows it: its JSON, cut short (a config may hold anything).
std::string shown(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Checked by hand: libstdc++'s std::regex recurses once per character and overflows the stack on
// a long enough value (a 300000-character api_key crashed the connector).
bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}
bool all_key_chars(std::string_view s) {  // [A-Za-z0-9_]+
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0 || c == '_'; });
}

}  // namespace

int integer_field(const json& j, const char* name, int lo, int hi, int dflt) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return dflt;
  // A whole number, written 7, 7.0 or "7" (some platforms store numbers as strings). Anything
  // beyond +-kBig is out of every range: it is clamped there, so no conversion can overflow.
  constexpr long long kBig = 1'000'000'000'000LL;
  std::optional<long long> v;
  if (it->is_number_unsigned()) {
    v = static_cast<long long>(std::min<std::uint64_t>(it->get<std::uint64_t>(), kBig));
  } else if (it->is_number_integer()) {
    v = std::clamp<long long>(it->get<long long>(), -kBig, kBig);
  } else if (it->is_number_float()) {
    const double d = it->get<double>();
    if (std::isfinite(d) && d == std::trunc(d)) v = static_cast<long long>(std::clamp(d, -1e12, 1e12));
  } else if (it->is_string() && all_digits(it->get_ref<const std::string&>())) {
    const std::string& text = it->get_ref<const std::string&>();
    const auto first = text.find_first_not_of('0');  // "007"
    if (first == std::string::npos) {
      v = 0;
    } else {
      v = text.size() - first > 12 ? kBig : std::stoll(text.substr(first));
    }
  }
  if (!v)
    throw config_error(std::string("Config field '") + name + "' must be a whole number between " +
                       std::to_string(lo) + " and " + std::to_string(hi) + "; got " + shown(*it) + ".");
  if (*v < lo || *v > hi)
    throw config_error(std::string("Config field '") + name + "' must be between " + std::to_string(lo) +
                       " and " + std::to_string(hi) + "; got " +
                       (*v == kBig || *v == -kBig ? shown(*it) : std::to_string(*v)) + ".");
  return static_cast<int>(*v);
}

std::string string_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string())
    throw config_error(std::string("Config field '") + name + "' must be a string; got " + it->type_name() + ".");
  return it->get<std::string>();
}

bool bool_field(const json& j, const char* name, bool dflt) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return dflt;
  if (!it->is_boolean()) throw config_error(std::string("Config field '") + name + "' must be true or false.");
  return it->get<bool>();
}

std::string klaviyo_api_key(const json& j) {
  auto key = j.find("api_key");
  if (key == j.end() || key->is_null() || (key->is_string() && key->get<std::string>().empty()))
    throw config_error("Config field 'api_key' is required: paste a Klaviyo private API key (it starts with 'pk_').");
  if (!key->is_string()) throw config_error("Config field 'api_key' must be a string (a Klaviyo private key, 'pk_...').");
  std::string api_key = key->get<std::string>();
  const std::string_view key_text = api_key;
  if (key_text.substr(0, 3) != "pk_" || !all_key_chars(key_text.substr(3)))  // pk_[A-Za-z0-9_]+
    throw config_error(
        "Config field 'api_key' does not look like a Klaviyo private API key: it must start with 'pk_' followed by "
        "letters and digits. Public keys (6 characters) and OAuth tokens do not work; create a private key under "
        "Settings > API keys in Klaviyo.");

  return api_key;
}

namespace {

// How deeply arrays and objects nest in JSON text (strings skipped), counted up to limit + 1. A
// scan rather than nlohmann's parser callback, whose bookkeeping is quadratic in the length of an
// array (a 100000-stream state took minutes).
int nesting_depth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) break;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

std::vector<std::string> split_ids(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto b = item.find_first_not_of(" \t\r\n");
    auto e = item.find_last_not_of(" \t\r\n");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

std::string base_url_from_env() {
  const char* env = std::getenv("KLAVIYO_BASE_URL");
  std::string url = (env && *env) ? env : "https://a.klaviyo.com";
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

json read_json_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(std::string("Cannot read the ") + what + " file '" + path + "': it does not exist or is not readable.");
  std::stringstream ss;
  ss << in.rdbuf();
  // nlohmann parses any depth, but copying, dumping and comparing a value recurse once per level:
  // a file of 100000 nested arrays would overflow the stack later. No config, catalog or state
  // nests anywhere near this deep.
  constexpr int kMaxDepth = 256;
  const std::string text = ss.str();
  if (nesting_depth(text, kMaxDepth) > kMaxDepth)
    throw config_error(std::string("The ") + what + " file '" + path + "' nests JSON more than " +
                       std::to_string(kMaxDepth) + " levels deep; check that it is the right file.");
  try {
    return json::parse(text);
  } catch (const json::out_of_range& e) {  // a number too large for a double: 1e999
    throw config_error(std::string("The ") + what + " file '" + path + "' holds a number too large to read.",
                       e.what());
  } catch (const json::exception& e) {
    throw config_error(std::string("The ") + what + " file '" + path + "' is not valid JSON.", e.what());
  }
}

double rate_window_scale_from_env() {
  const char* scale = std::getenv("SK_RATE_WINDOW_SCALE");
  if (scale == nullptr || *scale == '\0') return 1.0;
  char* end = nullptr;
  const double v = std::strtod(scale, &end);
  if (end == scale || *end != '\0' || !(v > 0 && v <= 1))
    throw config_error("The environment variable SK_RATE_WINDOW_SCALE must be a number in (0, 1]; got '" +
                       std::string(scale) + "'. It is for tests against the simulator only: unset it.");
  return v;
}

}  // namespace sk::config
