// Hostile inputs: the config, catalog and state files a user (or a broken platform) can hand the
// connector. Wrong types, huge and deeply nested documents, absurd dates and nulls must each end in
// a SourceError(Config) with a message that says what is wrong -- or in a documented accepted
// value -- and never in a crash, an uncaught library exception or a hang. (The fuzz targets in
// fuzz/ explore the same parsers at random; inputs they found are pinned here.)
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "source/config/config.h"
#include "source/state/state_input.h"
#include "source/state/stream_state.h"
#include "source/streams/catalog.h"
#include "core/util/datetime.h"
#include "core/util/error.h"

using nlohmann::json;
using sk::FailureType;
using sk::SourceError;

namespace {

// A file in the test's temp directory, removed when the test ends.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    static int n = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("sk-hostile-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".json"))
                .string();
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The Config error a call throws ("" when it throws nothing); any other exception fails the test.
template <class F>
std::string config_error_of(F&& f) {
  try {
    f();
  } catch (const SourceError& e) {
    CHECK(e.failure().type == FailureType::Config);
    return e.failure().message;
  }
  return "";
}

std::string parse_error(const json& j) {
  return config_error_of([&] { (void)sk::config::parse(j); });
}
std::string file_error(const std::string& text, const char* what = "config") {
  TempFile f(text);
  return config_error_of([&] { (void)sk::config::read_json_file(f.path(), what); });
}
std::string nested(std::size_t depth, const std::string& open = "[", const std::string& close = "]") {
  std::string s;
  s.reserve(depth * (open.size() + close.size()));
  for (std::size_t i = 0; i < depth; ++i) s += open;
  for (std::size_t i = 0; i < depth; ++i) s += close;
  return s;
}
json with_key(json extra) {
  json j = {{"api_key", "pk_abc123"}};
  if (extra.is_object()) j.update(extra);
  return j;
}

}  // namespace

// --- config -------------------------------------------------------------------------------------

TEST_CASE("hostile config: every field of the wrong type names the field", "[hostile][config]") {
  struct Case {
    json config;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {json(nullptr), "JSON object"},
      {json("pk_abc"), "JSON object"},
      {json(42), "JSON object"},
      {json::array({with_key({})}), "JSON object"},
      {{{"api_key", json::array({"pk_abc"})}}, "'api_key' must be a string"},
      {{{"api_key", {{"key", "pk_abc"}}}}, "'api_key' must be a string"},
      {{{"api_key", true}}, "'api_key' must be a string"},
      {{{"api_key", "pk_"}}, "'api_key' does not look like"},
      {{{"api_key", "pk_abc def"}}, "'api_key' does not look like"},
      {{{"api_key", std::string("pk_abc\0def", 10)}}, "'api_key' does not look like"},
      {with_key({{"start_date", 20240101}}), "'start_date' must be a string"},
      {with_key({{"start_date", json::array({"2024-01-01"})}}), "'start_date' must be a string"},
      {with_key({{"start_date", ""}}), ""},  // empty: all history, as when absent
      {with_key({{"num_workers", json::array({10})}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", {{"n", 1}}}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", true}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", "ten"}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", "-5"}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", "1e3"}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", ""}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", 2.5}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", std::nan("")}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", std::numeric_limits<double>::infinity()}}), "'num_workers' must be a whole number"},
      {with_key({{"num_workers", 1e300}}), "'num_workers' must be between 1 and 50; got 1e+300"},
      {with_key({{"num_workers", -1e300}}), "'num_workers' must be between 1 and 50"},
      {with_key({{"num_workers", 18446744073709551615ULL}}),
       "'num_workers' must be between 1 and 50; got 18446744073709551615"},
      {with_key({{"num_workers", std::numeric_limits<long long>::min()}}), "'num_workers' must be between 1 and 50"},
      {with_key({{"num_workers", "99999999999999999999"}}), "'num_workers' must be between 1 and 50"},
      {with_key({{"num_workers", 4294967297LL}}), "'num_workers' must be between 1 and 50; got 4294967297"},
      {with_key({{"lookback_window", -1}}), "'lookback_window' must be between 0 and 365; got -1"},
      {with_key({{"reporting_lookback_window", "91"}}), "'reporting_lookback_window' must be between 0 and 90; got 91"},
      {with_key({{"disable_fetching_predictive_analytics", "true"}}), "true or false"},
      {with_key({{"disable_fetching_predictive_analytics", 1}}), "true or false"},
      {with_key({{"metric_ids", json::array({"RESQ6t"})}}), "'metric_ids' must be a string"},
      {with_key({{"event_metric_ids", 5}}), "'event_metric_ids' must be a string"},
  };
  for (const Case& c : cases) {
    INFO(c.config.dump());
    const std::string message = parse_error(c.config);
    if (*c.expected == '\0') {
      CHECK(message.empty());
    } else {
      CHECK_THAT(message, Catch::Contains(c.expected));
    }
  }
}

