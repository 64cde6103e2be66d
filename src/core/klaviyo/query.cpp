// URL and filter building (see query.h).
#include "core/klaviyo/query.h"

#include "core/util/datetime.h"

namespace sk::klaviyo {

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string build_url(std::string_view base, std::string_view path, const Params& params) {
  std::string url(base);
  url.append(path);
  char sep = '?';
  for (const auto& [k, v] : params) {
    url.push_back(sep);
    sep = '&';
    url.append(percent_encode(k)).push_back('=');
    url.append(percent_encode(v));
  }
  return url;
}

std::string clause(std::string_view op, std::string_view field, std::string_view literal) {
  std::string s(op);
  s.append("(").append(field).append(",").append(literal).append(")");
  return s;
}

std::string quoted(std::string_view v) {
  std::string s = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') s.push_back('\\');
    s.push_back(c);
  }
  return s + "'";
}

std::string dquoted(std::string_view v) {
  std::string s = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') s.push_back('\\');
    s.push_back(c);
  }
  return s + "\"";
}

std::string dt(SysTime t) { return format_filter(t); }

std::string all_of(const std::vector<std::string>& clauses) {
  if (clauses.empty()) return {};
  if (clauses.size() == 1) return clauses.front();
  std::string s = "and(";
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    if (i) s.push_back(',');
    s.append(clauses[i]);
  }
  return s + ")";
}

}  // namespace sk::klaviyo
