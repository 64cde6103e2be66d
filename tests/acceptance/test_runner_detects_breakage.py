"""The acceptance runner must FAIL when a check is broken on purpose.

Each test feeds one of cat_runner's check functions a deliberately broken input (and the same
check a good input, so a check that always fails would be caught too). Two tests run the whole
runner against fake_connector.py (a script that breaks the protocol) and assert the specific
FAIL lines. Run: /usr/bin/python3 -m pytest tests/acceptance/test_runner_detects_breakage.py
"""
from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cat_runner as cr  # noqa: E402

SOURCE_DIR = Path(os.environ.get("SK_SOURCE_DIR") or HERE.parents[1])
SPEC = json.loads((SOURCE_DIR / "integration_tests" / "spec.json").read_text())
FAKE = HERE / "fake_connector.py"

SCHEMA = {"type": "object", "additionalProperties": True,
          "properties": {"id": {"type": "string"}, "updated": {"type": ["null", "string"], "format": "date-time"},
                         "count": {"type": ["null", "integer"]}}}
STREAM = {"name": "lists", "json_schema": SCHEMA, "supported_sync_modes": ["full_refresh", "incremental"],
          "source_defined_cursor": True, "default_cursor_field": ["updated"], "source_defined_primary_key": [["id"]]}
CATALOG = {"streams": [{"stream": STREAM, "sync_mode": "full_refresh", "destination_sync_mode": "append"}]}


def out(*messages, rc=0):
    return cr.Output(list(messages), rc, "", "", [])


def rec(data, stream="lists", emitted_at=1000):
    return {"stream": stream, "data": data, "emitted_at": emitted_at}


def state(name, blob, count):
    s = {"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": blob}}
    if count is not None:
        s["sourceStats"] = {"recordCount": count}
    return s


def status_trace(name, status):
    return {"type": "STREAM_STATUS", "emitted_at": 1.0,
            "stream_status": {"stream_descriptor": {"name": name}, "status": status}}


def passes(fn, *args):
    fn(*args)


def fails(fn, *args, match: str = ""):
    with pytest.raises(cr.CheckFailed) as e:
        fn(*args)
    assert match in str(e.value)


# --- spec -------------------------------------------------------------------------------------

def test_spec_with_ref_fails():
    passes(cr.check_no_refs, SPEC, "spec")
    bad = copy.deepcopy(SPEC)
    bad["connectionSpecification"]["properties"]["api_key"] = {"$ref": "#/definitions/key"}
    fails(cr.check_no_refs, bad, "spec", match="$ref")


def test_spec_emitted_twice_fails():
    m = {"type": "SPEC", "spec": SPEC}
    passes(cr.check_spec_emitted_once, out(m))
    fails(cr.check_spec_emitted_once, out(m, m), match="exactly once")


def test_spec_not_matching_expected_fails():
    passes(cr.check_match_expected, SPEC, copy.deepcopy(SPEC))
    bad = copy.deepcopy(SPEC)
    bad["connectionSpecification"]["properties"]["start_date"]["title"] = "Changed"
    fails(cr.check_match_expected, bad, SPEC)


def test_additional_properties_false_fails():
    passes(cr.check_additional_properties_is_true, SPEC["connectionSpecification"], "spec")
    bad = copy.deepcopy(SPEC["connectionSpecification"])
    bad["additionalProperties"] = False
    fails(cr.check_additional_properties_is_true, bad, "spec")


def test_unmarked_secret_fails():
    passes(cr.check_secret_is_properly_marked, SPEC)
    bad = copy.deepcopy(SPEC)
    bad["connectionSpecification"]["properties"]["password"] = {"type": "string", "order": 99}
    fails(cr.check_secret_is_properly_marked, bad, match="password")
    bad2 = copy.deepcopy(SPEC)
    bad2["connectionSpecification"]["properties"]["token"] = {"type": "boolean", "airbyte_secret": True}
    fails(cr.check_secret_is_properly_marked, bad2, match="cannot hold")


