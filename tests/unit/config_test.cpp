#include <catch2/catch.hpp>

#include "source/config/config.h"
#include "core/util/datetime.h"
#include "core/util/error.h"

using nlohmann::json;
using sk::SourceError;

namespace {
std::string error_of(const json& j) {
  try {
    sk::config::parse(j);
  } catch (const SourceError& e) {
    CHECK(e.failure().type == sk::FailureType::Config);
    return e.failure().message;
  }
  return "";
}
}  // namespace

TEST_CASE("config: defaults and full parse", "[config]") {
  auto c = sk::config::parse({{"api_key", "pk_abc123"}});
  CHECK(c.api_key == "pk_abc123");
  CHECK_FALSE(c.start_date.has_value());
  CHECK(c.num_workers == 32);
  CHECK(c.lookback_window_days == 0);
  CHECK_FALSE(c.disable_fetching_predictive_analytics);

  auto d = sk::config::parse({{"api_key", "pk_abc"},
                              {"start_date", "2024-01-31"},
                              {"num_workers", 3},
                              {"lookback_window", 7},
                              {"disable_fetching_predictive_analytics", true},
                              {"event_metric_ids", " AAA111, BBB222 ,"},
                              {"metric_ids", "RESQ6t"},
                              {"reporting_lookback_window", 5},
                              {"__injected", "ignored"}});
  CHECK(sk::format_iso(*d.start_date) == "2024-01-31T00:00:00+00:00");
  CHECK(d.num_workers == 3);
  CHECK(d.lookback_window_days == 7);
  CHECK(d.disable_fetching_predictive_analytics);
  CHECK(d.event_metric_ids == std::vector<std::string>{"AAA111", "BBB222"});
  CHECK(d.metric_ids == std::vector<std::string>{"RESQ6t"});
  CHECK(d.reporting_lookback_window_days == 5);
}

TEST_CASE("config: errors name the field and never echo the key", "[config]") {
  CHECK_THAT(error_of(json::object()), Catch::Contains("'api_key' is required"));
  CHECK_THAT(error_of({{"api_key", 12}}), Catch::Contains("'api_key' must be a string"));
  auto msg = error_of({{"api_key", "ABCDEF-secret-public"}});
  CHECK_THAT(msg, Catch::Contains("'pk_'"));
  CHECK(msg.find("ABCDEF-secret-public") == std::string::npos);
  CHECK_THAT(error_of({{"api_key", "pk_a"}, {"start_date", "yesterday"}}), Catch::Contains("'start_date'"));
  CHECK_THAT(error_of({{"api_key", "pk_a"}, {"num_workers", 0}}), Catch::Contains("'num_workers' must be between 1 and 50"));
  CHECK_THAT(error_of({{"api_key", "pk_a"}, {"num_workers", 51}}), Catch::Contains("'num_workers'"));
  CHECK_THAT(error_of({{"api_key", "pk_a"}, {"num_workers", 2.5}}), Catch::Contains("whole number"));
  CHECK_THAT(error_of({{"api_key", "pk_a"}, {"lookback_window", -1}}), Catch::Contains("'lookback_window'"));
  CHECK_THAT(error_of({{"api_key", "pk_a"}, {"disable_fetching_predictive_analytics", "yes"}}),
             Catch::Contains("true or false"));
  CHECK_THAT(error_of(json::array()), Catch::Contains("JSON object"));
}

TEST_CASE("config: missing and malformed files are config errors naming the path", "[config]") {
  try {
    sk::config::load("/nonexistent/config.json");
    FAIL("expected an error");
  } catch (const SourceError& e) {
    CHECK(e.failure().type == sk::FailureType::Config);
    CHECK_THAT(e.failure().message, Catch::Contains("/nonexistent/config.json"));
  }
}

TEST_CASE("datetime: the formats Klaviyo and Airbyte write", "[datetime]") {
  using sk::format_iso;
  using sk::parse_datetime;
  CHECK(format_iso(*parse_datetime("2024-05-01T12:30:00+00:00")) == "2024-05-01T12:30:00+00:00");
  CHECK(format_iso(*parse_datetime("2024-05-01T12:30:00.276362+00:00")) == "2024-05-01T12:30:00.276362+00:00");
  CHECK(format_iso(*parse_datetime("2024-05-01T12:30:00.25Z")) == "2024-05-01T12:30:00.250000+00:00");
  CHECK(format_iso(*parse_datetime("2024-05-01 12:30:00+00:00")) == "2024-05-01T12:30:00+00:00");
  CHECK(format_iso(*parse_datetime("2024-05-31T10:00:00+0000")) == "2024-05-31T10:00:00+00:00");
  CHECK(format_iso(*parse_datetime("2024-05-31T10:00:00Z")) == "2024-05-31T10:00:00+00:00");
  CHECK(format_iso(*parse_datetime("2024-05-31T12:00:00+02:00")) == "2024-05-31T10:00:00+00:00");
  CHECK(format_iso(*parse_datetime("2024-05-31T05:00:00-05:00")) == "2024-05-31T10:00:00+00:00");
  CHECK(format_iso(*parse_datetime("2120-10-10 00:00:00+00:00")) == "2120-10-10T00:00:00+00:00");
  CHECK(sk::format_filter(*parse_datetime("2024-05-31T10:00:00.9+00:00")) == "2024-05-31T10:00:00Z");
  auto a = parse_datetime("2024-05-01T12:30:00.5+00:00");
  auto b = parse_datetime("2024-05-01T12:30:00+00:00");
  CHECK(*b < *a);
  for (const char* bad : {"", "2024", "2024-13-01", "2024-02-30T00:00:00Z", "2024-05-01T25:00:00Z",
                          "2024-05-01T12:30:00+00:00junk", "yesterday", "2024-05-01X12:30:00"})
    CHECK_FALSE(parse_datetime(bad).has_value());
}
