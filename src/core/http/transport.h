// The narrow seam between the connector and the network: one request in, one response (or a
// transport failure) out. CurlTransport is the real one; tests substitute a scripted fake to inject
// 429s, resets, timeouts and truncated bodies.
// Thread-safety: a Transport instance is used by one thread at a time (one per worker).
#pragma once

#include <chrono>
#include <map>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sk::http {

struct Request {
  std::string method = "GET";  // GET or POST
  std::string url;             // absolute URL
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given
  std::string body;            // POST only
};

// Bytes reserved past a body's end, so a JSON parser that reads ahead in blocks (simdjson needs 64)
// can parse it in place.
inline constexpr std::size_t kBodySlack = 64;

struct Response {
  long status = 0;
  std::string body;  // from take_buffer() (util/buffers.h); give it back when done, if convenient
  std::map<std::string, std::string> headers;  // names lower-cased; last value wins
  const std::string* header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? nullptr : &it->second;
  }
};

enum class TransportError {
  None,      // a complete HTTP response arrived (any status)
  Dns,       // host name did not resolve
  Connect,   // connection refused / unreachable
  Timeout,   // connect or transfer timed out (includes stalls past the low-speed limit)
  Reset,     // connection reset / closed mid-response / truncated body
  Tls,       // TLS handshake or certificate verification failed
  Other,     // anything else libcurl reports
};

struct Result {
  TransportError error = TransportError::None;
  std::string error_detail;  // libcurl's text; never contains request headers
  Response response;         // valid when error == None
};

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{120'000};
  // A transfer slower than 1 byte/s for this long is a stall (Timeout).
  std::chrono::milliseconds stall_timeout{30'000};
  std::string user_agent;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result perform(const Request& req) = 0;
};

// libcurl easy handle, reused across requests so the connection stays alive (keep-alive pool of
// one handle per worker). gzip/deflate accepted. TLS peer and host verification always on.
std::unique_ptr<Transport> make_curl_transport(const TransportOptions& opts);

// Makes one Transport per worker (each owns its connection pool).
using TransportFactory = std::function<std::unique_ptr<Transport>()>;
// The default factory: libcurl with the connector's User-Agent and timeouts.
TransportFactory curl_transports();

// Must be called once before threads start (curl_global_init).
void global_init();

}  // namespace sk::http