def test_config_not_matching_spec_fails():
    passes(cr.check_config_match_spec, SPEC, {"api_key": "pk_abc", "_ignored": 1})
    fails(cr.check_config_match_spec, SPEC, {"start_date": "2024-01-01"}, match="api_key")


def test_forbidden_keywords_and_bad_types_fail():
    passes(cr.check_forbidden_complex_types, SPEC)
    bad = copy.deepcopy(SPEC)
    bad["connectionSpecification"]["properties"]["x"] = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    fails(cr.check_forbidden_complex_types, bad, match="anyOf")
    bad = copy.deepcopy(SPEC)
    bad["connectionSpecification"]["properties"]["x"] = {"type": ["null", "string"]}
    fails(cr.check_property_type_is_not_array, bad)
    bad = copy.deepcopy(SPEC)
    bad["connectionSpecification"]["properties"]["x"] = {"type": "object"}
    fails(cr.check_object_not_empty, bad)
    bad = copy.deepcopy(SPEC)
    bad["connectionSpecification"]["properties"]["x"] = {"type": "array", "items": {"type": "array"}}
    fails(cr.check_array_type, bad)


def test_enum_duplicate_order_oneof_fail():
    bad = copy.deepcopy(SPEC)
    bad["connectionSpecification"]["properties"]["x"] = {"type": "string", "enum": ["a", "a"], "order": 0}
    fails(cr.check_enum_usage, bad, match="duplicate")
    fails(cr.check_duplicate_order, bad, match="duplicate order")
    bad = copy.deepcopy(SPEC)
    bad["connectionSpecification"]["properties"]["auth"] = {"type": "object", "oneOf": [
        {"properties": {"kind": {"type": "string", "const": "a"}}},
        {"properties": {"kind": {"type": "string"}}}]}
    fails(cr.check_oneof_usage, bad, match="const")


def test_dockerfile_label_and_entrypoint_mismatch_fail():
    meta = {"data": {"dockerRepository": "airbyte/source-klaviyo-cpp", "dockerImageTag": "0.1.0"}}
    good = cr.parse_dockerfile('FROM a AS b\nFROM c\nLABEL io.airbyte.name=airbyte/source-klaviyo-cpp\n'
                               'LABEL io.airbyte.version="0.1.0"\nENV AIRBYTE_ENTRYPOINT="/x/y"\nENTRYPOINT ["/x/y"]\n')
    passes(cr.check_image_labels, good, meta)
    passes(cr.check_image_environment_variables, good)
    bad = cr.parse_dockerfile('FROM c\nLABEL io.airbyte.name=other io.airbyte.version=0.0.9\n'
                              'ENV AIRBYTE_ENTRYPOINT=/x/z\nENTRYPOINT ["/x/y"]\n')
    fails(cr.check_image_labels, bad, meta, match="io.airbyte.name")
    fails(cr.check_image_environment_variables, bad, match="AIRBYTE_ENTRYPOINT")


def test_secret_in_output_fails():
    o = cr.Output([], 0, '{"type":"LOG","log":{"level":"INFO","message":"key pk_secret_123"}}', "", [], ["x"])
    passes(cr.check_secret_never_in_output, [o], ["pk_other"])
    fails(cr.check_secret_never_in_output, [o], ["pk_secret_123"], match="secret")


# --- connection and discovery -----------------------------------------------------------------

def test_connection_status_mismatch_fails():
    ok = out({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}})
    passes(cr.check_connection, ok, "succeed")
    fails(cr.check_connection, ok, "failed", match="expected FAILED")
    fails(cr.check_connection, out(), "succeed", match="exactly one")


