"""Windowed reads of the big streams against the simulator: profiles, global_exclusions and the
memberships of each list / segment are split into time windows read in parallel, and still return
exactly the simulator's ground truth (records updated in one second, bulk joins at one instant);
progress LOG lines appear for running streams, at most once a second each."""

import json
import os
import re
import subprocess
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone

import pytest

from conftest import SMALL, KEY_ARGS, config, key_of, record_keys, requests_for, truth_ids
from connector import BINARY, configured_catalog, filter_clauses, run
from simulator import Simulator

WINDOWED = ["profiles", "global_exclusions", "list_memberships", "segment_memberships"]


@pytest.fixture(scope="module")
def windowed(discovered):
    with Simulator(*(SMALL + KEY_ARGS + ["--no-rate-limits"])) as sim:
        # Profiles updated (and created) in one second: ties on the cursor across the read.
        m = sim.mutate(update_profiles=15, new_profiles=5)
        time.sleep(1.1)  # the sync starts after that second, so they are inside its range
        started = datetime.now(timezone.utc).replace(microsecond=0)
        r = run("read", config=config(num_workers=8), catalog=configured_catalog(discovered, WINDOWED, "full_refresh"),
                base_url=sim.url)
        yield sim, r, m, started, sim.requests()


def first_pages(reqs, path_re):
    return [q for q in reqs if re.fullmatch(path_re, q["path"].rstrip("/")) and "page[cursor]" not in q["params"]
            and q["params"].get("page[size]") != "1"]


def test_read_ok(windowed):
    _, r, _, _, _ = windowed
    assert r.rc == 0, r.stdout[-3000:] + r.stderr
    assert r.errors() == []


@pytest.mark.parametrize("stream", ["profiles", "list_memberships", "segment_memberships"])
def test_windowed_stream_equals_truth_exactly(windowed, stream):
    sim, r, m, _, _ = windowed
    got = record_keys(r, stream)
    dups = [k for k, n in Counter(got).items() if n > 1]
    assert not dups, f"{stream}: read twice: {dups[:5]}"
    want = set(truth_ids(sim, stream))
    assert set(got) == want, f"missing {sorted(want - set(got))[:5]}, extra {sorted(set(got) - want)[:5]}"
    if stream == "profiles":
        assert set(m["ids"]["updated_profiles"]) <= set(got) and set(m["ids"]["new_profiles"]) <= set(got)


def test_global_exclusions_once_each(windowed):
    _, r, _, _, _ = windowed
    got = r.ids("global_exclusions")
    assert got and len(got) == len(set(got))
    def marketing(d):
        return (((d.get("attributes") or {}).get("subscriptions") or {}).get("email") or {}).get("marketing") or {}
    suppressed = {d["id"] for d in r.record_data("profiles") if marketing(d).get("suppression")}
    assert set(got) == suppressed


def test_profiles_are_read_in_chained_windows(windowed):
    """Several windows, each greater-than(start - 1 s) and less-than(end); the ends chain, the last is the sync start."""
    _, _, _, started, reqs = windowed
    wins = [q for q in first_pages(reqs, "/api/profiles")  # not global_exclusions' (subscriptions only)
            if "predictive_analytics" in q["params"].get("additional-fields[profile]", "")]
    assert len(wins) > 1, "profiles should be split into windows"
    bounds = []
    for q in wins:
        c = {(op, f): v for op, f, v in filter_clauses(q["params"]["filter"])}
        bounds.append((c.get(("greater-than", "updated")), c[("less-than", "updated")]))
    bounds.sort(key=lambda b: b[1])
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    for (_, hi), (lo, _) in zip(bounds, bounds[1:]):
        assert (parse(hi) - parse(lo)).total_seconds() == 1, "each window starts 1 s before the previous one's end"
    assert parse(bounds[-1][1]) >= started


def test_a_big_list_is_split_into_windows(windowed):
    sim, _, _, _, reqs = windowed
    per_list = Counter(q["path"] for q in first_pages(reqs, r"/api/lists/[^/]+/profiles"))
    assert per_list and max(per_list.values()) > 1, "each list has at least one window; some have several"


def test_progress_lines_at_most_once_a_second_per_stream(discovered):
    with Simulator(*(SMALL + KEY_ARGS + ["--no-rate-limits", "--latency-ms", "400"])) as sim:
        tmp = tempfile.mkdtemp(prefix="sk-e2e-progress-")
        cfg, cat = os.path.join(tmp, "config.json"), os.path.join(tmp, "catalog.json")
        json.dump(config(num_workers=1), open(cfg, "w"))
        json.dump(configured_catalog(discovered, ["profiles", "events"], "full_refresh"), open(cat, "w"))
        env = dict(os.environ, KLAVIYO_BASE_URL=sim.url, SK_PROGRESS_SECONDS="1", SK_RATE_WINDOW_SCALE="0.01")
        started = time.time()
        p = subprocess.Popen([str(BINARY), "read", "--config", cfg, "--catalog", cat], env=env,
                             stdout=subprocess.PIPE, text=True)
        lines = []  # (arrival time, stream, text)
        summaries = []
        for line in p.stdout:
            m = json.loads(line)
            if m["type"] != "LOG":
                continue
            text = m["log"]["message"]
            if text.startswith("progress: "):
                lines.append((time.time(), re.search(r"stream=(\S+)", text).group(1), text))
            if text.startswith("summary: "):
                summaries.append(text)
        assert p.wait(timeout=120) == 0
        elapsed = time.time() - started
    assert elapsed > 3, "the read should take a few seconds at 400 ms a request with one worker"
    by_stream = {}
    for t, s, text in lines:
        by_stream.setdefault(s, []).append(t)
        assert re.search(r"records=\d+ pages=\d+ records_per_s=\d+ requests=\d+ 429s=\d+ done=[\d.]+%", text), text
    assert by_stream, "no progress line in a read of several seconds"
    for s, ts in by_stream.items():
        assert len(ts) <= elapsed + 1, f"{s}: {len(ts)} progress lines in {elapsed:.1f} s"
        for a, b in zip(ts, ts[1:]):
            assert b - a > 0.5, f"{s}: two progress lines {b - a:.2f} s apart"
    assert len(summaries) == 2
    for s in summaries:
        assert re.search(r"requests=\d+ 429s=0 seconds=[\d.]+ requests_per_min=\d+ tier_limit_per_min=\d+ "
                         r"tier_share=\d+% status=ok", s), s
