"""Benchmarks of destination-klaviyo `write` (figures go to bench/RESULTS.md):

  throughput  events delivered per second at Klaviyo's bulk limits (10/s, 150/min) with 200-400 ms
              latency, as a share of what an ideal client (1,000 events per request, every request
              the limits allow) needs for the same events; and the 429s met. Time-scaled: the
              simulator's windows and latency are shrunk by --scale, the connector's budget too.
  cpu         events per CPU-second of the write process (user + system, from wait4) with the
              simulator's limits off, beside `jq -c .` over the same input.
  memory      peak RSS of the write process for 100k and 1M events.

    SK_BUILD_DIR=build /usr/bin/python3 bench/destination.py throughput|cpu|memory [--events N]
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import tempfile
import time

from simbench import BUILD, KEY, Sim

DEST = os.path.join(BUILD, "destination-klaviyo")
EMPTY = ["--profiles", "0", "--events", "0", "--metrics", "0"]


def input_file(n, states_every=10000):
    """n Segment track calls (about 400 bytes each) on stream 'tracks', a STATE every states_every."""
    path = tempfile.mktemp(prefix="sk-dest-bench-", suffix=".jsonl")
    with open(path, "w") as f:
        for i in range(n):
            d = {"type": "track", "event": ("Placed Order", "Viewed Product", "Added to Cart")[i % 3],
                 "messageId": f"bench-{i:09d}", "userId": f"user-{i % 5000}", "anonymousId": f"anon-{i % 7000}",
                 "timestamp": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{i % 59:02d}Z",
                 "properties": {"email": f"user{i % 5000}@example.com", "sku": f"SKU-{i % 977}", "price": 19.99,
                                "quantity": 1 + i % 3, "currency": "USD", "category": "Apparel",
                                "url": f"https://shop.example.com/p/{i % 977}"},
                 "context": {"ip": "203.0.113.7", "library": {"name": "analytics.js", "version": "4.1.0"}}}
            f.write(json.dumps({"type": "RECORD", "record": {"stream": "tracks", "data": d, "emitted_at": 1}}) + "\n")
            if (i + 1) % states_every == 0:
                f.write(json.dumps({"type": "STATE", "state": {"type": "STREAM", "stream": {
                    "stream_descriptor": {"name": "tracks"}, "stream_state": {"n": i + 1}}}}) + "\n")
    return path


def config_files(**extra):
    tmp = tempfile.mkdtemp(prefix="sk-dest-bench-")
    cfg, cat = os.path.join(tmp, "config.json"), os.path.join(tmp, "catalog.json")
    json.dump(dict({"api_key": KEY}, **extra), open(cfg, "w"))
    json.dump({"streams": [{"stream": {"name": "tracks", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                            "sync_mode": "full_refresh", "destination_sync_mode": "append"}]}, open(cat, "w"))
    return cfg, cat


def write(cfg, cat, path, env):
    """Runs write with `path` on stdin: (exit code, rusage, wall seconds, stdout text)."""
    started = time.time()
    with open(path, "rb") as stdin:
        p = subprocess.Popen([DEST, "write", "--config", cfg, "--catalog", cat], stdin=stdin,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        out = p.stdout.read().decode()
        _, status, usage = os.wait4(p.pid, 0)
    return os.waitstatus_to_exitcode(status), usage, time.time() - started, out


def ideal_seconds(requests, burst=10, per_minute=150):
    """The least time an ideal client needs for `requests` under a 1 s and a 60 s window: full
    minutes of per_minute requests, the last part at the burst rate."""
    full, rest = divmod(requests, per_minute)
    if rest == 0:
        full, rest = full - 1, per_minute
    return full * 60 + math.ceil(rest / burst) - 1 + 1e-9


def throughput(a):
    scale = a.scale
    lo, hi = max(1, int(200 * scale)), max(2, int(400 * scale))  # Klaviyo's 200-400 ms, scaled
    with Sim(EMPTY + ["--time-scale", scale, "--latency-ms", (lo + hi) // 2,
                      "--latency-jitter-ms", (hi - lo) // 2, "--no-store-written"]) as sim:
        path = input_file(a.events)
        cfg, cat = config_files()
        env = dict(os.environ, KLAVIYO_BASE_URL=sim.url, SK_RATE_WINDOW_SCALE=str(scale))
        rc, usage, wall, out = write(cfg, cat, path, env)
        stats = sim.stats()
        os.unlink(path)
    posts = stats["by_path"].get("/api/event-bulk-create-jobs", 0)
    ideal = ideal_seconds(math.ceil(a.events / 1000)) * scale
    print(f"throughput: exit={rc} events={a.events} requests={posts} throttled={stats['throttled']} "
          f"wall_s={wall:.2f} (scale {scale}: {wall / scale:.0f} s at Klaviyo's pace) ideal_s={ideal:.2f} "
          f"events_per_s_at_klaviyo_pace={a.events / (wall / scale):,.0f} share_of_ideal={ideal / wall:.1%} "
          f"(latency {lo}-{hi} ms: 200-400 ms scaled)")


def cpu(a):
    with Sim(EMPTY + ["--no-rate-limits", "--no-store-written"]) as sim:
        path = input_file(a.events)
        cfg, cat = config_files()
        env = dict(os.environ, KLAVIYO_BASE_URL=sim.url, SK_RATE_WINDOW_SCALE="0.001")
        figures = []
        for run in range(a.runs):
            rc, usage, wall, out = write(cfg, cat, path, env)
            secs = usage.ru_utime + usage.ru_stime
            figures.append(a.events / secs)
            print(f"cpu run {run + 1}: exit={rc} events={a.events} wall_s={wall:.2f} cpu_s={secs:.2f} "
                  f"(user {usage.ru_utime:.2f}, system {usage.ru_stime:.2f}) events_per_cpu_s={figures[-1]:,.0f} "
                  f"peak_rss_MB={usage.ru_maxrss / 1024:.1f}", flush=True)
        figures.sort()
        print(f"cpu: median of {a.runs} runs: events_per_cpu_s={figures[len(figures) // 2]:,.0f}")
        jq = shutil.which("jq")
        if jq:
            t0 = os.times()
            subprocess.run([jq, "-c", "."], stdin=open(path, "rb"), stdout=subprocess.DEVNULL, check=True)
            t1 = os.times()
            jq_cpu = (t1.children_user - t0.children_user) + (t1.children_system - t0.children_system)
            print(f"jq -c . over the same input: cpu_s={jq_cpu:.2f} lines_per_cpu_s={a.events / jq_cpu:,.0f}")
        else:
            print("jq: missing (apt-get install jq)")
        os.unlink(path)


def memory(a):
    with Sim(EMPTY + ["--no-rate-limits", "--no-store-written"]) as sim:
        cfg, cat = config_files()
        env = dict(os.environ, KLAVIYO_BASE_URL=sim.url, SK_RATE_WINDOW_SCALE="0.001")
        peaks = []
        for n in (100_000, 1_000_000):
            path = input_file(n)
            rc, usage, wall, out = write(cfg, cat, path, env)
            os.unlink(path)
            peaks.append(usage.ru_maxrss / 1024)
            print(f"memory: exit={rc} events={n} wall_s={wall:.2f} peak_rss_MB={peaks[-1]:.1f}", flush=True)
        print(f"memory: 1M vs 100k peak RSS {peaks[1] / peaks[0] - 1:+.1%}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["throughput", "cpu", "memory"])
    ap.add_argument("--events", type=int, default=None)
    ap.add_argument("--runs", type=int, default=3)
    # 0.25: a minute lasts 15 s. At 0.1 the simulator's own CPU (parsing 1,000-event bodies at 100
    # requests a second in a burst) becomes the limit on two cores, not the connector.
    ap.add_argument("--scale", type=float, default=0.25, help="time scale of the throughput run")
    a = ap.parse_args()
    if a.events is None:
        a.events = {"throughput": 450_000, "cpu": 1_000_000, "memory": 0}[a.what]
    {"throughput": throughput, "cpu": cpu, "memory": memory}[a.what](a)


if __name__ == "__main__":
    main()
