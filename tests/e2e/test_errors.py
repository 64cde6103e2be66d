"""read errors: bad catalogs, bad keys, missing scopes and bad state files end with TRACE errors of
the right failure_type, per-stream INCOMPLETE statuses and a non-zero exit; healthy streams still sync."""

import re
from datetime import datetime, timezone

import pytest

from conftest import ALL_STREAMS, NOSEG_KEY, TRUTH_STREAMS, config, expected_keys, record_keys
from connector import configured_catalog, run, stream_states

CAT_INVALID_CATALOG = {"streams": [{
    "stream": {"name": "__AIRBYTE__stream_that_does_not_exist",
               "json_schema": {"type": "object", "properties": {"f1": {"type": "string"}}},
               "supported_sync_modes": ["full_refresh"]},
    "sync_mode": "INVALID", "destination_sync_mode": "INVALID"}]}


def failed_read(sim, catalog, cfg=None, **kw):
    r = run("read", config=cfg or config(), catalog=catalog, base_url=sim.url, **kw)
    assert r.rc != 0, "a failed read must exit non-zero"
    assert r.errors(), r.stdout[-2000:]
    return r


def test_unknown_stream_in_catalog(sim, discovered):
    cat = configured_catalog(discovered, ["events"])
    cat["streams"][0]["stream"]["name"] = "no_such_stream"
    sim.clear_requests()
    r = failed_read(sim, cat)
    assert r.errors()[-1]["failure_type"] == "config_error"
    assert "no_such_stream" in r.errors()[-1]["message"]
    assert not r.records()
    assert sim.requests() == []


def test_cat_invalid_catalog_yields_trace_error(sim):
    r = failed_read(sim, CAT_INVALID_CATALOG)
    assert any(e["message"] for e in r.errors())
    assert not r.records()


def test_invalid_sync_mode_on_a_real_stream(sim, discovered):
    cat = configured_catalog(discovered, ["events"])
    cat["streams"][0]["sync_mode"] = "INVALID"
    r = failed_read(sim, cat)
    assert r.errors()[-1]["failure_type"] == "config_error"
    assert "INVALID" in r.errors()[-1]["message"]


def test_duplicate_stream_in_catalog(sim, discovered):
    cat = configured_catalog(discovered, ["events"])
    cat["streams"].append(cat["streams"][0])
    r = failed_read(sim, cat)
    assert r.errors()[-1]["failure_type"] == "config_error"


@pytest.mark.parametrize("catalog", ['{"streams": [', "[]", '{"streams": {}}'])
def test_malformed_catalog_file(sim, catalog):
    r = failed_read(sim, catalog)
    assert [e["failure_type"] for e in r.errors()] == ["config_error"]


def test_bad_key_fails_every_stream(sim, discovered):
    r = failed_read(sim, configured_catalog(discovered), cfg=config(api_key="pk_revoked_key_9999"))
    st = r.statuses()
    assert set(st) == set(ALL_STREAMS)
    for s, seq in st.items():
        assert seq[0] == "STARTED" and seq[-1] == "INCOMPLETE", (s, seq)
        assert "COMPLETE" not in seq
    assert not r.records()
    per_stream = {e["stream_descriptor"]["name"] for e in r.errors() if e.get("stream_descriptor")}
    assert per_stream == set(ALL_STREAMS)
    final = r.errors()[-1]
    assert final["failure_type"] == "config_error"
    assert re.search(r"rejected|revoked|invalid", final["message"], re.I)
    assert r.messages[-1]["type"] in ("TRACE", "LOG")


def test_missing_scope_fails_only_the_streams_that_need_it(sim, discovered):
    started = datetime.now(timezone.utc).replace(microsecond=0)
    r = failed_read(sim, configured_catalog(discovered), cfg=config(api_key=NOSEG_KEY))
    st = r.statuses()
    # the key lacks segments and templates (and tags, which the simulator scopes separately)
    failed = {"segments": "segments", "email_templates": "templates", "segment_memberships": "segments",
              "segments_detailed": "segments", "tags": "tags"}
    for s in ALL_STREAMS:
        if s in failed:
            assert st[s][-1] == "INCOMPLETE", (s, st[s])
            errs = [e for e in r.errors() if (e.get("stream_descriptor") or {}).get("name") == s]
            assert errs, f"no per-stream TRACE error for {s}"
            assert errs[0]["failure_type"] == "config_error"
            assert failed[s] in errs[0]["message"], errs[0]["message"]
            assert r.ids(s) == []
        else:
            assert st[s][-1] == "COMPLETE", (s, st[s])
            if s in TRUTH_STREAMS:
                assert set(record_keys(r, s)) == expected_keys(sim, s, started), s
            else:
                assert len(r.ids(s)) > 0, s
    final = r.errors()[-1]
    assert not final.get("stream_descriptor")
    for f in failed:
        assert f in final["message"], final["message"]
    for ok in set(ALL_STREAMS) - set(failed):
        assert not re.search(rf"\b{ok}\b", final["message"].split("First error")[0]), final["message"]
    assert final["failure_type"] == "config_error"


@pytest.mark.parametrize("state", [
    pytest.param("{not json", id="not-json"),
    pytest.param("42", id="a-number"),
    pytest.param([{"type": "STREAM", "stream": {"stream_state": {}}}], id="no-descriptor"),
    pytest.param(stream_states({"events": {"datetime": "yesterday-ish"}}), id="cursor-not-a-date"),
    pytest.param(stream_states({"events": {"datetime": 12345}}), id="cursor-a-number"),
    pytest.param([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"}, "stream_state": [1]}}],
                 id="state-not-object"),
])
def test_unreadable_state_is_a_config_error(sim, discovered, state):
    sim.clear_requests()
    r = failed_read(sim, configured_catalog(discovered, ["events"], "incremental"), state=state)
    assert r.errors()[-1]["failure_type"] == "config_error"
    assert not r.records()
    assert sim.requests() == []


def test_missing_state_file_is_a_config_error(sim, discovered, tmp_path):
    r = failed_read(sim, configured_catalog(discovered, ["events"], "incremental"),
                    state_path=str(tmp_path / "absent-state.json"))
    assert [e["failure_type"] for e in r.errors()] == ["config_error"]
    assert "state" in r.errors()[0]["message"]


def test_bad_config_on_read(sim, discovered):
    sim.clear_requests()
    r = failed_read(sim, configured_catalog(discovered, ["events"]), cfg={"api_key": "nope"})
    assert [e["failure_type"] for e in r.errors()] == ["config_error"]
    assert sim.requests() == []
