"""Benchmark: how close each big stream gets to its Klaviyo rate tier's steady limit.

The simulator enforces Klaviyo's tiers (real 1 s / 60 s windows, time scale 1: the 200-400 ms
latency is real time, so a shorter time scale would only ask for more requests in flight than
Klaviyo's real limits do) with 200-400 ms latency. For each case the connector reads one stream
for --seconds of wall time on a dataset too large to finish; the simulator's request counts give
requests per minute as a share of the tier's steady limit, and the share of 429 answers.
    SK_BUILD_DIR=build /usr/bin/python3 bench/ceiling.py [--seconds 60] [--cases events,profiles,list_memberships]
        [--workers default,1]
"""
import argparse
import os
import signal
import subprocess
import time

from simbench import CONNECTOR, Sim, files

# case: (stream, tier's steady limit per minute, simulator args, path prefix counted)
CASES = {
    "events": ("events", 3500, ["--events", "5000000", "--profiles", "2000"], "/api/events"),
    "profiles": ("profiles", 750, ["--profiles", "300000", "--events", "1000"], "/api/profiles"),
    "list_memberships": ("list_memberships", 750, ["--profiles", "400000", "--events", "1000", "--lists", "1",
                                                   "--seed", "3"], "/api/lists/"),
}


def run_case(name, workers, seconds, latency, jitter):
    stream, limit, sim_args, prefix = CASES[name]
    with Sim(sim_args + ["--latency-ms", latency, "--latency-jitter-ms", jitter]) as sim:
        config = {"disable_fetching_predictive_analytics": True}
        if workers != "default":
            config["num_workers"] = int(workers)
        cfg, cat = files({stream}, **config)
        env = dict(os.environ, KLAVIYO_BASE_URL=sim.url)
        env.pop("SK_RATE_WINDOW_SCALE", None)
        before = sim.stats()
        proc = subprocess.Popen([CONNECTOR, "read", "--config", cfg, "--catalog", cat], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(seconds)
        after = sim.stats()
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()

        def count(stats):
            return sum(n for p, n in stats["by_path"].items() if p.startswith(prefix))
        reqs = count(after) - count(before)  # 429s included
        throttled = after["throttled"] - before["throttled"]
        per_min = (reqs - throttled) * 60.0 / seconds
        print(f"{name:17s} workers={workers:7s} requests={reqs:5d} in {seconds:.0f} s -> {per_min:6.0f}/min "
              f"= {100.0 * per_min / limit:5.1f}% of {limit}/min; 429s={throttled} "
              f"({100.0 * throttled / max(1, reqs + throttled):.2f}%){' FINISHED EARLY' if finished else ''}",
              flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--cases", default="events,profiles,list_memberships")
    ap.add_argument("--workers", default="default,1")
    ap.add_argument("--latency-ms", default="200")
    ap.add_argument("--latency-jitter-ms", default="200")
    a = ap.parse_args()
    print(f"latency {a.latency_ms}..{int(a.latency_ms) + int(a.latency_jitter_ms)} ms, Klaviyo's tiers enforced "
          f"(time scale 1), {a.seconds:.0f} s per case", flush=True)
    for case in a.cases.split(","):
        for w in a.workers.split(","):
            run_case(case, w, a.seconds, a.latency_ms, a.latency_jitter_ms)


if __name__ == "__main__":
    main()