TEST_CASE("hostile config: accepted odd spellings of numbers", "[hostile][config]") {
  CHECK(sk::config::parse(with_key({{"num_workers", "007"}})).num_workers == 7);
  CHECK(sk::config::parse(with_key({{"num_workers", 12.0}})).num_workers == 12);
  CHECK(sk::config::parse(with_key({{"lookback_window", "0"}})).lookback_window_days == 0);
  CHECK(sk::config::parse(with_key({{"lookback_window", -0.0}})).lookback_window_days == 0);
  CHECK(sk::config::parse(with_key({{"num_workers", "000000000000000000000000000042"}})).num_workers == 42);
}

TEST_CASE("hostile config: null fields are their defaults", "[hostile][config]") {
  const auto c = sk::config::parse(with_key({{"start_date", nullptr},
                                             {"lookback_window", nullptr},
                                             {"num_workers", nullptr},
                                             {"disable_fetching_predictive_analytics", nullptr},
                                             {"metric_ids", nullptr},
                                             {"event_metric_ids", nullptr},
                                             {"reporting_lookback_window", nullptr}}));
  CHECK_FALSE(c.start_date.has_value());
  CHECK(c.num_workers == 32);
  CHECK(c.lookback_window_days == 0);
  CHECK_FALSE(c.disable_fetching_predictive_analytics);
  CHECK(c.metric_ids.empty());
  CHECK(c.event_metric_ids.empty());
  CHECK_THAT(parse_error({{"api_key", nullptr}}), Catch::Contains("'api_key' is required"));
}