def test_discovery_breakage_fails():
    good = out({"type": "CATALOG", "catalog": {"streams": [STREAM]}})
    cat = cr.check_discover(good)
    passes(cr.check_defined_cursors_exist_in_schema, cat)
    fails(cr.check_discover, out({"type": "CATALOG", "catalog": {"streams": [STREAM, STREAM]}}), match="unique")
    bad = copy.deepcopy(STREAM)
    bad["default_cursor_field"] = ["nope"]
    fails(cr.check_defined_cursors_exist_in_schema, {"lists": bad})
    bad = copy.deepcopy(STREAM)
    bad["source_defined_primary_key"] = [["missing"]]
    fails(cr.check_primary_keys_exist_in_schema, {"lists": bad})
    bad = copy.deepcopy(STREAM)
    bad["json_schema"]["properties"]["id"] = {"type": "object", "properties": {"a": {"type": "string"}}}
    fails(cr.check_primary_keys_data_type_in_schema, {"lists": bad})
    bad = copy.deepcopy(STREAM)
    bad["json_schema"]["properties"]["x"] = {"allOf": [{"type": "string"}]}
    fails(cr.check_defined_keyword_absent, {"lists": bad}, "allOf")
    bad = copy.deepcopy(STREAM)
    bad["json_schema"]["properties"]["x"] = {"type": "object", "additionalProperties": False}
    fails(cr.check_additional_properties_is_true, {"lists": bad["json_schema"]}, "stream schemas")
    bad = copy.deepcopy(STREAM)
    bad["supported_sync_modes"] = []
    fails(cr.check_streams_has_sync_modes, {"lists": bad})


# --- basic_read ---------------------------------------------------------------------------------

def test_records_missing_expected_pk_fail():
    records = [rec({"id": "a"}), rec({"id": "b"})]
    expected = [rec({"id": "a"}), rec({"id": "b"})]
    passes(cr.check_expected_records, {"lists": STREAM}, records, expected)
    fails(cr.check_expected_records, {"lists": STREAM}, records[:1], expected, match="expected primary keys")
    fails(cr.check_expected_records, {"lists": STREAM}, [records[1], records[0]], expected, True, match="order")


def test_state_with_wrong_record_count_fails():
    good = [{"type": "RECORD", "record": rec({"id": "a"})}, {"type": "RECORD", "record": rec({"id": "b"})},
            {"type": "STATE", "state": state("lists", {"updated": "x"}, 2.0)},
            {"type": "STATE", "state": state("lists", {"updated": "x"}, 0.0)}]
    passes(cr.check_state_record_counts, good)
    bad = copy.deepcopy(good)
    bad[2]["state"]["sourceStats"]["recordCount"] = 3.0
    fails(cr.check_state_record_counts, bad, match="recordCount 3.0")


def test_state_messages_breakage_fails():
    passes(cr.check_state_messages, CATALOG, [state("lists", {}, 1.0)])
    fails(cr.check_state_messages, CATALOG, [], match="0 STATE")
    fails(cr.check_state_messages, CATALOG, [state("lists", {}, None)], match="sourceStats")
    fails(cr.check_state_messages, CATALOG, [{"type": "LEGACY", "data": {}, "sourceStats": {}}], match="LEGACY")


def test_stream_status_without_complete_fails():
    seq = [status_trace("lists", s) for s in ("STARTED", "RUNNING", "COMPLETE")]
    passes(cr.check_stream_statuses, CATALOG, seq)
    fails(cr.check_stream_statuses, CATALOG, seq[:2], match="≥3")
    fails(cr.check_stream_statuses, CATALOG, seq[:2] + [status_trace("lists", "INCOMPLETE")], match="COMPLETE")
    fails(cr.check_stream_statuses, CATALOG, [status_trace("lists", "STARTED"), status_trace("lists", "COMPLETE")])
    fails(cr.check_stream_statuses, CATALOG, [], match="configured streams")


def test_record_schema_breakage_fails():
    good = [rec({"id": "a", "updated": "2024-01-01T00:00:00+00:00", "count": 1})]
    passes(cr.check_records_validate, CATALOG, good)
    passes(cr.check_records_validate, CATALOG, [rec({"id": "a", "updated": "2024-01-01 10:00:00.123456789Z"})])
    fails(cr.check_records_validate, CATALOG, [rec({"id": "a", "count": 1.0})], match="integer")  # strict integers
    fails(cr.check_records_validate, CATALOG, [rec({"id": "a", "updated": "2024-01-01"})], match="date-time")
    fails(cr.check_records_validate, CATALOG, [rec({"id": "a", "updated": "2024-13-45T99:00:00Z"})], match="date-time")
    fails(cr.check_records_validate, CATALOG, [rec({"id": 5})], match="string")
    fails(cr.check_records_structure, CATALOG, [rec({"other": 1})], match="no field of its schema")


