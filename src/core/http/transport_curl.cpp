// The real Transport: one libcurl easy handle per instance, reused across requests so its
// connection stays alive. See transport.h.
#include <curl/curl.h>

#include "core/util/stop.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>

#include "core/http/transport.h"
#include "core/util/text.h"
#include "core/util/buffers.h"
#include "core/util/error.h"

namespace sk::http {

namespace {

TransportError classify(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportError::None;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::Dns;
    case CURLE_COULDNT_CONNECT:
      return TransportError::Connect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::Timeout;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return TransportError::Reset;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
#if LIBCURL_VERSION_NUM >= 0x074900  // 7.73.0
    case CURLE_SSL_CLIENTCERT:
#endif
      return TransportError::Tls;
    default:
      return TransportError::Other;
  }
}

// The body goes into a reused buffer (util/buffers.h), sized once from Content-Length (plus room
// for a parser's padding and for later, slightly larger pages) instead of growing by doubling as
// chunks arrive.
size_t on_body(char* data, size_t size, size_t nmemb, void* user) {
  auto* resp = static_cast<Response*>(user);
  std::string& body = resp->body;
  if (body.empty()) {
    if (const std::string* len = resp->header("content-length")) {
      const unsigned long long n = std::strtoull(len->c_str(), nullptr, 10);
      // An eighth more than this body needs: the next pages of a stream are a few bytes larger or
      // smaller, and a buffer reserved exactly would be reallocated for every larger one.
      if (n > 0 && n < (1ULL << 31) && body.capacity() < n + kBodySlack) body.reserve(n + n / 8 + kBodySlack);
    }
  }
  body.append(data, size * nmemb);
  return size * nmemb;
}

// One header line per call, status lines included. A new status line starts a new header block
// (e.g. after "100 Continue"), so only the final response's headers are kept.
size_t on_header(char* data, size_t size, size_t nmemb, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  const std::string_view line(data, size * nmemb);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * nmemb;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return size * nmemb;
  std::string name(trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  (*headers)[std::move(name)] = std::string(trim(line.substr(colon + 1)));
  return size * nmemb;
}

// Non-zero aborts the transfer: when a stop was requested (util/stop.h).
int on_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return stop_requested() ? 1 : 0; }

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(const TransportOptions& opts) : curl_(curl_easy_init()) {
    if (curl_ == nullptr) throw system_error("Could not initialise libcurl (curl_easy_init failed).");
    errbuf_[0] = '\0';
    // Options that hold for every request; perform() only sets the per-request ones.
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, errbuf_);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts.connect_timeout.count()));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(opts.total_timeout.count()));
    const auto stall_s = std::max<long long>(1, (opts.stall_timeout.count() + 999) / 1000);
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, static_cast<long>(stall_s));
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(curl_, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
    // Pages are ~1 MB: read them in large chunks (fewer recv calls and callbacks than 16 KB; below the mmap threshold set in main.cpp).
    curl_easy_setopt(curl_, CURLOPT_BUFFERSIZE, 128L * 1024L);
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (!opts.user_agent.empty()) curl_easy_setopt(curl_, CURLOPT_USERAGENT, opts.user_agent.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &on_header);
    // A stop request (SIGTERM) aborts a transfer in flight: curl calls this about once a second
    // while waiting, and on every chunk received.
    curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, &on_progress);
  }

  ~CurlTransport() override { curl_easy_cleanup(curl_); }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result perform(const Request& req) override {
    Result result;
    Response& resp = result.response;
    errbuf_[0] = '\0';

    struct curl_slist* headers = nullptr;
    for (const auto& [name, value] : req.headers) {
      // "Name;" is curl's spelling of a header with an empty value; "Name:" would remove it.
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      headers = curl_slist_append(headers, line.c_str());
    }
    const bool post = req.method == "POST";
    if (post) headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip

    curl_easy_setopt(curl_, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    resp.body = take_buffer();
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &resp.headers);
    if (post) {
      curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, req.body.data());
    } else if (req.method == "GET") {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }

    const CURLcode code = curl_easy_perform(curl_);

    // Nothing set above may outlive this call.
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, static_cast<char*>(nullptr));
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, static_cast<char*>(nullptr));
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, static_cast<void*>(nullptr));
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, static_cast<void*>(nullptr));
    curl_slist_free_all(headers);

    if (code != CURLE_OK) {
      result.error = classify(code);
      result.error_detail = curl_easy_strerror(code);
      const std::string_view detail = trim(errbuf_);
      if (!detail.empty() && detail != result.error_detail) {
        result.error_detail += ": ";
        result.error_detail += detail;
      }
      give_back(std::move(result.response.body));
      result.response = Response{};
      return result;
    }
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    resp.status = status;
    return result;
  }

 private:
  CURL* curl_;
  char errbuf_[CURL_ERROR_SIZE];
};

}  // namespace

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
      throw system_error("Could not initialise libcurl.",
                         std::string("curl_global_init: ") + curl_easy_strerror(rc));
    }
  });
}

std::unique_ptr<Transport> make_curl_transport(const TransportOptions& opts) {
  global_init();
  return std::make_unique<CurlTransport>(opts);
}

TransportFactory curl_transports() {
  return [] {
    TransportOptions opts;
    opts.user_agent = std::string("source-klaviyo/") + SK_VERSION + " (Airbyte; C++)";
    return make_curl_transport(opts);
  };
}

}  // namespace sk::http
