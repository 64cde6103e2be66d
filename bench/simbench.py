"""Helpers shared by the benchmarks: start the simulator, write config and catalog, run the connector."""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("SK_BUILD_DIR", os.path.join(ROOT, "build"))
KEY = "pk_sim_full_access_key_0001"
CONNECTOR = os.path.join(BUILD, "source-klaviyo")


class Sim:
    def __init__(self, args):
        port_file = tempfile.mktemp(prefix="sk-bench-port-")
        self.proc = subprocess.Popen([os.path.join(BUILD, "klaviyo-sim"), "--port", "0", "--port-file", port_file]
                                     + [str(a) for a in args], stdout=subprocess.DEVNULL)
        for _ in range(2400):
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.url = "http://127.0.0.1:" + open(port_file).read().strip()
                return
            time.sleep(0.05)
        self.proc.kill()
        sys.exit("bench: simulator did not start")

    def get(self, path):
        with urllib.request.urlopen(self.url + path) as r:
            return json.loads(r.read())

    def stats(self):
        return self.get("/__sim/stats")

    def truth(self, resource):
        return self.get("/__sim/truth?resource=" + resource)["ids"]

    def close(self):
        self.proc.terminate()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def files(streams, **config):
    """config.json and a full-refresh catalog of `streams` in a fresh temp dir."""
    tmp = tempfile.mkdtemp(prefix="sk-bench-")
    cfg = os.path.join(tmp, "config.json")
    json.dump(dict({"api_key": KEY}, **config), open(cfg, "w"))
    disc = subprocess.run([CONNECTOR, "discover", "--config", cfg], capture_output=True, text=True, check=True,
                          env=dict(os.environ, KLAVIYO_BASE_URL="http://127.0.0.1:9"))
    all_streams = json.loads(disc.stdout.splitlines()[0])["catalog"]["streams"]
    cat = os.path.join(tmp, "catalog.json")
    json.dump({"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "append"}
                           for s in all_streams if s["name"] in streams]}, open(cat, "w"))
    return cfg, cat


def count_records(stream):
    """RECORD lines on `stream`, counted in 1 MiB chunks at C speed so that the reader takes little
    CPU from the two cores the connector and the simulator share (a Python loop per line took about
    a second per million lines and perturbed the connector's own figures)."""
    prefix = b'\n{"type":"RECORD"'
    records, tail = 0, b"\n"  # the first line starts after an implied newline
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            return records
        data = tail + chunk
        records += data.count(prefix)
        tail = data[-(len(prefix) - 1):]  # a prefix cut by the chunk boundary is counted next time


def read_connector(cfg, cat, env):
    """Runs `read` to the end: (records, the connector's own rusage, exit code). wait4 gives this
    child's own CPU and peak RSS (RUSAGE_CHILDREN would mix in the simulator)."""
    proc = subprocess.Popen([CONNECTOR, "read", "--config", cfg, "--catalog", cat], env=env, stdout=subprocess.PIPE)
    records = count_records(proc.stdout)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return records, usage, proc.returncode
