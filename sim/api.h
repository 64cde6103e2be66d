// api.h — shared server state, the per-request context handed to endpoint handlers, the route
// table types, and JSON:API helpers (errors, list preparation, links, sparse fieldsets).
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "collection.h"
#include "config.h"
#include "dataset.h"
#include "faults.h"
#include "ratelimit.h"
#include "tz.h"
#include "written.h"

namespace httplib {
struct Request;
}

namespace sim {

using json = nlohmann::json;
class JW;

struct LogEntry {
  uint64_t seq;
  std::string method, path, query;
  std::vector<std::pair<std::string, std::string>> params;
  int status;
  bool auth_ok;
  std::string body;  // request body (POSTs), "" when longer than Config::log_bodies_max
  size_t body_bytes = 0;
};

struct State {
  Config cfg;
  AccountZone zone;  // cfg.timezone, loaded at start-up
  std::unique_ptr<Dataset> ds;
  std::unique_ptr<WrittenStore> written;  // records created by the write endpoints (its own mutex)
  std::unique_ptr<RateLimiter> rl;
  std::mutex cfg_mu;  // guards cfg.rt and plan
  FaultPlan plan;
  std::atomic<uint64_t> seq{0};
  std::mutex log_mu;
  std::vector<LogEntry> log;
  std::atomic<uint64_t> pages{0}, throttled{0}, requests{0};
  std::map<std::string, uint64_t> by_path;  // under log_mu
  std::atomic<bool> stopping{false};
};

struct Ctx {
  const httplib::Request& req;
  State& st;
  const Dataset& ds;
  std::map<std::string, std::string> q;  // decoded query params
  std::vector<std::string> pp;           // path parameters
  std::string base;                      // "http://host:port"
  std::string path;                      // normalised (no trailing slash)
  int status = 200;
  std::string body;
  bool is_page = false;

  bool bad(const std::string& detail, const std::string& param = "", const std::string& code = "invalid");
  bool not_found(const std::string& what);
  bool has(const std::string& k) const { return q.count(k) > 0; }
  std::string get(const std::string& k) const {
    auto it = q.find(k);
    return it == q.end() ? "" : it->second;
  }
  std::set<std::string> csv(const std::string& k) const;
  std::string res_url(const std::string& plural, const std::string& id) const {
    return base + "/api/" + plural + "/" + id + "/";
  }
};

// What a list endpoint accepts.
struct ListSpec {
  const FieldTable* filters = nullptr;
  std::vector<std::string> sorts;
  int page_default = 0, page_max = 0;  // page_max 0: no page[size] parameter (fixed page_default)
  std::vector<std::string> includes;
  std::string additional_type;  // e.g. "profile"
  std::vector<std::string> additional;  // allowed additional-fields values
};

// Validates include / additional-fields / filter / sort / page params; on error sets a 400 and
// returns false.
bool prepare_list(Ctx& c, const ListSpec& spec, PageRequest& out);
// Validates include and additional-fields for single-object GETs.
bool check_params(Ctx& c, const std::vector<std::string>& includes, const std::string& add_type = "",
                  const std::vector<std::string>& additional = {});
// Writes the collection document (data array, links, optional included) into c.body.
void finish_list(Ctx& c, const PageResult& pr, json data, const json* included);
void finish_single(Ctx& c, json data, const json* included);
// Streaming variant: `doc` holds `{"data":[...]` (optionally followed by `,"included":[...]`), already
// sparse-fieldset filtered; appends the links object, closes the document and stores it in c.body.
void finish_list_raw(Ctx& c, const PageResult& pr, std::string doc);
// Appends a resource object given as JSON text to w, applying fields[type] when the request has it.
void write_fielded(const Ctx& c, JW& w, const std::string& text);
json rel_one(const Ctx& c, const std::string& type, const std::string& id, const std::string& self_plural,
             const std::string& self_id, const std::string& name);
json rel_many(const Ctx& c, const json& data, const std::string& self_plural, const std::string& self_id,
              const std::string& name);
json ref(const std::string& type, const std::string& id);
// Applies fields[type]=... to a resource object's attributes.
void apply_fields(const Ctx& c, json& obj);
// Adds obj to included unless (type,id) is already present.
void include_once(json& included, std::set<std::string>& seen, json obj);

using Handler = std::function<void(Ctx&)>;
// Decides a route's rate-limit tier from the request (e.g. heavier with some additional-fields).
using TierRule = Tier (*)(const Ctx&);

// One row of the route table, which server.cpp walks: everything dispatch decides per route.
struct Route {
  std::string method;
  std::string pattern;              // "/api/lists/{id}/profiles": {id} segments become Ctx::pp
  std::vector<std::string> scopes;  // all required (else 403) unless the key has "all"
  Tier tier;                        // rate-limit tier; its name is part of the limiter's bucket
  Handler fn;
  TierRule tier_rule = nullptr;     // when set, decides the tier instead of `tier`
};

// Each resource appends its rows to the table (resources/*.cpp); the first match wins.
void add_catalog_routes(std::vector<Route>& r);   // accounts, metrics, lists, segments, tags, templates
void add_profile_routes(std::vector<Route>& r);   // profiles, list/segment memberships
void add_event_routes(std::vector<Route>& r);
void add_campaign_routes(std::vector<Route>& r);  // campaigns, messages, recipient estimations
void add_flow_routes(std::vector<Route>& r);      // flows, flow actions, flow messages
void add_report_routes(std::vector<Route>& r);    // campaign-values / flow-series reports
void add_write_routes(std::vector<Route>& r);     // event bulk create, profile import, bulk import jobs

}  // namespace sim
