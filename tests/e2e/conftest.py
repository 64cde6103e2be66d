"""Shared fixtures of the end-to-end suite: the binary, the simulator and the discovered catalog.

Run one file:
  SK_BUILD_DIR=build /usr/bin/python3 -m pytest -q tests/e2e/test_read.py
"""

import os
import sys
from datetime import timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: stream_table.py

import connector  # noqa: E402
import stream_table  # noqa: E402  (tests/stream_table.py)

from simulator import FULL_KEY, Simulator  # noqa: E402  (tests/e2e/simulator.py)

# A key without the segments and templates scopes.
NOSEG_KEY = "pk_noseg_0001"
NOSEG_SCOPES = "profiles,events,metrics,lists,campaigns,flows"
connector.KNOWN_SECRETS.update({FULL_KEY, NOSEG_KEY})

KEY_ARGS = ["--key", f"{FULL_KEY}:all", "--key", f"{NOSEG_KEY}:{NOSEG_SCOPES}"]

# Small dataset: every stream has more than one page at its page size.
SMALL = ["--seed", "7", "--profiles", "200", "--events", "2000", "--metrics", "8", "--lists", "12",
         "--segments", "11", "--campaigns", "40", "--flows", "14", "--templates", "15"]

# The simulator resource that gives exact truth for each stream a read of "every stream" includes
# (None: no exact truth). The streams themselves (keys, cursors, paths) are tests/stream_table.py's;
# a stream added to the connector is added there (test_discover checks) and here.
TRUTH_RESOURCE = {
    "metrics": "metrics",
    "lists": "lists",
    "segments": "segments",
    "email_templates": "templates",
    "flows": "flows",
    "campaigns": "campaigns",
    "campaigns_detailed": "campaigns",
    "profiles": "profiles",
    "events": "events",
    "events_detailed": "events",
    "global_exclusions": None,
    "tags": "tags",
    "list_memberships": "list_memberships",
    "segment_memberships": "segment_memberships",
    "flow_actions": "flow_actions",
    "campaign_messages": "campaign_messages",
    "lists_detailed": "lists",
    "flow_messages": "flow_messages",
    "segments_detailed": "segments",
}
# Every stream but the report streams, which only test_reports.py reads (the reporting pace).
ALL_STREAMS = list(stream_table.NON_REPORT_STREAMS)
assert set(TRUTH_RESOURCE) == set(ALL_STREAMS), "tests/stream_table.py and TRUTH_RESOURCE disagree"
REPORT_STREAMS = stream_table.REPORT_STREAMS
DISCOVERED_STREAMS = list(stream_table.NAMES)
CURSOR = {n: stream_table.BY_NAME[n].cursor for n in ALL_STREAMS}
STREAM_PATH = {n: stream_table.BY_NAME[n].path for n in ALL_STREAMS}
PRIMARY_KEY = {s.name: list(s.primary_key) for s in stream_table.STREAMS}
# streams whose records are stamped with the cursor and may lie in the future (excluded by design)
DATED = {"events", "events_detailed"}
# The streams the simulator can give exact truth for.
TRUTH_STREAMS = [n for n, r in TRUTH_RESOURCE.items() if r]
INCREMENTAL_STREAMS = [n for n, c in CURSOR.items() if c]
# Klaviyo's page[size] maxima (None: the endpoint takes no page[size]).
PAGE_CAP = {
    "/api/metrics": None, "/api/lists": 10, "/api/segments": 10, "/api/templates": 10, "/api/flows": 50,
    "/api/campaigns": 100, "/api/profiles": 100, "/api/events": 1000, "/api/tags": 50,
}


def page_cap(path):
    p = path.rstrip("/")
    if p in PAGE_CAP:
        return PAGE_CAP[p]
    if p.endswith("/profiles"):
        return 100
    if p.endswith("/flow-actions") or p.endswith("/flow-messages"):
        return 50
    if p.endswith("/campaign-messages"):
        return None
    parts = p.split("/")  # single resources: /api/lists/{id}, /api/campaign-recipient-estimations/{id}
    if len(parts) == 4 and parts[2] in ("lists", "segments", "campaign-recipient-estimations"):
        return None
    return "unknown"


def key_of(stream, data):
    """The record's identity as the simulator's truth spells it."""
    pk = PRIMARY_KEY[stream]
    if pk == ["id"]:
        return data["id"]
    return ":".join(str(data[k]) for k in pk)


def start_sim(*extra, keys=True, small=True):
    """A running simulator (context manager) with the suite's keys and dataset."""
    args = (SMALL if small else []) + (KEY_ARGS if keys else []) + list(extra)
    return Simulator(*args)


@pytest.fixture(scope="module")
def sim():
    """A module-wide simulator without rate limits or faults."""
    with start_sim("--no-rate-limits") as s:
        yield s


def config(**kw):
    c = {"api_key": FULL_KEY}
    c.update(kw)
    return c


@pytest.fixture(scope="session")
def discovered():
    """The discovered catalog (discover makes no request)."""
    r = connector.run("discover", config=config(), base_url="http://127.0.0.1:9")
    assert r.rc == 0, r.stdout + r.stderr
    cats = r.of_type("CATALOG")
    assert len(cats) == 1
    return cats[0]["catalog"]


def truth_ids(sim, stream, **params):
    return sim.truth(TRUTH_RESOURCE[stream], **params)


def iso(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_keys(sim, stream, started, **params):
    """Truth for a read whose sync started at `started`: dated records at/after the sync start
    (future-dated events) are excluded by design (half-open window [lower, sync start))."""
    ids = set(truth_ids(sim, stream, **params))
    if stream in DATED:
        ids -= set(truth_ids(sim, stream, since=iso(started)))
    return ids


def record_keys(result, stream):
    return [key_of(stream, d) for d in result.record_data(stream)]


def requests_for(reqs, path, method="GET"):
    return [q for q in reqs if q["path"].rstrip("/") == path and q["method"] == method]


def event_windows(reqs, metric=None):
    from connector import clause_value, parse_dt
    """The first-page requests of the events stream (not events_detailed), split into the probe
    for the oldest event (page[size]=1) and the windows, sorted by their greater-or-equal bound.
    Asserts that the windows of each metric partition chain without gap or overlap."""
    def ge(q):
        v = clause_value(q["params"].get("filter"), "greater-or-equal", "datetime")
        return parse_dt(v) if v else None

    def lt(q):
        v = clause_value(q["params"].get("filter"), "less-than", "datetime")
        return parse_dt(v) if v else None

    qs = [q for q in requests_for(reqs, "/api/events")
          if "page[cursor]" not in q["params"] and "include" not in q["params"]]
    if metric is not None:
        qs = [q for q in qs if clause_value(q["params"].get("filter"), "equals", "metric_id") == metric]
    probes = [q for q in qs if q["params"].get("page[size]") == "1"]
    wins = sorted((q for q in qs if q not in probes), key=lambda q: (ge(q) is not None, ge(q)))
    for a, b in zip(wins, wins[1:]):
        assert lt(a) == ge(b), f"events windows must chain: {lt(a)} != {ge(b)}"
    return probes, wins, ge, lt
