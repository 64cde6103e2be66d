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

import connector  # noqa: E402

from simulator import FULL_KEY, Simulator  # noqa: E402  (tests/e2e/simulator.py)

# A key without the segments and templates scopes.
NOSEG_KEY = "pk_noseg_0001"
NOSEG_SCOPES = "profiles,events,metrics,lists,campaigns,flows"
connector.KNOWN_SECRETS.update({FULL_KEY, NOSEG_KEY})

KEY_ARGS = ["--key", f"{FULL_KEY}:all", "--key", f"{NOSEG_KEY}:{NOSEG_SCOPES}"]

# Small dataset: every stream has more than one page at its page size.
SMALL = ["--seed", "7", "--profiles", "200", "--events", "2000", "--metrics", "8", "--lists", "12",
         "--segments", "11", "--campaigns", "40", "--flows", "14", "--templates", "15"]

# Every stream of the connector. A stream added to the connector must be added here (test_discover checks).
# name: (cursor field or None, simulator truth resource or None = no exact truth, API path, primary key)
STREAMS = {
    "metrics": ("updated", "metrics", "/api/metrics", ["id"]),
    "lists": ("updated", "lists", "/api/lists", ["id"]),
    "segments": ("updated", "segments", "/api/segments", ["id"]),
    "email_templates": ("updated", "templates", "/api/templates", ["id"]),
    "flows": ("updated", "flows", "/api/flows", ["id"]),
    "campaigns": ("updated_at", "campaigns", "/api/campaigns", ["id"]),
    "campaigns_detailed": ("updated_at", "campaigns", "/api/campaigns", ["id"]),
    "profiles": ("updated", "profiles", "/api/profiles", ["id"]),
    "events": ("datetime", "events", "/api/events", ["id"]),
    "events_detailed": ("datetime", "events", "/api/events", ["id"]),
    "global_exclusions": ("updated", None, "/api/profiles", ["id"]),
    "tags": (None, "tags", "/api/tags", ["id"]),
    "list_memberships": ("joined_group_at", "list_memberships", "/api/lists/{id}/profiles", ["list_id", "profile_id"]),
    "segment_memberships": ("joined_group_at", "segment_memberships", "/api/segments/{id}/profiles",
                            ["segment_id", "profile_id"]),
    "flow_actions": ("updated", "flow_actions", "/api/flows/{id}/flow-actions", ["id"]),
    "campaign_messages": ("updated_at", "campaign_messages", "/api/campaigns/{id}/campaign-messages", ["id"]),
    "lists_detailed": ("updated", "lists", "/api/lists/{id}", ["id"]),
    "flow_messages": ("updated", "flow_messages", "/api/flow-actions/{id}/flow-messages", ["id"]),
    "segments_detailed": ("updated", "segments", "/api/segments/{id}", ["id"]),
}
# Discovered too, but read only by test_reports.py (connector.REPORT_STREAMS: the reporting pace).
REPORT_STREAMS = {
    "campaign_values_reports": ("date", None, "/api/campaign-values-reports",
                                ["date", "campaign_id", "campaign_message_id", "send_channel", "conversion_metric_id"]),
    "flow_series_reports": ("date", None, "/api/flow-series-reports",
                            ["date", "flow_id", "flow_message_id", "send_channel", "conversion_metric_id"]),
}
assert set(REPORT_STREAMS) == set(connector.REPORT_STREAMS)
DISCOVERED_STREAMS = list(STREAMS) + list(REPORT_STREAMS)
CURSOR = {n: v[0] for n, v in STREAMS.items()}
TRUTH_RESOURCE = {n: v[1] for n, v in STREAMS.items()}
STREAM_PATH = {n: v[2] for n, v in STREAMS.items()}
PRIMARY_KEY = {n: v[3] for n, v in {**STREAMS, **REPORT_STREAMS}.items()}
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


ALL_STREAMS = list(STREAMS)


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
