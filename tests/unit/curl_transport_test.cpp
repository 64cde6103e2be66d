// CurlTransport against a tiny cpp-httplib server on loopback: headers, gzip, POST, keep-alive,
// and the mapping of failures (refused, timeout, truncated body) to TransportError.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <httplib.h>

#include "core/http/transport.h"

using namespace std::chrono_literals;
using sk::http::Request;
using sk::http::Result;
using sk::http::TransportError;
using sk::http::TransportOptions;

namespace {

// Starts a server on an ephemeral loopback port in a background thread; stops it on destruction.
class LocalServer {
 public:
  LocalServer() = default;
  httplib::Server& server() { return server_; }
  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket already listens after bind_to_any_port; wait for the accept loop anyway.
    for (int i = 0; i < 200 && !server_.is_running(); ++i) std::this_thread::sleep_for(5ms);
  }
  ~LocalServer() {
    release = true;
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::atomic<bool> release{false};  // handlers that block poll this

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TransportOptions fast_options() {
  TransportOptions o;
  o.connect_timeout = 1000ms;
  o.total_timeout = 2000ms;
  o.stall_timeout = 2000ms;
  o.user_agent = "source-klaviyo-test/1.0";
  return o;
}

Request get(const std::string& url) {
  Request r;
  r.url = url;
  r.headers = {{"Accept", "application/json"}, {"Authorization", "Klaviyo-API-Key pk_test_secret"}};
  return r;
}

}  // namespace

TEST_CASE("curl transport: status, body and lower-cased headers", "[http][curl]") {
  LocalServer s;
  s.server().Get("/api/metrics", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 200;
    res.set_header("RateLimit-Limit", "150");
    res.set_header("RateLimit-Remaining", "149");
    res.set_header("X-Saw-Auth", req.get_header_value("Authorization"));
    res.set_header("X-Saw-UA", req.get_header_value("User-Agent"));
    res.set_content(R"({"data":[]})", "application/vnd.api+json");
  });
  s.server().Get("/missing", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"errors":[{"code":"not_found"}]})", "application/vnd.api+json");
  });
  s.server().Get("/moved", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/api/metrics");
  });
  s.start();

  auto t = sk::http::make_curl_transport(fast_options());
  const Result r = t->perform(get(s.url("/api/metrics?page[size]=10")));
  REQUIRE(r.error == TransportError::None);
  CHECK(r.response.status == 200);
  CHECK(r.response.body == R"({"data":[]})");
  REQUIRE(r.response.header("ratelimit-limit") != nullptr);
  CHECK(*r.response.header("ratelimit-limit") == "150");
  CHECK(*r.response.header("ratelimit-remaining") == "149");
  CHECK(r.response.header("RateLimit-Limit") == nullptr);  // only lower-case names
  CHECK(*r.response.header("content-type") == "application/vnd.api+json");
  CHECK(*r.response.header("x-saw-auth") == "Klaviyo-API-Key pk_test_secret");
  CHECK(*r.response.header("x-saw-ua") == "source-klaviyo-test/1.0");

  const Result missing = t->perform(get(s.url("/missing")));
  REQUIRE(missing.error == TransportError::None);
  CHECK(missing.response.status == 404);
  CHECK(missing.response.header("ratelimit-limit") == nullptr);  // no leftovers from the last call

  const Result moved = t->perform(get(s.url("/moved")));
  REQUIRE(moved.error == TransportError::None);
  CHECK(moved.response.status == 302);  // redirects are not followed
}

TEST_CASE("curl transport: gzip responses are decoded", "[http][curl]") {
  LocalServer s;
  const std::string big(20'000, 'k');
  s.server().Get("/gz", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Accept-Encoding", req.get_header_value("Accept-Encoding"));
    res.set_content(R"({"data":")" + big + R"("})", "application/json");  // httplib gzips it
  });
  s.start();
  auto t = sk::http::make_curl_transport(fast_options());
  const Result r = t->perform(get(s.url("/gz")));
  REQUIRE(r.error == TransportError::None);
  CHECK(r.response.status == 200);
  CHECK(r.response.header("x-accept-encoding")->find("gzip") != std::string::npos);
  REQUIRE(r.response.header("content-encoding") != nullptr);  // curl offers gzip, deflate, br
  CHECK(r.response.body == R"({"data":")" + big + R"("})");

  // Only gzip offered: the server gzips, and curl still decodes it.
  Request gz = get(s.url("/gz"));
  gz.headers.emplace_back("Accept-Encoding", "gzip");
  const Result g = t->perform(gz);
  REQUIRE(g.error == TransportError::None);
  REQUIRE(g.response.header("content-encoding") != nullptr);
  CHECK(*g.response.header("content-encoding") == "gzip");
  CHECK(g.response.body == R"({"data":")" + big + R"("})");
}

