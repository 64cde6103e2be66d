"""discover: one CATALOG with complete stream entries (CAT discovery suite), errors as TRACE."""

import json

import pytest
from jsonschema import Draft7Validator

from conftest import DISCOVERED_STREAMS, FULL_KEY, PRIMARY_KEY, config
from connector import run
from stream_table import BY_NAME  # tests/stream_table.py: Airbyte's keys, cursors and sync modes

CURSORS = {n: s.cursor for n, s in BY_NAME.items()}
INCREMENTAL = {n for n, s in BY_NAME.items() if "incremental" in s.sync_modes}


@pytest.fixture(scope="module")
def result():
    r = run("discover", config=config(), base_url="http://127.0.0.1:9")
    assert r.rc == 0, r.stdout + r.stderr
    return r


def test_exactly_one_catalog(result):
    assert [m["type"] for m in result.messages if m["type"] != "LOG"] == ["CATALOG"]


def test_catalog_lists_every_stream_once(result):
    names = [s["name"] for s in result.of_type("CATALOG")[0]["catalog"]["streams"]]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(DISCOVERED_STREAMS)


def test_every_stream_entry_is_complete(discovered):
    for s in discovered["streams"]:
        name = s["name"]
        Draft7Validator.check_schema(s["json_schema"])
        assert s["json_schema"].get("type") in ("object", ["object"], ["null", "object"], ["object", "null"]), name
        assert s["supported_sync_modes"], name
        assert set(s["supported_sync_modes"]) <= {"full_refresh", "incremental"}
        assert s["source_defined_primary_key"] == [[k] for k in PRIMARY_KEY[name]], name
        for path in s["source_defined_primary_key"]:
            assert path[0] in s["json_schema"]["properties"], (name, path)
        assert "is_resumable" in s, name
        if "incremental" in s["supported_sync_modes"]:
            assert s["default_cursor_field"] == [CURSORS[name]], name
            assert s["source_defined_cursor"] is True, name
            assert s["is_resumable"] is True, name
            assert CURSORS[name] in s["json_schema"]["properties"], name


def test_sync_modes_match_the_cursors(discovered):
    assert {s["name"] for s in discovered["streams"] if "incremental" in s["supported_sync_modes"]} == INCREMENTAL
    for s in discovered["streams"]:
        assert sorted(s["supported_sync_modes"]) == sorted(BY_NAME[s["name"]].sync_modes), s["name"]
    for s in discovered["streams"]:
        if s["name"] not in INCREMENTAL:
            assert s["supported_sync_modes"] == ["full_refresh"]
            assert not s.get("default_cursor_field")


def test_schemas_have_no_ref_allof_not_and_additional_properties_true(discovered):
    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if path and path[-1] == "properties":
                    walk(v, path + [k])  # property names may be anything
                    continue
                assert k not in ("$ref", "allOf", "not"), (path, k)
                if k == "additionalProperties":
                    assert v is True, (path, v)
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + [str(i)])

    for s in discovered["streams"]:
        walk(s["json_schema"], [s["name"]])


def test_discover_makes_no_request_so_a_dead_base_url_is_fine(result):
    # the fixture ran against a closed port and still succeeded
    assert result.rc == 0


@pytest.mark.parametrize("cfg", [
    {"api_key": "garbage key"},
    {},
    {"api_key": FULL_KEY, "start_date": "31/12/2024"},
    '{"api_key": ',
])
def test_bad_config_is_a_trace_config_error_and_nonzero_exit(cfg):
    r = run("discover", config=cfg, base_url="http://127.0.0.1:9")
    assert r.rc != 0
    assert not r.of_type("CATALOG")
    errs = r.errors()
    assert len(errs) == 1, r.stdout
    assert errs[0]["failure_type"] == "config_error"
    assert errs[0]["message"]


def test_missing_config_file_is_a_trace_config_error(tmp_path):
    r = run("discover", config_path=str(tmp_path / "missing.json"))
    assert r.rc != 0
    assert [e["failure_type"] for e in r.errors()] == ["config_error"]
