// A scripted Transport for unit tests: a handler decides each response; every request is logged.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/http/transport.h"

namespace sk::test {

struct FakeServer {
  std::function<http::Result(const http::Request&)> handler;
  std::mutex mu;
  std::vector<http::Request> seen;

  http::Result handle(const http::Request& r) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(r);
    }
    return handler(r);
  }
  std::vector<std::string> urls() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::string> out;
    for (const auto& r : seen) out.push_back(r.url);
    return out;
  }
};

class FakeTransport final : public http::Transport {
 public:
  explicit FakeTransport(FakeServer& s) : s_(s) {}
  http::Result perform(const http::Request& r) override { return s_.handle(r); }

 private:
  FakeServer& s_;
};

inline http::Result reply(long status, std::string body) {
  http::Result r;
  r.response.status = status;
  r.response.body = std::move(body);
  return r;
}

// Percent-decodes a URL (for readable assertions on filters).
inline std::string decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace sk::test
