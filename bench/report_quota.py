"""Benchmark: report requests and days of Klaviyo's reporting quota for a whole history.

Starts the simulator with an account of --metrics metrics (Klaviyo-like: some cannot be reported
on) and its reporting limits enforced (1/s, 2/min, 225/day per endpoint) at --time-scale, then syncs
both report streams from a start_date --years back with every metric (metric_ids empty), run after
run with the state each run left, as a daily schedule would: when a run stops on the day's quota,
the simulator's windows are reset (the next day) and the next run resumes. Prints, per stream, the
requests sent, the days of quota they took and the rows read, beside what Airbyte's rule (one
request per metric per 30-day window, unsupported metrics included, 225 a day) would need.
    /usr/bin/python3 bench/report_quota.py [--metrics 40] [--years 2] [--time-scale 0.001]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SK_BUILD_DIR", os.path.join(ROOT, "build"))
KEY = "pk_sim_full_access_key_0001"
sys.path.insert(0, os.path.join(ROOT, "tests"))  # tests/stream_table.py
import stream_table  # noqa: E402

PATHS = {s.name: s.path for s in stream_table.STREAMS if s.report}


def admin(url, path, body=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode() if body is not None else None,
                                 method="POST" if body is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--metrics", type=int, default=40)
    ap.add_argument("--years", type=float, default=2)
    ap.add_argument("--time-scale", default="0.001")
    ap.add_argument("--max-days", type=int, default=30)
    a = ap.parse_args()

    port_file = tempfile.mktemp(prefix="sk-bench-port-")
    sim = subprocess.Popen([os.path.join(BUILD, "klaviyo-sim"), "--port", "0", "--port-file", port_file,
                            "--metrics", str(a.metrics), "--time-scale", a.time_scale], stdout=subprocess.DEVNULL)
    try:
        for _ in range(400):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        url = "http://127.0.0.1:" + open(port_file).read().strip()
        supported = len(admin(url, "/__sim/truth?resource=report_metrics")["ids"])
        history_days = int(a.years * 365)
        start = (datetime.now(timezone.utc) - timedelta(days=history_days)).date().isoformat()
        tmp = tempfile.mkdtemp(prefix="sk-bench-reports-")
        cfg = os.path.join(tmp, "config.json")
        json.dump({"api_key": KEY, "start_date": start}, open(cfg, "w"))
        cat = os.path.join(tmp, "catalog.json")
        disc = subprocess.run([os.path.join(BUILD, "source-klaviyo"), "discover", "--config", cfg],
                              capture_output=True, text=True, check=True).stdout
        streams = [s for s in json.loads(disc.splitlines()[0])["catalog"]["streams"] if s["name"] in PATHS]
        json.dump({"streams": [{"stream": s, "sync_mode": "incremental", "destination_sync_mode": "append_dedup",
                                "cursor_field": ["date"]} for s in streams]}, open(cat, "w"))
        env = dict(os.environ, KLAVIYO_BASE_URL=url, SK_RATE_WINDOW_SCALE=a.time_scale)

        state = None
        days = {s: 0 for s in PATHS}
        rows = {s: 0 for s in PATHS}
        done = set()
        plan_lines = {}
        throttled = 0
        for day in range(1, a.max_days + 1):
            admin(url, "/__sim/config", {"rate_limits": True})  # a new day: fresh windows and quota
            before = set(done)
            argv = [os.path.join(BUILD, "source-klaviyo"), "read", "--config", cfg, "--catalog", cat]
            if state:
                sp = os.path.join(tmp, "state.json")
                json.dump(state, open(sp, "w"))
                argv += ["--state", sp]
            out = subprocess.run(argv, capture_output=True, text=True, env=env).stdout
            msgs = [json.loads(l) for l in out.splitlines() if l.strip()]
            latest = {}
            for m in msgs:
                if m["type"] == "RECORD":
                    rows[m["record"]["stream"]] += 1
                elif m["type"] == "STATE":
                    latest[m["state"]["stream"]["stream_descriptor"]["name"]] = m["state"]
                elif m["type"] == "LOG" and "report requests needed" in m["log"]["message"] and day == 1:
                    plan_lines[m["log"]["message"].split(":")[0]] = m["log"]["message"]
                elif m["type"] == "TRACE" and m["trace"]["type"] == "STREAM_STATUS":
                    st = m["trace"]["stream_status"]
                    if st["status"] == "COMPLETE":
                        done.add(st["stream_descriptor"]["name"])
            state = list(latest.values())
            for s in PATHS:
                if s not in before:
                    days[s] += 1
            if done >= set(PATHS):
                break
        reqs = admin(url, "/__sim/requests")["requests"]
        throttled = sum(1 for q in reqs if q["status"] == 429)
        print(f"report_quota: metrics={a.metrics} (reportable {supported}), history={history_days} days, "
              f"start_date={start}, time-scale={a.time_scale}")
        for s, line in plan_lines.items():
            print(f"  plan  {line}")
        for s, path in PATHS.items():
            sent = sum(1 for q in reqs if q["method"] == "POST" and q["path"] == path and q["status"] != 429)
            airbyte = a.metrics * math.ceil(history_days / 30)
            print(f"  {s}: requests={sent} days_of_quota={days[s]} rows={rows[s]} complete={s in done} | "
                  f"airbyte_rule requests={airbyte} days_of_quota={math.ceil(airbyte / 225)}")
        print(f"  429 answers: {throttled} (one per run that ended on a spent daily quota, by design)")
    finally:
        sim.kill()


if __name__ == "__main__":
    sys.exit(main())
