"""Stopping: SIGTERM (how the platform cancels a sync) ends a read cleanly and fast, a closed stdout
ends it at once and quietly, and a SIGKILL at any point loses nothing once the sync is resumed
from the last STATE it printed."""

import json
import os
import signal
import subprocess
import tempfile
import time
from datetime import datetime, timezone

import pytest

from conftest import FULL_KEY, config, expected_keys, key_of, start_sim
from connector import BINARY, check_output, configured_catalog, stream_states

# Streams of every shape: windowed (events), strict-filter (profiles), children (list_memberships),
# partitioned (campaigns, flows) and a grandchild (flow_messages).
STREAMS = ["events", "profiles", "list_memberships", "campaigns", "flows", "flow_actions", "flow_messages"]


@pytest.fixture(scope="module")
def slow_sim():
    # every answer takes 150 ms, so a read lasts long enough to be interrupted anywhere
    with start_sim("--no-rate-limits", "--latency-ms", "150") as s:
        yield s


def _start(sim, discovered, tmp, state=None, stdout=subprocess.PIPE):
    cfg = os.path.join(tmp, "config.json")
    json.dump(config(), open(cfg, "w"))
    cat = os.path.join(tmp, "catalog.json")
    json.dump(configured_catalog(discovered, streams=STREAMS, mode="incremental"), open(cat, "w"))
    argv = [str(BINARY), "read", "--config", cfg, "--catalog", cat]
    if state is not None:
        sp = os.path.join(tmp, "state.json")
        json.dump(state, open(sp, "w"))
        argv += ["--state", sp]
    env = dict(os.environ, KLAVIYO_BASE_URL=sim.url, SK_RATE_WINDOW_SCALE="0.01")
    return subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env)


def _complete_lines(stdout):
    """The messages of the complete lines (a SIGKILL may cut the last one)."""
    lines = stdout.split("\n")
    return [json.loads(l) for l in lines[:-1] if l]


def _last_states(msgs):
    out = {}
    for m in msgs:
        if m["type"] == "STATE":
            out[m["state"]["stream"]["stream_descriptor"]["name"]] = m["state"]["stream"]["stream_state"]
    return out


def _keys(msgs, stream):
    return [key_of(stream, m["record"]["data"]) for m in msgs if m["type"] == "RECORD" and m["record"]["stream"] == stream]


def _run_to_end(sim, discovered, state):
    with tempfile.TemporaryDirectory() as tmp:
        p = _start(sim, discovered, tmp, state=state)
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, out[-2000:] + err
        return check_output(out, err, {FULL_KEY})


def test_sigterm_stops_within_two_seconds_with_whole_lines_and_resumes(slow_sim, discovered):
    started = datetime.now(timezone.utc).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        p = _start(slow_sim, discovered, tmp)
        time.sleep(2.0)
        assert p.poll() is None, "the read ended before it could be interrupted; make the dataset slower"
        sent = time.monotonic()
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        took = time.monotonic() - sent
    assert took < 2.0, f"exited {took:.2f} s after SIGTERM"
    assert p.returncode != 0
    msgs = check_output(out, err, {FULL_KEY})  # every line whole and valid, output ends with a newline
    statuses = {}
    for m in msgs:
        if m["type"] == "TRACE" and m["trace"]["type"] == "STREAM_STATUS":
            st = m["trace"]["stream_status"]
            statuses.setdefault(st["stream_descriptor"]["name"], []).append(st["status"])
    assert set(statuses) == set(STREAMS), "every configured stream ends with a status"
    finals = {s: v[-1] for s, v in statuses.items()}
    assert "INCOMPLETE" in finals.values(), finals
    assert set(finals.values()) <= {"COMPLETE", "INCOMPLETE"}
    states = _last_states(msgs)
    assert set(states) == set(STREAMS), "every stream ends with a STATE"
    cancelled = [m for m in msgs if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"
                 and "cancelled" in m["trace"]["error"]["message"]]
    assert cancelled
    # Resuming from that state completes every stream and loses nothing.
    rest = _run_to_end(slow_sim, discovered, stream_states(states))
    for s in STREAMS:
        got = set(_keys(msgs, s)) | set(_keys(rest, s))
        assert got >= expected_keys(slow_sim, s, started), s


def test_a_closed_stdout_ends_the_read_at_once_and_quietly(slow_sim, discovered):
    with tempfile.TemporaryDirectory() as tmp:
        p = _start(slow_sim, discovered, tmp)
        first = p.stdout.readline()
        assert first.startswith("{")
        p.stdout.close()
        started = time.monotonic()
        p.wait(timeout=30)
        err = p.stderr.read()
    assert time.monotonic() - started < 5
    assert p.returncode != 0
    assert err == ""


def test_sigkill_at_several_points_then_resume_loses_nothing(slow_sim, discovered):
    """Kills the read at several points, each time resuming from the last STATE it printed, then lets
    it finish: the union of records holds every ground-truth key. Prints the duplicate ratio."""
    state, all_msgs = None, []
    started = datetime.now(timezone.utc).replace(microsecond=0)
    for delay in (0.8, 1.6, 2.4, 3.2):
        with tempfile.TemporaryDirectory() as tmp:
            p = _start(slow_sim, discovered, tmp, state=state)
            time.sleep(delay)
            p.kill()
            out, _ = p.communicate(timeout=30)
        msgs = _complete_lines(out)
        all_msgs += msgs
        saved = dict((s["stream"]["stream_descriptor"]["name"], s["stream"]["stream_state"]) for s in state or [])
        saved.update(_last_states(msgs))
        state = stream_states(saved)
    all_msgs += _run_to_end(slow_sim, discovered, state)
    emitted = distinct = 0
    for s in STREAMS:
        keys = _keys(all_msgs, s)
        truth = expected_keys(slow_sim, s, started)
        assert set(keys) >= truth, (s, len(truth - set(keys)))
        emitted += len(keys)
        distinct += len(set(keys))
    print(f"\ncrash-resume: {emitted} records emitted for {distinct} distinct keys: duplicate ratio "
          f"{emitted / max(distinct, 1):.3f}")