def test_empty_stream_and_no_records_fail():
    passes(cr.check_streams_non_empty, CATALOG, [], {"lists"})
    fails(cr.check_streams_non_empty, CATALOG, [], set(), match="lists")
    fails(cr.check_records_present, [])


def test_pk_data_type_in_records_fails():
    passes(cr.check_primary_keys_data_type, CATALOG, [rec({"id": "a"})])
    fails(cr.check_primary_keys_data_type, CATALOG, [rec({"id": ["a"]})])
    fails(cr.check_primary_keys_data_type, CATALOG, [rec({"id": None})], match="null")


def test_no_trace_on_invalid_catalog_fails():
    err = {"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": 1.0, "error": {"message": "x"}}}
    passes(cr.check_trace_on_failure, out(err, rc=1))
    fails(cr.check_trace_on_failure, out(rc=1), match="TRACE ERROR")


# --- full_refresh and incremental ---------------------------------------------------------------

def test_full_refresh_emitted_at_not_increasing_fails():
    passes(cr.check_sequential_full_refresh, [rec({}, emitted_at=1)], [rec({}, emitted_at=2)])
    fails(cr.check_sequential_full_refresh, [rec({}, emitted_at=5)], [rec({}, emitted_at=5)], match="not increasing")
    fails(cr.check_sequential_full_refresh, [], [rec({})])


def test_incremental_second_read_identical_fails():
    r1 = [rec({"id": "a"}), rec({"id": "b"})]
    passes(cr.check_two_sequential_reads_differ, r1, [])
    passes(cr.check_two_sequential_reads_differ, r1, r1[1:])
    fails(cr.check_two_sequential_reads_differ, r1, list(reversed(r1)), match="different")
    fails(cr.check_two_sequential_reads_first, out(), match="STATE")


def test_sequential_slices_breakage_fails():
    # three checkpoints of 10 records each over 30 records -> the middle one is read, 10 expected after it
    states = [state("lists", {"updated": str(i)}, 10.0) for i in range(3)]
    picked = cr.select_checkpoints(states, 30)
    assert [e for _, e in picked] == [10]
    # identical consecutive states collapse; zero counts are dropped
    assert len(cr.select_checkpoints(states + [state("lists", {"updated": "2"}, 0.0)], 30)) == 1
    # all-zero recordCounts: CAT fails "no suitable state checkpoint"
    fails(cr.select_checkpoints, [state("lists", {"updated": "1"}, 0.0)], 5, match="no suitable state checkpoint")
    # a resumed read that loses records (a state ahead of its records) fails
    r1 = [rec({"id": str(i)}) for i in range(30)]
    passes(cr.check_slice_read, r1[20:], 10, r1)
    fails(cr.check_slice_read, r1[25:], 10, r1, match="expected at least 10")
    fails(cr.check_slice_read, r1, 10, r1, match="exactly the first read")


def test_abnormal_state_breakage_fails():
    st = {"type": "STATE", "state": state("lists", {"updated": "2099"}, 0.0)}
    passes(cr.check_abnormal_state, out(st))
    fails(cr.check_abnormal_state, out(st, {"type": "RECORD", "record": rec({"id": "a"})}), match="no records")
    fails(cr.check_abnormal_state, out(), match="STATE")
    fails(cr.check_future_state_covers, CATALOG, [], set(), match="lists")
    passes(cr.check_future_state_covers, CATALOG, [], {"lists"})


def test_acceptance_config_breakage_fails():
    good = {"connector_image": "x:dev", "test_strictness_level": "high", "acceptance_tests": {
        s: {"bypass_reason": "r"} for s in cr.MANDATORY_FOR_HIGH}}
    passes(cr.check_test_config, good)
    bad = copy.deepcopy(good)
    del bad["acceptance_tests"]["incremental"]
    fails(cr.check_test_config, bad, match="incremental is mandatory")
    bad = copy.deepcopy(good)
    bad["acceptance_tests"]["basic_read"] = {"tests": [{"config_path": "c", "empty_streams": [{"name": "x"}],
                                                        "expect_records": {"path": "p"}}]}
    fails(cr.check_test_config, bad, match="bypass_reason")
    bad["acceptance_tests"]["basic_read"] = {"tests": [{"config_path": "c"}]}
    fails(cr.check_test_config, bad, match="expect_records")