TEST_CASE("hostile config: huge values", "[hostile][config]") {
  // std::regex recursed once per character here and overflowed the stack (fuzz/corpus finding).
  std::string long_key(1'000'003, 'a');  // "pk_" then a million letters (built in place: GCC 12
  long_key.replace(0, 3, "pk_");           // warns falsely on "pk_" + a long temporary, bug 105329)
  CHECK(sk::config::parse({{"api_key", long_key}}).api_key == long_key);  // accepted: only its shape is checked
  CHECK_THAT(parse_error({{"api_key", "pk_" + std::string(1'000'000, '!')}}), Catch::Contains("does not look like"));
  const std::string digits(300'000, '7');
  const std::string message = parse_error(with_key({{"num_workers", digits}}));
  CHECK_THAT(message, Catch::Contains("'num_workers' must be between 1 and 50"));
  CHECK(message.size() < 200);  // the value is shown cut short
  std::string many_ids;
  for (int i = 0; i < 100'000; ++i) many_ids += "M" + std::to_string(i) + ",";
  CHECK(sk::config::parse(with_key({{"event_metric_ids", many_ids}})).event_metric_ids.size() == 100'000);
}

TEST_CASE("hostile config: absurd start dates", "[hostile][config][datetime]") {
  for (const char* bad : {"2024-13-01", "2024-00-10", "2024-02-30", "2023-02-29", "2024-01-32", "99999-01-01",
                          "2024-01-01T24:00:00Z", "2024-01-01T23:60:00Z", "2024-01-01T23:59:61Z",
                          "2024-01-01T00:00:00+24:00", "2024-1-1", "２０２４-01-01", "2024-01-01T00:00:00ZZ",
                          "2024-01-01T00:00:00.Z", "-2024-01-01"}) {
    INFO(bad);
    CHECK_THAT(parse_error(with_key({{"start_date", bad}})), Catch::Contains("'start_date' must be an RFC 3339"));
  }
  // A leap second is accepted: it is the first second of the next day.
  const auto leap = sk::config::parse(with_key({{"start_date", "2016-12-31T23:59:60Z"}}));
  CHECK(sk::format_iso(*leap.start_date) == "2017-01-01T00:00:00+00:00");
  CHECK(sk::format_iso(*sk::config::parse(with_key({{"start_date", "2024-02-29"}})).start_date) ==
        "2024-02-29T00:00:00+00:00");
  // More digits of a fraction than microseconds are cut, not rounded.
  CHECK(sk::format_iso(*sk::config::parse(with_key({{"start_date", "2024-01-01T00:00:00.1234567891Z"}})).start_date) ==
        "2024-01-01T00:00:00.123456+00:00");
}

// Hidden until src/util/datetime.cpp bounds the year (reported): years that do not fit SysTime's
// nanoseconds (1677-09-21 .. 2262-04-11) overflow inside std::chrono (UBSan: signed overflow) and
// come back as some other time. Run with: unit_tests "[datetime-range]"
TEST_CASE("hostile config: start dates outside SysTime's range", "[hostile][datetime-range]") {
  for (const char* bad : {"0000-01-01", "0001-01-01T00:00:00Z", "1000-06-15", "1677-01-01", "2262-06-01",
                          "2824-05-01T12:30:00Z", "9999-12-31T23:59:59Z", "4046-02-28"}) {
    INFO(bad);
    CHECK_THAT(parse_error(with_key({{"start_date", bad}})), Catch::Contains("'start_date' must be an RFC 3339"));
    CHECK_FALSE(sk::parse_datetime(bad).has_value());
  }
  // Within the range, the edges read back through the connector's own format.
  for (const char* ok : {"1678-01-01T00:00:00Z", "2261-12-31T23:59:59.999999Z", "1970-01-01"}) {
    INFO(ok);
    const auto t = sk::parse_datetime(ok);
    REQUIRE(t.has_value());
    CHECK(sk::parse_datetime(sk::format_iso(*t)) == t);
  }
}

// --- files: depth, size, bytes ------------------------------------------------------------------

TEST_CASE("hostile files: deeply nested JSON is a clear config error, not a stack overflow", "[hostile][files]") {
  // nlohmann parses any depth, but copying or printing the value recursed once per level and
  // crashed `read --state` / `check --config` on 100000 nested arrays.
  for (const char* what : {"config", "catalog", "state"}) {
    INFO(what);
    CHECK_THAT(file_error(nested(100'000), what), Catch::Contains("nests JSON more than 256 levels deep"));
    CHECK_THAT(file_error(nested(100'000, "{\"a\":", "}"), what), Catch::Contains("more than 256 levels"));
    CHECK_THAT(file_error(R"({"api_key":"pk_a","num_workers":)" + nested(50'000) + "}", what),
               Catch::Contains("more than 256 levels"));
    CHECK_THAT(file_error(nested(1'000'000), what), Catch::Contains(std::string("The ") + what + " file '"));
  }
  // Deep but sane documents still read.
  TempFile ok(nested(200));
  CHECK(sk::config::read_json_file(ok.path(), "state").is_array());
}

TEST_CASE("hostile files: broken JSON, numbers out of range, odd bytes", "[hostile][files]") {
  CHECK_THAT(file_error(""), Catch::Contains("is not valid JSON"));
  CHECK_THAT(file_error("   \n"), Catch::Contains("is not valid JSON"));
  CHECK_THAT(file_error(R"({"api_key": "pk_a")"), Catch::Contains("is not valid JSON"));
  CHECK_THAT(file_error("{\"api_key\": \"pk_\xff\xfe\"}"), Catch::Contains("is not valid JSON"));  // not UTF-8
  CHECK_THAT(file_error(std::string("{\"api_key\":\0\"pk_a\"}", 20)), Catch::Contains("is not valid JSON"));
  // A number too large for a double threw nlohmann's out_of_range out of read_json_file (abort).
  CHECK_THAT(file_error(R"({"api_key": "pk_a", "num_workers": 1e999})"), Catch::Contains("a number too large"));
  CHECK_THAT(file_error(R"([-1e400])", "state"), Catch::Contains("The state file"));
  // Big integers are fine as JSON and rejected by range.
  TempFile big(R"({"api_key": "pk_a", "num_workers": 123456789012345678901234567890})");
  CHECK_THAT(config_error_of([&] { (void)sk::config::load(big.path()); }), Catch::Contains("'num_workers'"));
  // A UTF-8 byte order mark is skipped.
  TempFile bom("\xEF\xBB\xBF{\"api_key\": \"pk_a\"}");
  CHECK(sk::config::load(bom.path()).api_key == "pk_a");
  // A directory is not a file.
  CHECK_THAT(config_error_of([] { (void)sk::config::read_json_file(std::filesystem::temp_directory_path().string(), "state"); }),
             Catch::Contains("The state file"));
}

// A state of n streams, as the platform writes it (an array of STREAM states).
static std::string state_of_streams(int n) {
  std::string text = "[";
  for (int i = 0; i < n; ++i) {
    if (i) text += ",";
    text += R"({"type":"STREAM","stream":{"stream_descriptor":{"name":"s)" + std::to_string(i) +
            R"("},"stream_state":{"updated":"2024-05-31T10:00:00+00:00"}}})";
  }
  return text + "]";
}

// Seconds to read and parse a state file of n streams (the faster of two reads).
static double seconds_to_read_state(int n) {
  TempFile f(state_of_streams(n));
  double best = 1e9;
  for (int run = 0; run < 2; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const auto saved = sk::state::parse_state_input(sk::config::read_json_file(f.path(), "state"));
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    CHECK(saved.size() == static_cast<std::size_t>(n));
  }
  return best;
}

TEST_CASE("hostile files: reading a state grows linearly with its streams", "[hostile][files][state]") {
  // 100000 streams once took minutes (a quadratic parser callback). Eight times the streams must
  // take about eight times as long, not 64: a ratio, so a slow or sanitized build cannot fail it.
  const double small = seconds_to_read_state(5'000);
  const double large = seconds_to_read_state(40'000);
  INFO("5000 streams: " << small << " s, 40000 streams: " << large << " s");
  CHECK(large < 24 * std::max(small, 1e-3));
}

// --- catalog ------------------------------------------------------------------------------------

TEST_CASE("hostile catalog: wrong shapes are config errors", "[hostile][catalog]") {
  auto error_of = [](const json& doc) {
    return config_error_of([&] { (void)sk::streams::parse_configured_catalog(doc); });
  };
  for (const json& doc : {json(nullptr), json::array(), json("streams"), json{{"streams", nullptr}},
                          json{{"streams", json::object()}}, json{{"streams", "events"}}}) {
    INFO(doc.dump());
    CHECK_THAT(error_of(doc), Catch::Contains("ConfiguredAirbyteCatalog"));
  }
  for (const json& entry : {json(5), json(nullptr), json{{"stream", nullptr}}, json{{"stream", "events"}},
                            json{{"stream", {{"name", 5}}}}, json{{"stream", {{"name", nullptr}}}},
                            json{{"stream", json::object()}}}) {
    INFO(entry.dump());
    CHECK_THAT(error_of({{"streams", {entry}}}), Catch::Contains("without stream.name"));
  }
  CHECK_THAT(error_of({{"streams", {{{"stream", {{"name", ""}}}}}}}), Catch::Contains("does not have: ''"));
  CHECK_THAT(error_of({{"streams", {{{"stream", {{"name", std::string(100'000, 'x')}}}}}}}),
             Catch::Contains("does not have"));
  CHECK_THAT(error_of({{"streams", {{{"stream", {{"name", "events"}}}, {"sync_mode", "append"}}}}}),
             Catch::Contains("sync_mode 'append'"));
  CHECK_THAT(error_of({{"streams", {{{"stream", {{"name", "tags"}}}, {"sync_mode", "incremental"}}}}}),
             Catch::Contains("supports only full_refresh"));
}

// Hidden until src/streams/catalog.cpp reads sync_mode without json::value() (reported): a
// non-string (or null) sync_mode throws nlohmann's type_error, which nothing catches (the process
// aborts).
TEST_CASE("hostile catalog: a sync_mode that is not a string", "[hostile][catalog-sync-mode]") {
  // Null sync_mode: the default (full_refresh), as when absent.
  CHECK(sk::streams::parse_configured_catalog({{"streams", {{{"stream", {{"name", "tags"}}}, {"sync_mode", nullptr}}}}})
            .size() == 1);
  for (const json& mode : {json(5), json::array({"incremental"}), json(true)}) {
    INFO(mode.dump());
    CHECK_THAT(config_error_of([&] {
                 (void)sk::streams::parse_configured_catalog({{"streams", {{{"stream", {{"name", "tags"}}}, {"sync_mode", mode}}}}});
               }),
               Catch::Contains("sync_mode"));
  }
}

// --- state --------------------------------------------------------------------------------------

TEST_CASE("hostile state: wrong shapes are config errors", "[hostile][state]") {
  auto error_of = [](const json& doc) { return config_error_of([&] { (void)sk::state::parse_state_input(doc); }); };
  CHECK_THAT(error_of(json(5)), Catch::Contains("JSON array of state messages"));
  CHECK_THAT(error_of(json("state")), Catch::Contains("JSON array of state messages"));
  CHECK_THAT(error_of(json::array({5})), Catch::Contains("not a state message object"));
  CHECK_THAT(error_of(json::array({nullptr})), Catch::Contains("not a state message object"));
  CHECK_THAT(error_of(json::array({json::object()})), Catch::Contains("unknown type"));
  CHECK_THAT(error_of(json::array({{{"type", "RECORD"}, {"record", json::object()}}})), Catch::Contains("'RECORD'"));
  CHECK_THAT(error_of(json::array({{{"type", "STREAM"}, {"stream", 5}}})), Catch::Contains("not an object"));
  CHECK_THAT(error_of(json::array({{{"type", "STREAM"}, {"stream", {{"stream_state", json::object()}}}}})),
             Catch::Contains("stream_descriptor.name"));
  CHECK_THAT(error_of(json::array({{{"type", "STREAM"},
                                    {"stream", {{"stream_descriptor", {{"name", 7}}}, {"stream_state", json::object()}}}}})),
             Catch::Contains("stream_descriptor.name"));
  CHECK_THAT(error_of(json::array({{{"type", "STREAM"},
                                    {"stream", {{"stream_descriptor", {{"name", "events"}}}, {"stream_state", "x"}}}}})),
             Catch::Contains("'events' is not a JSON object"));
  CHECK_THAT(error_of(json::array({{{"type", "GLOBAL"}, {"global", {{"stream_states", 5}}}}})),
             Catch::Contains("GLOBAL state without stream_states"));
  CHECK_THAT(error_of(json::array({{{"type", "GLOBAL"}, {"global", nullptr}}})),
             Catch::Contains("GLOBAL state without stream_states"));
}

TEST_CASE("hostile state: nulls and stray values are nothing saved", "[hostile][state]") {
  const auto saved = sk::state::parse_state_input(json::array(
      {{{"type", "STREAM"}, {"stream", {{"stream_descriptor", {{"name", "events"}}}, {"stream_state", nullptr}}}},
       {{"type", "STREAM"}, {"stream", {{"stream_descriptor", {{"name", "tags"}, {"namespace", nullptr}}}}}}}));
  CHECK(saved.empty());
  CHECK(sk::state::parse_state_input(nullptr).empty());
  CHECK(sk::state::parse_state_input(json{{"events", 5}, {"profiles", nullptr}, {"lists", "x"}}).empty());
}

// Hidden until src/state/state_input.cpp reads "type" without json::value() (reported): a
// non-string type throws nlohmann's type_error, which nothing catches (the process aborts).
TEST_CASE("hostile state: a message type that is not a string", "[hostile][state-type]") {
  CHECK_THAT(config_error_of([] {
               (void)sk::state::parse_state_input(json::array(
                   {{{"type", 5}, {"stream", {{"stream_descriptor", {{"name", "x"}}}, {"stream_state", json::object()}}}}}));
             }),
             Catch::Contains("type"));
}

TEST_CASE("hostile state: cursors of the wrong type or date name the stream", "[hostile][state]") {
  const std::vector<json> keys = {json{{"archived", "false"}}, json{{"archived", "true"}}};
  for (const json& cursor : {json(12345), json(true), json::array({"2024-01-01"}), json{{"at", "2024-01-01"}},
                             json("yesterday"), json("2024-13-01T00:00:00Z"), json("2024-02-30"),
                             json("2024-01-01T25:00:00Z"), json("")}) {
    INFO(cursor.dump());
    sk::state::StreamState st("flows", "updated", true, false);
    CHECK_THAT(config_error_of([&] { st.load({{"updated", cursor}}, keys); }),
               Catch::Contains("The saved state of stream 'flows' has a cursor that is not a datetime"));
    sk::state::StreamState partitioned("flows", "updated", true, false);
    CHECK_THAT(config_error_of([&] {
                 partitioned.load({{"states", {{{"partition", {{"archived", "true"}}}, {"cursor", {{"updated", cursor}}}}}}},
                                  keys);
               }),
               Catch::Contains("'flows'"));
  }
  // A leap second in a cursor is accepted (the next minute's first second).
  sk::state::StreamState leap("profiles", "updated", false, false);
  leap.load({{"updated", "2016-12-31T23:59:60+00:00"}}, {json::object()});
  CHECK(sk::format_iso(*leap.get(json::object())) == "2017-01-01T00:00:00+00:00");
}

TEST_CASE("hostile state: null and odd members load as no cursor", "[hostile][state]") {
  const std::vector<json> keys = {json{{"archived", "false"}, {"campaign_type", "email"}},
                                  json{{"archived", "true"}, {"campaign_type", "email"}}};
  for (const json& blob : {json{{"updated_at", nullptr}}, json{{"states", nullptr}}, json{{"states", 5}},
                           json{{"states", {nullptr, 5, "x", json::object()}}},
                           json{{"states", {{{"partition", nullptr}, {"cursor", nullptr}}}}},
                           json{{"states", {{{"partition", {{"archived", nullptr}}}, {"cursor", {{"updated_at", nullptr}}}}}}},
                           json{{"state", nullptr}}, json{{"state", {{"updated_at", nullptr}}}},
                           json{{"archived", nullptr}}, json{{"archived", {{"updated_at", nullptr}}}},
                           json::object()}) {
    INFO(blob.dump());
    sk::state::StreamState st("campaigns", "updated_at", true, false);
    st.load(blob, keys);
    for (const json& key : keys) CHECK_FALSE(st.get(key).has_value());
    CHECK(st.to_json() == json{{"states", json::array()}});
  }
}
