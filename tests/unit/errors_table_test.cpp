// The status table (core/klaviyo/errors.h) for the kinds of call that used to judge statuses on
// their own: check's scope probes, campaigns_detailed's lookups, and the message templates.
#include <catch2/catch.hpp>

#include "core/klaviyo/errors.h"
#include "source/streams/planner.h"
#include "source/streams/stream_spec.h"

using nlohmann::json;
using sk::FailureType;
namespace kl = sk::klaviyo;

namespace {
const json kErr = {{"errors", {{{"title", "Bad"}, {"detail", "no {scope} here"}}}}};
}

TEST_CASE("errors: a probe's 403 is a missing scope; other kinds' 403 is a config error", "[errors]") {
  auto probe = kl::judge(403, kErr, "GET /api/tags", "tags", kl::CallKind::Probe);
  CHECK(probe.action == kl::Action::MissingScope);
  CHECK(probe.failure.type == FailureType::Config);
  CHECK(probe.failure.message == "The API key lacks the read scope 'tags:read' needed for GET /api/tags (HTTP 403).");
  for (auto kind : {kl::CallKind::Plain, kl::CallKind::Lookup, kl::CallKind::ChildPartition}) {
    auto v = kl::judge(403, kErr, "GET /api/segments", "segments", kind);
    CHECK(v.action == kl::Action::ConfigError);
    CHECK(v.failure.message.find("grant read access to segments") != std::string::npos);
  }
}

TEST_CASE("errors: a write's 403 names the write scope; its probe's is a missing scope", "[errors]") {
  auto probe = kl::judge(403, kErr, "POST /api/profile-import", "profiles", kl::CallKind::WriteProbe);
  CHECK(probe.action == kl::Action::MissingScope);
  CHECK(probe.failure.message ==
        "The API key lacks the write scope 'profiles:write' needed for POST /api/profile-import (HTTP 403).");
  auto write = kl::judge(403, kErr, "POST /api/event-bulk-create-jobs", "events", kl::CallKind::Write);
  CHECK(write.action == kl::Action::ConfigError);
  CHECK(write.failure.type == FailureType::Config);
  CHECK(write.failure.message.find("'events:write'") != std::string::npos);
  CHECK(write.failure.message.find("grant full access to events") != std::string::npos);
  CHECK(kl::judge(401, kErr, "POST /api/event-bulk-create-jobs", "events", kl::CallKind::Write).failure.type ==
        FailureType::Config);
  CHECK(kl::judge(503, kErr, "POST /api/event-bulk-create-jobs", "events", kl::CallKind::Write).failure.type ==
        FailureType::Transient);
}

TEST_CASE("errors: a lookup's 404 is absent; its other statuses fail as for any call", "[errors]") {
  CHECK(kl::judge(404, nullptr, "GET /api/campaign-recipient-estimations/C1", "campaigns", kl::CallKind::Lookup).action ==
        kl::Action::Absent);
  CHECK(kl::judge(404, nullptr, "GET /api/campaigns", "campaigns", kl::CallKind::Plain).action == kl::Action::Fail);
  CHECK(kl::judge(404, nullptr, "GET /api/campaigns", "campaigns", kl::CallKind::Probe).action == kl::Action::Fail);
  auto v = kl::judge(401, nullptr, "GET /x", "campaigns", kl::CallKind::Lookup);
  CHECK(v.action == kl::Action::ConfigError);
  CHECK(v.failure.message.find("HTTP 401") != std::string::npos);
}

TEST_CASE("errors: messages fill their templates once, whatever Klaviyo's detail holds", "[errors]") {
  auto v = kl::judge(400, kErr, "GET /api/events", "events", kl::CallKind::Plain);
  CHECK(v.failure.message == "Klaviyo refused the request GET /api/events as invalid (HTTP 400): Bad no {scope} here");
  CHECK(v.failure.internal_message == "GET /api/events returned HTTP 400: Bad no {scope} here");
  CHECK(kl::judge(400, nullptr, "GET /api/events", "events").failure.message ==
        "Klaviyo refused the request GET /api/events as invalid (HTTP 400).");
  auto odd = kl::judge(418, kErr, "GET /api/events", "events");
  CHECK(odd.failure.type == FailureType::System);
  CHECK(odd.failure.message == "Unexpected HTTP 418 from Klaviyo for GET /api/events: Bad no {scope} here");
  for (long status : {500L, 503L, 599L, 700L}) {
    auto s = kl::judge(status, nullptr, "GET /api/events", "events");
    CHECK(s.failure.type == FailureType::Transient);
    CHECK(s.failure.message == "Klaviyo is failing (HTTP " + std::to_string(status) +
                                   ") for GET /api/events; this is on Klaviyo's side, try again later.");
  }
}

TEST_CASE("errors: a spent quota is Klaviyo's long Retry-After or the connector's own daily budget", "[errors]") {
  sk::Failure f{FailureType::Transient, "m", "i", 429, 3600};
  CHECK(kl::quota_spent(f));
  f.retry_after_seconds = -1;
  CHECK_FALSE(kl::quota_spent(f));
  f.http_status = 0;
  f.daily_quota_spent = true;
  CHECK(kl::quota_spent(f));
  CHECK_FALSE(kl::quota_spent(sk::Failure{FailureType::Transient, "m", "i", 503, 30}));
}

TEST_CASE("rows: start_date applies where the row honours it, and only there", "[rows]") {
  sk::config::Config cfg;
  cfg.start_date = sk::SysTime{} + std::chrono::hours(24 * 365 * 54);
  using sk::streams::find_stream;
  CHECK(sk::streams::configured_start(*find_stream("events"), cfg) == cfg.start_date);
  CHECK(sk::streams::configured_start(*find_stream("lists_detailed"), cfg) == cfg.start_date);
  CHECK(sk::streams::configured_start(*find_stream("flow_series_reports"), cfg) == cfg.start_date);
  CHECK_FALSE(sk::streams::configured_start(*find_stream("metrics"), cfg).has_value());
  CHECK_FALSE(sk::streams::configured_start(*find_stream("campaign_messages"), cfg).has_value());
  cfg.start_date.reset();
  CHECK_FALSE(sk::streams::configured_start(*find_stream("events"), cfg).has_value());
}
