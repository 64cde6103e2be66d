"""Runs the connectors end to end against the bundled simulator and prints a summary.

Steps: start build/klaviyo-sim on a free loopback port, then spec -> check -> discover -> read
(every stream, full refresh). Records are split into out/records/<stream>.jsonl; the last state
goes to out/state.json; all other messages to out/messages.jsonl. Then the destination writes
20,000 tracking messages into the same simulator (scripts/demo_destination.py).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import demo_destination

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SK_BUILD_DIR", os.path.join(ROOT, "build"))
OUT = os.path.join(ROOT, "out")
KEY = "pk_sim_full_access_key_0001"


def start_sim(extra):
    port_file = tempfile.mktemp(prefix="sk-demo-port-")
    proc = subprocess.Popen([os.path.join(BUILD, "klaviyo-sim"), "--port", "0", "--port-file", port_file] + extra,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 20
    while time.time() < deadline:
        if os.path.exists(port_file) and open(port_file).read().strip():
            return proc, "http://127.0.0.1:" + open(port_file).read().strip()
        if proc.poll() is not None:
            sys.exit("demo: the simulator exited: " + proc.stderr.read().decode())
        time.sleep(0.05)
    proc.kill()
    sys.exit("demo: the simulator did not start within 20 s")


def connector(args, env):
    started = time.time()
    p = subprocess.run([os.path.join(BUILD, "source-klaviyo")] + args, env=env, capture_output=True, text=True)
    msgs = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return p.returncode, msgs, time.time() - started


def main():
    os.makedirs(os.path.join(OUT, "records"), exist_ok=True)
    sim, url = start_sim(sys.argv[1:])
    try:
        env = dict(os.environ, KLAVIYO_BASE_URL=url)
        cfg_path = os.path.join(OUT, "config.json")
        # The report streams run at Klaviyo's real reporting pace (2 requests a minute): the demo asks
        # for one conversion metric and year-long campaign windows, so they need 8 requests (~3 min).
        import urllib.request
        with urllib.request.urlopen(url + "/__sim/truth?resource=report_metrics") as r:
            metric = json.loads(r.read())["ids"][0]
        json.dump({"api_key": KEY, "num_workers": 10, "metric_ids": metric, "campaign_values_window_days": 365},
                  open(cfg_path, "w"))
        print(f"simulator: {url}")

        rc, msgs, _ = connector(["spec"], env)
        spec = [m for m in msgs if m["type"] == "SPEC"]
        print(f"spec:      exit {rc}, {len(spec[0]['spec']['connectionSpecification']['properties'])} config fields")

        rc, msgs, _ = connector(["check", "--config", cfg_path], env)
        status = [m["connectionStatus"] for m in msgs if m["type"] == "CONNECTION_STATUS"][0]
        print(f"check:     exit {rc}, {status['status']}: {status.get('message', '')}")

        rc, msgs, _ = connector(["discover", "--config", cfg_path], env)
        streams = [m for m in msgs if m["type"] == "CATALOG"][0]["catalog"]["streams"]
        print(f"discover:  exit {rc}, {len(streams)} streams")

        catalog = {"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
                               for s in streams]}
        cat_path = os.path.join(OUT, "catalog.json")
        json.dump(catalog, open(cat_path, "w"))
        files, counts, states, errors, summary = {}, {}, {}, [], {}
        started = time.time()
        proc = subprocess.Popen([os.path.join(BUILD, "source-klaviyo"), "read", "--config", cfg_path,
                                 "--catalog", cat_path], env=env, stdout=subprocess.PIPE, text=True)
        with open(os.path.join(OUT, "messages.jsonl"), "w") as other:
            for line in proc.stdout:
                m = json.loads(line)
                if m["type"] == "RECORD":
                    s = m["record"]["stream"]
                    if s not in files:
                        files[s] = open(os.path.join(OUT, "records", s + ".jsonl"), "w")
                    files[s].write(json.dumps(m["record"]["data"]) + "\n")
                    counts[s] = counts.get(s, 0) + 1
                    continue
                other.write(line)
                if m["type"] == "STATE":
                    states[m["state"]["stream"]["stream_descriptor"]["name"]] = m["state"]
                elif m["type"] == "TRACE" and m["trace"]["type"] == "ERROR":
                    errors.append(m["trace"]["error"]["message"])
                elif m["type"] == "LOG" and m["log"]["message"].startswith("summary: "):
                    kv = dict(part.split("=", 1) for part in m["log"]["message"][len("summary: "):].split())
                    summary[kv["stream"]] = kv
        rc = proc.wait()
        elapsed = time.time() - started
        for f in files.values():
            f.close()
        json.dump([{"type": "STATE", "state": s} for s in states.values()],
                  open(os.path.join(OUT, "state.json"), "w"), indent=1)

        print(f"read:      exit {rc} in {elapsed:.1f} s\n")
        print(f"{'stream':<18}{'records':>10}{'pages':>8}{'seconds':>10}  status")
        total = 0
        for s in [x["name"] for x in streams]:
            kv = summary.get(s, {})
            n = counts.get(s, 0)
            total += n
            print(f"{s:<18}{n:>10}{kv.get('pages', '?'):>8}{kv.get('seconds', '?'):>10}  {kv.get('status', '?')}")
        print(f"{'total':<18}{total:>10}{'':>8}{elapsed:>10.2f}  ({total / max(elapsed, 1e-9):,.0f} records/s)")
        print(f"\nrecords: {os.path.join(OUT, 'records')}/<stream>.jsonl, state: {os.path.join(OUT, 'state.json')}")
        for e in errors:
            print("error:", e)
        # The destination: tracking messages into the same simulator (scripts/demo_destination.py).
        return rc or demo_destination.run(BUILD, OUT, url, KEY)
    finally:
        sim.terminate()
        sim.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
