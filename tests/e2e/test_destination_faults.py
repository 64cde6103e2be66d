"""destination-klaviyo under faults, a SIGKILL and replay, 429s, and the round trip through the source.

Truth is the simulator's record of what it stored (/__sim/written), which deduplicates events on
profile + metric + unique_id as Klaviyo does; "stored once" is checked on the requests too where
that matters (a replayed event must not be stored twice under a different unique_id).
"""

import json
import os
import signal
import subprocess
import threading
import time

import connector
import destination as dest
from simulator import FULL_KEY, Simulator

EMPTY = ["--profiles", "0", "--events", "0", "--metrics", "0"]
CONFIG = {"api_key": FULL_KEY, "flush_seconds": 1}
TRACKS = dest.catalog(("tracks", None))


def lines_with_states(n, every):
    out = []
    for i in range(n):
        out.append(dest.record("tracks", dest.track(i)))
        if (i + 1) % every == 0:
            out.append(dest.stream_state("tracks", i + 1))
    return out


def stored_ids(sim):
    items = sim.written("events")["items"]
    ids = [e["unique_id"] for e in items]
    assert len(ids) == len(set(ids)), "an event is stored twice"
    return set(ids)


def test_faults_lose_and_double_nothing():
    with Simulator(*EMPTY, "--no-rate-limits", "--faults", "500=0.15,503=0.1,reset=0.1",
                   "--fault-paths", "^/api/event-bulk-create-jobs") as sim:
        lines = lines_with_states(3000, 500)
        r = dest.run("write", dict(CONFIG, batch_events=100), TRACKS, lines, base_url=sim.url, timeout=300)
        assert r.rc == 0, r.stdout[-3000:]
        assert stored_ids(sim) == {f"msg-{i:07d}" for i in range(3000)}
        assert [s["state"]["stream"]["stream_state"]["cursor"] for s in dest.states(r)] == list(range(500, 3001, 500))
        statuses = [q["status"] for q in sim.requests() if q["path"] == "/api/event-bulk-create-jobs"]
        assert any(s >= 500 for s in statuses), "no fault was injected"


def test_429s_are_waited_out_and_lose_nothing():
    # The connector believes the windows are 20x shorter than the simulator's: it sends too fast
    # and meets 429s with Retry-After, which it must wait out.
    with Simulator(*EMPTY, "--time-scale", "0.02") as sim:
        lines = lines_with_states(1500, 500)
        r = dest.run("write", dict(CONFIG, batch_events=10), TRACKS, lines, base_url=sim.url,
                     env={"SK_RATE_WINDOW_SCALE": "0.001"}, timeout=300)
        assert r.rc == 0, r.stdout[-3000:]
        assert stored_ids(sim) == {f"msg-{i:07d}" for i in range(1500)}
        assert sim.stats()["throttled"] > 0, "the simulator never throttled"
        assert len(dest.states(r)) == 3


