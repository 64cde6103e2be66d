"""Benchmark: the connector's peak RSS reading N events from the simulator (no limits enforced
there, 20 ms latency):
  default   the default config: the connector paces itself at Klaviyo's real events limit and
            keeps rate x latency x 1.5 requests in flight (a handful on loopback);
  32 / 50   SK_RATE_WINDOW_SCALE=0.01 (a 0.6 s "minute") lifts the tier cap above num_workers, so
            every one of 32 (the default num_workers) or 50 workers has a page in flight: what the
            default config holds against real Klaviyo at ~300 ms latency (about 28 in flight), and
            the most a user can ask for.
    SK_BUILD_DIR=build /usr/bin/python3 bench/memory.py [--events 100000,1000000] [--runs 3]
"""
import argparse
import os
import statistics

from simbench import Sim, files, read_connector


def peak_rss(events, workers, latency, runs):
    """Peak RSS of `runs` reads of the same simulator, each on its own (peak memory is the highest
    point of a noisy curve: the median of a few runs is the figure, each run is printed)."""
    with Sim(["--events", events, "--profiles", "20000", "--no-rate-limits", "--latency-ms", latency]) as sim:
        cfg, cat = files({"events"}, **({} if workers == "default" else {"num_workers": int(workers)}))
        env = dict(os.environ, KLAVIYO_BASE_URL=sim.url)
        if workers != "default":
            env["SK_RATE_WINDOW_SCALE"] = "0.01"
        out = []
        for _ in range(runs):
            records, usage, rc = read_connector(cfg, cat, env)
            out.append((records, usage.ru_maxrss / 1024, rc))
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", default="100000,1000000")
    ap.add_argument("--runs", type=int, default=3, help="reads per figure (the median is the figure)")
    a = ap.parse_args()
    for workers, latency in (("default", "20"), ("32", "20"), ("50", "20")):
        rows = []
        for n in a.events.split(","):
            runs = peak_rss(int(n), workers, latency, a.runs)
            for records, rss, rc in runs:
                print(f"events={int(n):8d} workers={workers:7s} latency_ms={latency:3s} exit={rc} records={records} "
                      f"peak_rss_MB={rss:.1f}", flush=True)
            rows.append(statistics.median(rss for _, rss, _ in runs))
            print(f"  median peak_rss_MB={rows[-1]:.1f}", flush=True)
        if len(rows) > 1:
            print(f"  growth {rows[0]:.1f} -> {rows[-1]:.1f} MB: {100.0 * (rows[-1] / rows[0] - 1):+.1f}%", flush=True)

if __name__ == "__main__":
    main()