TEST_CASE("curl transport: POST sends the body and headers; GET after POST is a GET",
          "[http][curl]") {
  LocalServer s;
  s.server().Post("/api/flow-series-reports", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 200;
    res.set_content(req.get_header_value("Content-Type") + "|" + req.body, "text/plain");
  });
  s.server().Get("/api/flow-series-reports", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("GET " + std::to_string(req.body.size()), "text/plain");
  });
  s.start();
  auto t = sk::http::make_curl_transport(fast_options());
  Request post;
  post.method = "POST";
  post.url = s.url("/api/flow-series-reports");
  post.headers = {{"Content-Type", "application/vnd.api+json"}};
  post.body = std::string(R"({"data":{"type":"flow-series-report","attributes":{"x":")") +
              std::string(3000, 'y') + R"("}}})";
  const Result r = t->perform(post);
  REQUIRE(r.error == TransportError::None);
  CHECK(r.response.status == 200);
  CHECK(r.response.body == "application/vnd.api+json|" + post.body);

  const Result g = t->perform(get(s.url("/api/flow-series-reports")));
  REQUIRE(g.error == TransportError::None);
  CHECK(g.response.body == "GET 0");
}

TEST_CASE("curl transport: the connection is kept alive across requests", "[http][curl]") {
  LocalServer s;
  s.server().Get("/port", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::to_string(req.remote_port), "text/plain");
  });
  s.start();
  auto t = sk::http::make_curl_transport(fast_options());
  const Result a = t->perform(get(s.url("/port")));
  const Result b = t->perform(get(s.url("/port")));
  REQUIRE(a.error == TransportError::None);
  REQUIRE(b.error == TransportError::None);
  CHECK(a.response.body == b.response.body);  // same client port: same TCP connection
}

TEST_CASE("curl transport: connection refused is Connect", "[http][curl]") {
  // A bound socket that never listens: connecting to it is refused, and no one else can take it.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const int port = ntohs(addr.sin_port);

  auto t = sk::http::make_curl_transport(fast_options());
  const Result r = t->perform(get("http://127.0.0.1:" + std::to_string(port) + "/api/events"));
  ::close(fd);
  CHECK(r.error == TransportError::Connect);
  CHECK_FALSE(r.error_detail.empty());
  CHECK(r.error_detail.find("pk_test_secret") == std::string::npos);
  CHECK(r.error_detail.find("Authorization") == std::string::npos);
}

TEST_CASE("curl transport: a server slower than the total timeout is Timeout", "[http][curl]") {
  LocalServer s;
  s.server().Get("/slow", [&s](const httplib::Request&, httplib::Response& res) {
    const auto until = std::chrono::steady_clock::now() + 2s;
    while (!s.release && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
    res.set_content("late", "text/plain");
  });
  s.start();
  TransportOptions o = fast_options();
  o.total_timeout = 300ms;
  auto t = sk::http::make_curl_transport(o);
  const auto start = std::chrono::steady_clock::now();
  const Result r = t->perform(get(s.url("/slow")));
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.error == TransportError::Timeout);
  CHECK(r.error_detail.find("pk_test_secret") == std::string::npos);
  CHECK(took < 1500ms);
}

TEST_CASE("curl transport: a body shorter than Content-Length is Reset", "[http][curl]") {
  LocalServer s;
  s.server().Get("/short", [](const httplib::Request&, httplib::Response& res) {
    // Promise 100 bytes, send 10, then give up: httplib closes the connection.
    res.set_content_provider(100, "application/json",
                             [](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset > 0) return false;
                               sink.write("{\"data\":[", 9);
                               return true;
                             });
  });
  s.start();
  auto t = sk::http::make_curl_transport(fast_options());
  const Result r = t->perform(get(s.url("/short")));
  CHECK(r.error == TransportError::Reset);
  CHECK_FALSE(r.error_detail.empty());
}
