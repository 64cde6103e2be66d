"""The destination half of the demo: Segment-spec tracking messages -> destination-klaviyo -> the
same simulator, then what the simulator stored and what was skipped, from its own record."""
import collections
import json
import os
import subprocess
import time
import urllib.request

EVENTS = ("Placed Order", "Viewed Product", "Added to Cart", "Started Checkout")


def messages(n=20000, state_every=5000):
    """n tracking messages of every kind, a STATE every state_every; the counts by kind."""
    kinds = collections.Counter()
    for i in range(n):
        user = i % 2000
        base = {"messageId": f"demo-{i:06d}", "userId": f"u{user}", "timestamp": f"2026-11-{1 + i % 28:02d}T12:00:00Z"}
        r = i % 100
        if r < 80:
            kind, d = "track", dict(base, type="track", event=EVENTS[i % 4],
                                    properties={"email": f"user{user}@example.com", "value": 10 + i % 90, "currency": "USD"})
        elif r < 85:
            kind, d = "track without email or phone", dict(base, type="track", event="Viewed Product", anonymousId=f"a{i}")
        elif r < 92:
            kind, d = "page", dict(base, type="page", name="Home", properties={"email": f"user{user}@example.com"})
        elif r < 95:
            kind, d = "screen", dict(base, type="screen", name="Cart")
        elif r < 99:
            kind, d = "identify", dict(base, type="identify", traits={"email": f"user{user}@example.com",
                                                                      "firstName": "Demo", "plan": "pro"})
        else:
            kind, d = "track with an invalid email", dict(base, type="track", event="Placed Order",
                                                          properties={"email": "not an email"})
        kinds[kind] += 1
        yield {"type": "RECORD", "record": {"stream": "tracks", "data": d, "emitted_at": 0}}
        if (i + 1) % state_every == 0:
            yield {"type": "STATE", "state": {"type": "STREAM", "stream": {
                "stream_descriptor": {"name": "tracks"}, "stream_state": {"n": i + 1}}}}
    messages.kinds = kinds


def run(build, out_dir, url, key):
    path = os.path.join(out_dir, "destination_input.jsonl")
    with open(path, "w") as f:
        for m in messages():
            f.write(json.dumps(m) + "\n")
    cfg, cat = os.path.join(out_dir, "destination_config.json"), os.path.join(out_dir, "destination_catalog.json")
    json.dump({"api_key": key}, open(cfg, "w"))
    json.dump({"streams": [{"stream": {"name": "tracks", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                            "sync_mode": "full_refresh", "destination_sync_mode": "append"}]}, open(cat, "w"))
    started = time.time()
    with open(path) as stdin:
        p = subprocess.run([os.path.join(build, "destination-klaviyo"), "write", "--config", cfg, "--catalog", cat],
                           stdin=stdin, capture_output=True, text=True, env=dict(os.environ, KLAVIYO_BASE_URL=url))
    elapsed = time.time() - started
    out = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    with open(os.path.join(out_dir, "destination_messages.jsonl"), "w") as f:
        f.writelines(json.dumps(m) + "\n" for m in out)
    written = {r: json.loads(urllib.request.urlopen(f"{url}/__sim/written?resource={r}&limit=0").read())["count"]
               for r in ("events", "profiles")}
    states = [m["state"] for m in out if m["type"] == "STATE"]
    print(f"\ndestination write: exit {p.returncode} in {elapsed:.1f} s, {len(states)} of 4 STATEs echoed")
    print(f"{'messages in':<32}{'count':>8}")
    for kind, n in sorted(messages.kinds.items(), key=lambda kv: -kv[1]):
        print(f"{kind:<32}{n:>8}")
    skipped = sum(s["destinationStats"]["rejectedRecordCount"] for s in states)
    print(f"stored by the simulator: {written['events']} events, {written['profiles']} profiles; "
          f"skipped or rejected (destinationStats): {skipped:.0f}")
    for m in out:
        if m["type"] == "LOG" and m["log"]["message"].startswith(("State 4", "Klaviyo requests")):
            print("  " + m["log"]["message"])
    print(f"messages: {os.path.join(out_dir, 'destination_messages.jsonl')}")
    return p.returncode
