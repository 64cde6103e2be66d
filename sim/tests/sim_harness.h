// tests/sim_harness.h — starts klaviyo-sim as a child process on a free port and offers small
// HTTP helpers (authenticated GET/POST, follow links.next, admin calls) for the Catch2 tests.
#pragma once
#include <httplib.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace simtest {

using json = nlohmann::json;
inline const std::string kKey = "pk_sim_full_access_key_0001";

struct Resp {
  int status = 0;
  json body;
  httplib::Headers headers;
  std::string header(const std::string& k) const {
    auto it = headers.find(k);
    return it == headers.end() ? "" : it->second;
  }
};

class Sim {
 public:
  explicit Sim(std::vector<std::string> args) {
    static int n = 0;
    port_file_ = "/tmp/sim_test_" + std::to_string(getpid()) + "_" + std::to_string(n++) + ".port";
    std::remove(port_file_.c_str());
    std::vector<std::string> argv_s = {SIM_BIN, "--port", "0", "--port-file", port_file_};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid_, SIM_BIN, &fa, nullptr, argv.data(), environ) != 0) throw std::runtime_error("spawn failed");
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 500; ++i) {
      std::ifstream f(port_file_);
      if (f >> port_) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!port_) throw std::runtime_error("sim did not start");
    cli_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    cli_->set_read_timeout(30, 0);
    cli_->set_url_encode(false);  // send queries exactly as written (tests control encoding)
  }
  ~Sim() {
    kill(pid_, SIGKILL);
    int st;
    waitpid(pid_, &st, 0);
    std::remove(port_file_.c_str());
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  Resp get(const std::string& path, const std::string& key = kKey, const std::string& revision = "2026-07-15") {
    httplib::Headers h;
    if (!key.empty()) h.emplace("Authorization", "Klaviyo-API-Key " + key);
    if (!revision.empty()) h.emplace("revision", revision);
    std::string p = path.rfind("http", 0) == 0 ? path.substr(url().size()) : path;
    auto r = cli_->Get(p.c_str(), h);
    return to_resp(r);
  }
  Resp post(const std::string& path, const json& body, const std::string& key = kKey) {
    httplib::Headers h = {{"Authorization", "Klaviyo-API-Key " + key}, {"revision", "2026-07-15"}};
    auto r = cli_->Post(path.c_str(), h, body.dump(), "application/vnd.api+json");
    return to_resp(r);
  }
  Resp post_raw(const std::string& path, const std::string& body, const std::string& key = kKey) {
    httplib::Headers h = {{"Authorization", "Klaviyo-API-Key " + key}, {"revision", "2026-07-15"}};
    return to_resp(cli_->Post(path.c_str(), h, body, "application/vnd.api+json"));
  }
  json admin_get(const std::string& path) { return to_resp(cli_->Get(path.c_str())).body; }
  json admin_post(const std::string& path, const json& b) {
    return to_resp(cli_->Post(path.c_str(), b.dump(), "application/json")).body;
  }
  std::vector<std::string> truth(const std::string& q) {
    return admin_get("/__sim/truth?resource=" + q)["ids"].get<std::vector<std::string>>();
  }
  // Follows links.next from `path`; returns all ids and the number of pages.
  std::vector<std::string> all_ids(const std::string& path, int* pages = nullptr) {
    std::vector<std::string> ids;
    std::string next = path;
    int n = 0;
    while (!next.empty()) {
      Resp r = get(next);
      if (r.status != 200) throw std::runtime_error("HTTP " + std::to_string(r.status) + " on " + next + ": " + r.body.dump());
      for (auto& d : r.body["data"]) ids.push_back(d["id"]);
      n++;
      next = r.body["links"]["next"].is_string() ? r.body["links"]["next"].get<std::string>() : "";
    }
    if (pages) *pages = n;
    return ids;
  }

 private:
  Resp to_resp(const httplib::Result& r) {
    Resp out;
    if (!r) return out;
    out.status = r->status;
    out.headers = r->headers;
    try {
      out.body = json::parse(r->body);
    } catch (...) {
      out.body = nullptr;
    }
    return out;
  }
  pid_t pid_ = 0;
  int port_ = 0;
  std::string port_file_;
  std::unique_ptr<httplib::Client> cli_;
};

}  // namespace simtest
