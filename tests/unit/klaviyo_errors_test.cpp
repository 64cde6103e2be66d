// Klaviyo's error answers: each status maps to a failure type with a message saying what to do.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/klaviyo/errors.h"

using nlohmann::json;
using namespace sk;

TEST_CASE("klaviyo: status codes map to failure types with actionable messages", "[klaviyo]") {
  json err = {{"errors", {{{"id", "x"}, {"code", "invalid"}, {"title", "Invalid input."}, {"detail", "Invalid filter provided"}}}}};
  auto e401 = klaviyo::map_error(401, err, "GET /api/events", "events").failure();
  CHECK(e401.type == FailureType::Config);
  CHECK_THAT(e401.message, Catch::Contains("revoked"));
  auto e403 = klaviyo::map_error(403, err, "GET /api/segments", "segments").failure();
  CHECK(e403.type == FailureType::Config);
  CHECK_THAT(e403.message, Catch::Contains("segments:read"));
  auto e400 = klaviyo::map_error(400, err, "GET /api/events", "events").failure();
  CHECK(e400.type == FailureType::System);
  CHECK_THAT(e400.message, Catch::Contains("Invalid filter provided"));
  CHECK(klaviyo::map_error(503, nullptr, "GET /api/events", "events").failure().type == FailureType::Transient);
}