def test_protocol_parsing_drops_invalid_lines():
    good = json.dumps({"type": "SPEC", "spec": SPEC})
    bad_enum = json.dumps({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "OK"}})
    wrong_payload = json.dumps({"type": "RECORD", "state": {}})
    msgs, dropped = cr.parse_messages("\n".join([good, "not json", bad_enum, wrong_payload]))
    assert len(msgs) == 1 and len(dropped) == 3


# --- the whole runner against a broken fake connector -------------------------------------------

def run_runner(mode: str, sections: str) -> tuple[int, str]:
    env = dict(os.environ, FAKE_MODE=mode)
    p = subprocess.run([sys.executable, str(HERE / "cat_runner.py"), "--no-sim", "--sections", sections,
                        "--source-dir", str(SOURCE_DIR), "--connector", f"{sys.executable} {FAKE}"],
                       capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout


def test_runner_fails_on_ref_spec():
    rc, text = run_runner("ref_spec", "spec")
    assert rc != 0, text
    assert "FAIL spec.test_defined_refs_exist_in_json_spec_file" in text, text
    assert "FAIL spec.test_additional_properties_is_true" in text, text
    assert "FAIL spec.test_match_expected" in text, text


def test_runner_passes_good_fake_spec():
    rc, text = run_runner("good", "spec")
    assert "FAIL spec." not in text.replace("FAIL spec.test_secret_never", ""), text


def test_runner_fails_on_bad_read():
    rc, text = run_runner("bad_read", "basic_read")
    assert rc != 0, text
    for name in ("stream_statuses", "state_record_counts", "schema_validation", "primary_keys_data_type"):
        assert f"FAIL basic_read.test_read[secrets/config.json].{name}" in text, (name, text)
    assert "FAIL basic_read.test_airbyte_trace_message_on_failure" in text, text


def test_runner_good_fake_read_passes_those_checks():
    rc, text = run_runner("good", "basic_read")
    for name in ("stream_statuses", "state_record_counts", "schema_validation", "primary_keys_data_type"):
        assert f"PASS basic_read.test_read[secrets/config.json].{name}" in text, (name, text)
    assert "PASS basic_read.test_airbyte_trace_message_on_failure" in text, text


def test_unparsable_stdout_line_fails():
    good = '{"type":"LOG","log":{"level":"INFO","message":"x"}}'
    o_ok = cr.Output(*cr.parse_messages(good)[:1], 0, good, "", [], ["read"])
    passes(cr.check_every_line_is_a_message, [o_ok])
    text = good + "\nprintf debugging\n"
    msgs, dropped = cr.parse_messages(text)
    fails(cr.check_every_line_is_a_message, [cr.Output(msgs, 0, text, "", dropped, ["read"])], match="not valid")


def test_oauth_not_default_method_fails():
    spec = copy.deepcopy(SPEC)
    spec["connectionSpecification"]["properties"]["credentials"] = {"type": "object", "oneOf": [
        {"properties": {"auth_type": {"type": "string", "const": "api_key"}}},
        {"properties": {"auth_type": {"type": "string", "const": "oauth2.0"}}}]}
    spec["advanced_auth"] = {"auth_flow_type": "oauth2.0", "predicate_key": ["credentials", "auth_type"],
                             "predicate_value": "oauth2.0"}
    fails(cr.check_oauth_is_default_method, spec, match="not the OAuth method")
    spec["connectionSpecification"]["properties"]["credentials"]["oneOf"].reverse()
    passes(cr.check_oauth_is_default_method, spec)
    passes(cr.check_oauth_flow_parameters, spec)
    spec["advanced_auth"]["predicate_key"] = ["credentials", "missing"]
    fails(cr.check_oauth_flow_parameters, spec, match="predicate_key")
