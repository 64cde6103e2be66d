"""Start/stop the Klaviyo simulator (klaviyo-sim) from Python tests; standard library only.

    with Simulator("--events", "5000", "--time-scale", "0.01") as sim:
        sim.url            # http://127.0.0.1:PORT
        sim.truth("events")  # every id the API serves
        sim.written("events")  # what the write endpoints stored
"""
import json
import os
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

FULL_KEY = "pk_sim_full_access_key_0001"
REVISION = "2026-07-15"


# base URL -> the SK_RATE_WINDOW_SCALE a connector run against that simulator uses (connector.run).
CONNECTOR_SCALES = {}


class Simulator:
    def __init__(self, *args, build_dir=None, timeout=10.0):
        self.args = [str(a) for a in args]
        self.build_dir = build_dir or os.environ.get("SK_BUILD_DIR") or os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
        self.binary = os.path.join(self.build_dir, "klaviyo-sim")
        self.timeout = timeout
        self.proc = None
        self.port = None
        self.url = None
        self._tmp = None

    def connector_scale(self):
        """The SK_RATE_WINDOW_SCALE that matches this simulator: its --time-scale, or 0.001 when it
        enforces no limits (the connector's own pacing need not take real minutes then)."""
        if "--no-rate-limits" in self.args:
            return "0.001"
        if "--time-scale" in self.args:
            return self.args[self.args.index("--time-scale") + 1]
        return None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self):
        self._tmp = tempfile.mkdtemp(prefix="klaviyo-sim-")
        port_file = os.path.join(self._tmp, "port")
        self._log = open(os.path.join(self._tmp, "sim.log"), "w")
        self.proc = subprocess.Popen([self.binary, "--port", "0", "--port-file", port_file] + self.args,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("klaviyo-sim exited with %s; log: %s" % (self.proc.returncode, self.log_text()))
            if os.path.exists(port_file):
                with open(port_file) as f:
                    txt = f.read().strip()
                if txt:
                    self.port = int(txt)
                    self.url = "http://127.0.0.1:%d" % self.port
                    if self.connector_scale():
                        CONNECTOR_SCALES[self.url] = self.connector_scale()
                    return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("klaviyo-sim did not write its port file within %ss" % self.timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def log_text(self):
        try:
            with open(os.path.join(self._tmp, "sim.log")) as f:
                return f.read()
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # --- admin API -------------------------------------------------------------------------
    def _admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read().decode())

    def requests(self):
        return self._admin("GET", "/__sim/requests")["requests"]

    def clear_requests(self):
        return self._admin("DELETE", "/__sim/requests")

    def truth(self, resource, **params):
        q = urllib.parse.urlencode(dict(resource=resource, **{k: str(v).lower() if isinstance(v, bool) else v
                                                               for k, v in params.items()}))
        return self._admin("GET", "/__sim/truth?" + q)["ids"]

    def written(self, resource="events", **params):
        """What the write endpoints stored (GET /__sim/written): {"resource", "count", "items", ...};
        params: offset, limit."""
        q = urllib.parse.urlencode(dict(resource=resource, **params))
        return self._admin("GET", "/__sim/written?" + q)

    def mutate(self, **kw):
        return self._admin("POST", "/__sim/mutate", kw)

    def config(self, **kw):
        return self._admin("POST", "/__sim/config", kw)

    def stats(self):
        return self._admin("GET", "/__sim/stats")

    # --- convenience: an authenticated API GET ---------------------------------------------
    def get(self, path_or_url, key=FULL_KEY, revision=REVISION):
        url = path_or_url if path_or_url.startswith("http") else self.url + path_or_url
        req = urllib.request.Request(url, headers={"Authorization": "Klaviyo-API-Key " + key, "revision": revision})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read().decode())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode() or "null")