def test_sigkill_then_replay_from_the_last_state_stores_every_event_once():
    with Simulator(*EMPTY, "--no-rate-limits", "--latency-ms", "300") as sim:
        lines = lines_with_states(4000, 200)
        env = dest.environment(sim.url)
        with open(os.devnull, "w") as devnull:
            p = subprocess.Popen([str(dest.BINARY), "write", "--config", _write(CONFIG), "--catalog", _write(TRACKS)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=devnull, env=env, text=True)
        echoed = []

        def feed():
            try:
                for line in lines:
                    p.stdin.write(json.dumps(line) + "\n")
                p.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass  # killed mid-feed

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        deadline = time.time() + 60
        while len(echoed) < 3 and time.time() < deadline:
            out = p.stdout.readline()
            if not out:
                break
            m = json.loads(out)
            if m["type"] == "STATE":
                echoed.append(m["state"]["stream"]["stream_state"]["cursor"])
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        feeder.join(10)
        assert echoed[-1] < 4000, "the write finished before the kill; nothing was tested"
        assert echoed, "no STATE before the kill"
        last = echoed[-1]
        # Never ahead: every record before an echoed STATE is stored.
        assert {f"msg-{i:07d}" for i in range(last)} <= stored_ids(sim)
        # The platform replays from the last echoed STATE: the records after it, and their states.
        replay = lines_with_states(4000, 200)[last + last // 200:]
        r = dest.run("write", CONFIG, TRACKS, replay, base_url=sim.url, timeout=300)
        assert r.rc == 0, r.stdout[-3000:]
        assert stored_ids(sim) == {f"msg-{i:07d}" for i in range(4000)}
        assert sim.written("events")["ignored_duplicates"] >= 0


def _write(obj):
    import tempfile
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, prefix="sk-dest-")
    json.dump(obj, f)
    f.close()
    return f.name


def test_round_trip_events_written_are_read_back_by_the_source_equal_field_by_field():
    with Simulator(*EMPTY, "--no-rate-limits") as sim:
        msgs = [dest.track(i, event=["Placed Order", "Viewed Product", "Started Checkout"][i % 3],
                           properties=None) for i in range(60)]
        for i, m in enumerate(msgs):
            m["properties"] = {"email": f"user{i % 50}@example.com", "n": i, "tags": ["a", "b"], "nested": {"k": i}}
            if i % 4 == 0:
                m["properties"]["value"] = 10.5 + i
        r = dest.run("write", CONFIG, TRACKS, [dest.record("tracks", m) for m in msgs] + [dest.global_state(1)],
                     base_url=sim.url)
        assert r.rc == 0, r.stdout
        time.sleep(1.1)  # the source reads up to the whole second it starts in: let the writes' second pass
        disc = connector.run("discover", {"api_key": FULL_KEY}, base_url=sim.url)
        cat = connector.configured_catalog(disc.of_type("CATALOG")[0]["catalog"], ["events", "metrics", "profiles"])
        read = connector.run("read", {"api_key": FULL_KEY, "start_date": "2026-01-01T00:00:00Z"}, cat, base_url=sim.url)
        assert read.rc == 0, read.stdout[-2000:]
        metrics = {m["id"]: m["attributes"]["name"] for m in read.record_data("metrics")}
        emails = {p["id"]: p["attributes"]["email"] for p in read.record_data("profiles")}
        events = read.record_data("events")
        assert len(events) == len(msgs)
        by_id = {e["attributes"]["event_properties"]["$event_id"]: e for e in events}
        for m in msgs:
            e = by_id[m["messageId"]]
            props = dict(e["attributes"]["event_properties"])
            props.pop("$event_id")
            value = props.pop("$value", None)
            assert props == m["properties"]
            assert value == m["properties"].get("value")
            assert metrics[e["relationships"]["metric"]["data"]["id"]] == m["event"]
            assert emails[e["relationships"]["profile"]["data"]["id"]] == m["properties"]["email"]
            assert e["attributes"]["datetime"].replace("+00:00", "Z").startswith(m["timestamp"][:19])


def test_full_batches_stay_whole_while_the_rate_limit_holds_the_input_back():
    # 200 requests of 10 events at 150 a (scaled) minute: the reader waits more than flush_seconds
    # for the next window, which must not make it send part-filled batches (each costs a request).
    with Simulator(*EMPTY, "--time-scale", "0.02") as sim:
        lines = [dest.record("tracks", dest.track(i)) for i in range(2000)]
        r = dest.run("write", dict(CONFIG, batch_events=10), TRACKS, lines, base_url=sim.url, timeout=300)
        assert r.rc == 0, r.stdout[-3000:]
        # Accepted requests: one per batch. (A 429 under a loaded machine, retried, is not a batch.)
        posts = [q for q in sim.requests() if q["path"] == "/api/event-bulk-create-jobs" and q["status"] == 202]
        assert len(posts) == 200
        assert len(stored_ids(sim)) == 2000
