"""Faults: transient server errors, broken connections and bodies, rate limiting and a permanent
outage. No record may be lost to a transient fault; a permanent one fails only its stream."""

import json
import re
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

from conftest import ALL_STREAMS, FULL_KEY, TRUTH_STREAMS, config, expected_keys, record_keys, start_sim, truth_ids
from connector import configured_catalog, run


def test_transient_faults_lose_no_record(discovered):
    faults = "503=0.05,500=0.02,502=0.01,reset=0.02,truncate=0.02,malformed=0.02"
    with start_sim("--no-rate-limits", "--faults", faults) as sim:
        started = datetime.now(timezone.utc).replace(microsecond=0)
        r = run("read", config=config(), catalog=configured_catalog(discovered, mode="incremental"),
                base_url=sim.url, timeout=240)
        reqs = sim.requests()
        assert r.rc == 0, r.stdout[-3000:]
        assert r.errors() == []
        for s in TRUTH_STREAMS:
            assert set(record_keys(r, s)) == expected_keys(sim, s, started), s
        for s in ALL_STREAMS:
            assert r.statuses(s)[-1] == "COMPLETE", s
    # the faults really happened and were retried
    assert sum(1 for q in reqs if q["status"] >= 500) >= 2, "too few injected 5xx to prove anything"
    retries = [m for m in r.logs() if re.search(r"retry", m, re.I)]
    assert len(retries) >= 2, r.logs()[:20]


def _hammer_until_throttled(url, path, min_retry_after):
    """Uses up the key's quota for `path` (like another integration on the same account would)."""
    hdr = {"Authorization": f"Klaviyo-API-Key {FULL_KEY}", "revision": "2026-07-15", "Accept": "application/json"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url + path, headers=hdr), timeout=10).read()
        except urllib.error.HTTPError as e:
            if e.code == 429 and float(e.headers.get("Retry-After", "0")) >= min_retry_after:
                return float(e.headers["Retry-After"])
    raise AssertionError("could not exhaust the simulator's rate limit")


def test_rate_limits_are_waited_out(discovered):
    # time-scale 0.05: the 60 s steady window lasts 3 s, so a throttled request waits < 3 s.
    with start_sim("--time-scale", "0.05") as sim:
        ra = _hammer_until_throttled(sim.url, "/api/flows", 0.2)
        sim.clear_requests()
        t0 = time.monotonic()
        r = run("read", config=config(), catalog=configured_catalog(discovered, ["flows", "metrics"], "full_refresh"),
                base_url=sim.url, timeout=120)
        elapsed = time.monotonic() - t0
        reqs = sim.requests()
        assert r.rc == 0, r.stdout[-3000:]
        assert set(r.ids("flows")) == set(truth_ids(sim, "flows"))
        assert set(r.ids("metrics")) == set(truth_ids(sim, "metrics"))
    throttled = [q for q in reqs if q["status"] == 429]
    assert throttled, "the connector never met a 429: the test proves nothing"
    assert all(q["path"].startswith("/api/flows") for q in throttled)
    logs = [m for m in r.logs() if "429" in m]
    assert logs and any(re.search(r"retry|wait|sleep", m, re.I) for m in logs), r.logs()
    assert elapsed < 30, f"waiting out a {ra:.2f} s Retry-After took {elapsed:.1f} s"
    assert r.statuses("flows")[-1] == "COMPLETE"


def test_permanent_outage_of_one_stream(discovered):
    # Every /api/segments request answers 503; the other streams are healthy.
    with start_sim("--no-rate-limits", "--faults", "503=1.0", "--fault-paths", "^/api/segments") as sim:
        t0 = time.monotonic()
        r = run("read", config=config(), catalog=configured_catalog(discovered, ["segments", "lists"], "incremental"),
                base_url=sim.url, timeout=180)
        elapsed = time.monotonic() - t0
        seg_reqs = [q for q in sim.requests() if q["path"].startswith("/api/segments")]
        assert set(r.ids("lists")) == set(truth_ids(sim, "lists"))
    assert r.rc != 0
    assert r.statuses("segments")[-1] == "INCOMPLETE"
    assert r.statuses("lists")[-1] == "COMPLETE"
    seg_err = [e for e in r.errors() if (e.get("stream_descriptor") or {}).get("name") == "segments"]
    assert seg_err and seg_err[0]["failure_type"] == "transient_error", r.errors()
    assert "503" in seg_err[0]["message"] or "503" in seg_err[0].get("internal_message", "")
    final = r.errors()[-1]
    assert final["failure_type"] == "transient_error" and "segments" in final["message"]
    assert 2 <= len(seg_reqs) <= 10, f"{len(seg_reqs)} attempts on a dead endpoint"
    assert r.ids("segments") == []
    print(f"permanent outage: {len(seg_reqs)} attempts, {elapsed:.1f} s")
