"""Benchmark: CPU per record. A full read of N events (no latency, no rate limits) and the
connector's CPU seconds (user + system, from rusage), beside `jq -c '.data[]'` over the same pages
(fetched once with curl-free urllib, saved to disk, then timed in jq alone).
    SK_BUILD_DIR=build /usr/bin/python3 bench/cpu.py [--events 1000000] [--workers default] [--runs 3]
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import json

from simbench import KEY, Sim, files, read_connector


def fetch_pages(url, max_pages):
    """The events pages as the connector reads them (page[size]=1000, sorted by datetime)."""
    out = []
    nxt = url + "/api/events?" + urllib.parse.urlencode({"page[size]": "1000", "sort": "datetime"})
    headers = {"Authorization": "Klaviyo-API-Key " + KEY, "revision": "2026-07-15"}
    while nxt and len(out) < max_pages:
        with urllib.request.urlopen(urllib.request.Request(nxt, headers=headers)) as r:
            body = r.read()
        out.append(body)
        nxt = json.loads(body)["links"].get("next")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--workers", default="default")
    ap.add_argument("--runs", type=int, default=3, help="connector runs (the median is reported)")
    a = ap.parse_args()
    with Sim(["--events", a.events, "--profiles", "20000", "--no-rate-limits"]) as sim:
        config = {} if a.workers == "default" else {"num_workers": int(a.workers)}
        cfg, cat = files({"events"}, **config)
        env = dict(os.environ, KLAVIYO_BASE_URL=sim.url, SK_RATE_WINDOW_SCALE="0.01")  # no pacing either
        figures = []
        for run in range(a.runs):
            started = time.time()
            records, usage, rc = read_connector(cfg, cat, env)
            wall = time.time() - started
            cpu = usage.ru_utime + usage.ru_stime
            figures.append(records / max(cpu, 1e-9))
            print(f"connector run {run + 1}: exit={rc} events={records} wall_s={wall:.2f} "
                  f"cpu_s={cpu:.2f} (user {usage.ru_utime:.2f}, system {usage.ru_stime:.2f}) "
                  f"events_per_cpu_s={figures[-1]:,.0f} peak_rss_MB={usage.ru_maxrss / 1024:.1f}", flush=True)
        print(f"connector: median of {a.runs} runs: events_per_cpu_s={statistics.median(figures):,.0f}", flush=True)

        jq = shutil.which("jq")
        if not jq:
            print("jq: jq missing (apt-get install jq)")
            return
        pages = fetch_pages(sim.url, (a.events + 999) // 1000 + 1)
    path = os.path.join(tempfile.mkdtemp(prefix="sk-bench-jq-"), "pages.json")
    with open(path, "wb") as f:
        for p in pages:
            f.write(p)
            f.write(b"\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run([jq, "-c", ".data[]", path], stdout=subprocess.PIPE, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    n = r.stdout.count(b"\n")
    print(f"jq -c '.data[]': events={n} cpu_s={cpu:.2f} events_per_cpu_s={n / max(cpu, 1e-9):,.0f} "
          f"({os.path.getsize(path) / 1e6:.0f} MB of pages)")


if __name__ == "__main__":
    main()
