"""Benchmark: how fast the connector reads, and how much memory it needs.

Starts the simulator with N events (no rate limits, so the connector's own speed is measured, not
Klaviyo's limits), runs `read` of the events stream (and optionally every stream) and prints
records/s, MB/s of protocol output, wall time and the connector's peak RSS. Run after a build:
    /usr/bin/python3 bench/read_throughput.py [--events 200000] [--streams events,profiles|all] [--latency-ms 0]
        [--workers 10] [--rate-limits]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SK_BUILD_DIR", os.path.join(ROOT, "build"))
KEY = "pk_sim_full_access_key_0001"


def start_sim(args):
    port_file = tempfile.mktemp(prefix="sk-bench-port-")
    proc = subprocess.Popen([os.path.join(BUILD, "klaviyo-sim"), "--port", "0", "--port-file", port_file] + args,
                            stdout=subprocess.DEVNULL)
    for _ in range(600):
        if os.path.exists(port_file) and open(port_file).read().strip():
            return proc, "http://127.0.0.1:" + open(port_file).read().strip()
        time.sleep(0.05)
    proc.kill()
    sys.exit("bench: simulator did not start")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200000)
    ap.add_argument("--profiles", type=int, default=20000)
    ap.add_argument("--streams", default="events")
    ap.add_argument("--latency-ms", type=int, default=0)
    ap.add_argument("--rate-limits", action="store_true", help="enforce Klaviyo's limits in the simulator")
    ap.add_argument("--workers", type=int, default=10, help="the connector's num_workers")
    a = ap.parse_args()
    sim_args = ["--events", str(a.events), "--profiles", str(a.profiles), "--latency-ms", str(a.latency_ms)]
    if not a.rate_limits:
        sim_args.append("--no-rate-limits")
    sim, url = start_sim(sim_args)
    try:
        tmp = tempfile.mkdtemp(prefix="sk-bench-")
        cfg = os.path.join(tmp, "config.json")
        json.dump({"api_key": KEY, "num_workers": a.workers}, open(cfg, "w"))
        env = dict(os.environ, KLAVIYO_BASE_URL=url)
        disc = subprocess.run([os.path.join(BUILD, "source-klaviyo"), "discover", "--config", cfg], env=env,
                              capture_output=True, text=True, check=True)
        streams = json.loads(disc.stdout.splitlines()[0])["catalog"]["streams"]
        wanted = set(a.streams.split(",")) if a.streams != "all" else {s["name"] for s in streams}
        cat = os.path.join(tmp, "catalog.json")
        json.dump({"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "append"}
                               for s in streams if s["name"] in wanted]}, open(cat, "w"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        proc = subprocess.Popen([os.path.join(BUILD, "source-klaviyo"), "read", "--config", cfg, "--catalog", cat],
                                env=env, stdout=subprocess.PIPE)
        records = nbytes = 0
        for line in proc.stdout:
            nbytes += len(line)
            if line.startswith(b'{"type":"RECORD"'):
                records += 1
        rc = proc.wait()
        wall = time.time() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rss_mb = after.ru_maxrss / 1024
        print(f"streams={a.streams} events={a.events} profiles={a.profiles} latency_ms={a.latency_ms} "
              f"rate_limits={'on' if a.rate_limits else 'off'} workers={a.workers}")
        print(f"exit={rc} records={records} wall_s={wall:.2f} records_per_s={records / wall:,.0f} "
              f"output_MB_per_s={nbytes / wall / 1e6:.1f}")
        print(f"connector: cpu_s={cpu:.2f} records_per_cpu_s={records / max(cpu, 1e-9):,.0f} peak_rss_MB={rss_mb:.1f}")
    finally:
        sim.terminate()
        sim.wait()


if __name__ == "__main__":
    main()
