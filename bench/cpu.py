"""Benchmark: CPU per record. A full read of N events (no latency, no rate limits) and the
connector's CPU seconds (user + system, from rusage), beside `jq -c '.data[]'` over the same pages
(fetched once with curl-free urllib, saved to disk, then timed in jq alone).
    SK_BUILD_DIR=build /usr/bin/python3 bench/cpu.py [--events 1000000] [--workers default]
"""
import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import json

from simbench import CONNECTOR, KEY, Sim, files


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
    a = ap.parse_args()
    with Sim(["--events", a.events, "--profiles", "20000", "--no-rate-limits"]) as sim:
        config = {} if a.workers == "default" else {"num_workers": int(a.workers)}
        cfg, cat = files({"events"}, **config)
        env = dict(os.environ, KLAVIYO_BASE_URL=sim.url, SK_RATE_WINDOW_SCALE="0.01")  # no pacing either
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        proc = subprocess.Popen([CONNECTOR, "read", "--config", cfg, "--catalog", cat], env=env,
                                stdout=subprocess.PIPE)
        records = 0
        for line in proc.stdout:
            if line.startswith(b'{"type":"RECORD"'):
                records += 1
        rc = proc.wait()
        wall = time.time() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"connector: exit={rc} events={records} wall_s={wall:.2f} cpu_s={cpu:.2f} "
              f"events_per_cpu_s={records / max(cpu, 1e-9):,.0f} peak_rss_MB={after.ru_maxrss / 1024:.1f}", flush=True)

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
