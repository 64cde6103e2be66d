#!/usr/bin/python3
"""Validates klaviyo-sim responses against Klaviyo's OpenAPI spec (stable.json, 2026-07-15).

Starts the simulator, fetches a sample page of every served resource (plus single-object GETs,
accounts, and the two reports) and validates each body against the operation's 200 response
schema. OpenAPI 3.0 -> JSON Schema conversion: `nullable: true` allows null; `oneOf` is checked as
`anyOf` (several of Klaviyo's oneOf branches overlap, so strict oneOf rejects valid payloads);
`links.next`/`links.prev` may be null (Klaviyo sends null although the spec types them string).

The write endpoints (event bulk create, profile import, profile bulk import jobs and their import
errors) are driven in order and each answer (2xx and error bodies: 400, 409, 413) is validated against
the schema of its status, as are the read endpoints' renderings of the records they wrote.

Also checks that the report statistics the simulator accepts are the spec's: sim/report_statistics.h
must equal what tools/gen_report_statistics.py generates from this spec, each report endpoint must
answer a request for every statistic of its enum, and an unknown statistic must be a 400.
"""
import argparse
import copy
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import jsonschema

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import gen_report_statistics  # noqa: E402

KEY = "pk_sim_full_access_key_0001"


def convert(node, comps, seen=()):
    """Inline $refs and translate OpenAPI 3.0 keywords."""
    if isinstance(node, list):
        return [convert(x, comps, seen) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].split("/")[-1]
        if name in seen:
            return {}
        out = convert(comps[name], comps, seen + (name,))
        extra = {k: v for k, v in node.items() if k != "$ref"}
        if extra.get("nullable"):
            out = {"anyOf": [out, {"type": "null"}]}
        return out
    out = {}
    for k, v in node.items():
        if k in ("example", "examples", "description", "writeOnly", "readOnly", "x-klaviyo-filters", "discriminator"):
            continue
        if k == "oneOf":
            out["anyOf"] = convert(v, comps, seen)
        elif k in ("properties",):
            out[k] = {pk: convert(pv, comps, seen) for pk, pv in v.items()}
        else:
            out[k] = convert(v, comps, seen)
    if out.pop("nullable", False):
        if "type" in out:
            t = out["type"]
            out["type"] = [t, "null"] if isinstance(t, str) else list(t) + ["null"]
            if "enum" in out:
                out["enum"] = list(out["enum"]) + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def links_nullable(schema):
    if isinstance(schema, dict):
        props = schema.get("properties", {})
        if "links" in props and isinstance(props["links"], dict):
            lp = props["links"].get("properties", {})
            for k in ("next", "prev"):
                if k in lp:
                    lp[k] = {"anyOf": [lp[k], {"type": "null"}]}
        for v in schema.values():
            links_nullable(v)
    elif isinstance(schema, list):
        for v in schema:
            links_nullable(v)


def response_schema(spec, path, method, status=200):
    op = spec["paths"][path][method]
    resp = op["responses"].get(str(status)) or op["responses"]["%dXX" % (status // 100)]
    if "$ref" in resp:
        resp = spec["components"]["responses"][resp["$ref"].split("/")[-1]]
    s = resp["content"]["application/vnd.api+json"]["schema"]
    out = convert(s, spec["components"]["schemas"])
    links_nullable(out)
    return out


class Sim:
    def __init__(self, binary):
        self.tmp = tempfile.mkdtemp()
        pf = os.path.join(self.tmp, "port")
        self.proc = subprocess.Popen([binary, "--port-file", pf, "--no-rate-limits", "--events", "3000", "--profiles", "400"],
                                     stdout=subprocess.DEVNULL)
        for _ in range(500):
            if os.path.exists(pf) and open(pf).read().strip():
                break
            time.sleep(0.02)
        self.url = "http://127.0.0.1:%s" % open(pf).read().strip()

    def call(self, path, body=None):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode() if body else None,
                                     method="POST" if body else "GET",
                                     headers={"Authorization": "Klaviyo-API-Key " + KEY, "revision": "2026-07-15",
                                              "Content-Type": "application/vnd.api+json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def admin(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return json.loads(r.read())

    def close(self):
        self.proc.kill()
        self.proc.wait()


def sample_cases(sim):
    """(spec path, method, URL, body) of a sample of every served endpoint, and a non-Internal metric."""
    t = lambda r: sim.admin("/__sim/truth?resource=" + r)["ids"]
    lid, sid, fid = t("lists")[0], t("segments")[0], t("flows")[0]
    cid, mid, eid = t("campaigns")[0], t("metrics")[0], t("events")[0]
    pid, aid = t("profiles")[0], t("flow_actions")[0]
    shopify = None
    for m in t("metrics"):
        st, doc = sim.call("/api/metrics/" + m)
        if doc["data"]["attributes"]["integration"]["category"] != "Internal":
            shopify = m
            break
    cases = [
        ("/api/accounts", "get", "/api/accounts", None),
        ("/api/metrics", "get", "/api/metrics?include=flow-triggers", None),
        ("/api/metrics/{id}", "get", "/api/metrics/" + mid, None),
        ("/api/profiles", "get", "/api/profiles?page[size]=50&additional-fields[profile]=subscriptions,predictive_analytics", None),
        ("/api/profiles/{id}", "get", "/api/profiles/" + pid + "?additional-fields[profile]=subscriptions", None),
        ("/api/events", "get", "/api/events?page[size]=300&include=metric,profile", None),
        ("/api/events/{id}", "get", "/api/events/" + eid + "?include=metric", None),
        ("/api/lists", "get", "/api/lists?include=tags,flow-triggers", None),
        ("/api/lists/{id}", "get", "/api/lists/" + lid + "?additional-fields[list]=profile_count&include=tags", None),
        ("/api/lists/{id}/profiles", "get", "/api/lists/" + lid + "/profiles?page[size]=100&additional-fields[profile]=subscriptions", None),
        ("/api/lists/{id}/relationships/profiles", "get", "/api/lists/" + lid + "/relationships/profiles", None),
        ("/api/segments", "get", "/api/segments?include=tags", None),
        ("/api/segments/{id}", "get", "/api/segments/" + sid, None),
        ("/api/segments/{id}/profiles", "get", "/api/segments/" + sid + "/profiles", None),
        ("/api/segments/{id}/relationships/profiles", "get", "/api/segments/" + sid + "/relationships/profiles", None),
        ("/api/tags", "get", "/api/tags?include=tag-group", None),
        ("/api/templates", "get", "/api/templates", None),
        ("/api/flows", "get", "/api/flows?include=flow-actions,tags", None),
        ("/api/flows", "get", "/api/flows?filter=equals(archived,true)", None),
        ("/api/flows/{id}", "get", "/api/flows/" + fid, None),
        ("/api/flows/{id}/flow-actions", "get", "/api/flows/" + fid + "/flow-actions", None),
        ("/api/flow-actions/{id}/flow-messages", "get", "/api/flow-actions/" + aid + "/flow-messages", None),
        ("/api/campaign-recipient-estimations/{id}", "get", "/api/campaign-recipient-estimations/" + cid, None),
        ("/api/campaigns/{id}", "get", "/api/campaigns/" + cid + "?include=campaign-messages,tags", None),
    ]
    for ch in ("email", "sms", "mobile_push"):
        cases.append(("/api/campaigns", "get", "/api/campaigns?filter=equals(messages.channel,'%s')&include=campaign-messages,tags" % ch, None))
        cases.append(("/api/campaigns", "get", "/api/campaigns?filter=and(equals(messages.channel,'%s'),equals(archived,true))" % ch, None))
        for c in t("campaigns&channel=" + ch)[:2]:
            cases.append(("/api/campaigns/{id}/campaign-messages", "get", "/api/campaigns/%s/campaign-messages?include=campaign,template" % c, None))
    for f in t("flows"):
        st, doc = sim.call("/api/flows/%s/flow-actions" % f)
        for act in doc.get("data", []):
            cases.append(("/api/flow-actions/{id}/flow-messages", "get", "/api/flow-actions/%s/flow-messages" % act["id"], None))
    cases.append(("/api/campaign-values-reports", "post", "/api/campaign-values-reports",
                  {"data": {"type": "campaign-values-report", "attributes": {
                      "statistics": ["opens", "open_rate", "conversion_value"], "timeframe": {"key": "last_365_days"},
                      "conversion_metric_id": shopify}}}))
    cases.append(("/api/flow-series-reports", "post", "/api/flow-series-reports",
                  {"data": {"type": "flow-series-report", "attributes": {
                      "statistics": ["opens", "click_rate"], "timeframe": {"key": "last_30_days"}, "interval": "daily",
                      "conversion_metric_id": shopify}}}))
    return cases, shopify


def bulk_events_body(entries):
    return {"data": {"type": "event-bulk-create-job", "attributes": {"events-bulk-create": {"data": entries}}}}


def bulk_entry(email, metric, unique_id, **event):
    attrs = {"metric": {"data": {"type": "metric", "attributes": {"name": metric}}},
             "properties": {"n": unique_id, "items": [{"sku": "A"}]}, "unique_id": unique_id}
    attrs.update(event)
    return {"type": "event-bulk-create", "attributes": {
        "profile": {"data": {"type": "profile", "attributes": {"email": email}}},
        "events": {"data": [{"type": "event", "attributes": attrs}]}}}


def write_cases(sim):
    """The write endpoints, in order (each step uses what the previous ones created), and the read
    endpoints on what they wrote: (spec path, method, URL, body, expected status) of every step."""
    out = []

    def step(path, method, url, body, status):
        st, doc = sim.call(url, body)
        out.append((path, method, url, body, status, st, doc))
        return doc

    bulk = "/api/event-bulk-create-jobs"
    step(bulk, "post", bulk, bulk_events_body([
        bulk_entry("writer@example.com", "Placed Order", "w-1", value=12.5, value_currency="USD"),
        bulk_entry("writer@example.com", "Written Metric", "w-2", time="2026-01-01T00:00:00Z")]), 202)
    step(bulk, "post", bulk, bulk_events_body([bulk_entry("not-an-email", "Placed Order", "w-3")]), 400)
    step(bulk, "post", bulk, bulk_events_body([bulk_entry("a@example.com", "M", "dup"), bulk_entry("a@example.com", "M", "dup")]), 400)
    step(bulk, "post", bulk, bulk_events_body([bulk_entry("a@example.com", "M", "x" * (5 * 1024 * 1024))]), 413)
    written = sim.admin("/__sim/written?resource=events")["items"]
    eid, pid = written[-1]["id"], written[-1]["profile_id"]
    step("/api/events/{id}", "get", "/api/events/%s?include=metric,profile" % eid, None, 200)
    step("/api/events", "get", "/api/events?filter=equals(profile_id,\"%s\")&include=metric,profile" % pid, None, 200)
    mid = sim.call("/api/events/" + eid)[1]["data"]["relationships"]["metric"]["data"]["id"]
    step("/api/metrics/{id}", "get", "/api/metrics/" + mid, None, 200)
    step("/api/metrics", "get", "/api/metrics", None, 200)
    step("/api/profiles/{id}", "get", "/api/profiles/%s?additional-fields[profile]=subscriptions,predictive_analytics" % pid,
         None, 200)
    imp = "/api/profile-import"
    person = {"email": "importer@example.com", "first_name": "Ima", "location": {"city": "Boston", "zip": "02110"},
              "properties": {"plan": "gold"}}
    step(imp, "post", imp, {"data": {"type": "profile", "attributes": person}}, 201)
    step(imp, "post", imp, {"data": {"type": "profile", "attributes": dict(person, phone_number="+15005550006")}}, 200)
    step(imp, "post", imp, {"data": {"type": "profile", "attributes": {"external_id": "ext-w"}}}, 201)
    step(imp, "post", imp, {"data": {"type": "profile", "attributes": {"email": "importer@example.com", "external_id": "ext-w"}}}, 409)
    step(imp, "post", imp, {"data": {"type": "profile", "attributes": {"phone_number": "12"}}}, 400)
    step("/api/profiles", "get", "/api/profiles?filter=equals(email,'importer@example.com')"
         "&additional-fields[profile]=subscriptions,predictive_analytics", None, 200)
    jobs = "/api/profile-bulk-import-jobs"
    profiles = [{"type": "profile", "attributes": {"email": "bulk%d@example.com" % i, "last_name": "B"}} for i in range(5)]
    profiles.append({"type": "profile", "attributes": {"email": "importer@example.com", "external_id": "ext-w"}})
    job = step(jobs, "post", jobs, {"data": {"type": "profile-bulk-import-job", "attributes": {"profiles": {"data": profiles}}}}, 202)
    step(jobs, "post", jobs, {"data": {"type": "profile-bulk-import-job", "attributes": {"profiles": {"data": [
        {"type": "profile", "attributes": {"phone_number": "0"}}]}}}}, 400)
    jid = job.get("data", {}).get("id", "missing")
    for _ in range(3):  # queued -> processing -> complete
        step(jobs + "/{job_id}", "get", "%s/%s" % (jobs, jid), None, 200)
    step(jobs + "/{id}/import-errors", "get", "%s/%s/import-errors?page[size]=1" % (jobs, jid), None, 200)
    return out


def check_write_cases(sim, spec):
    """Validates every write_cases step: the status, and the body against the spec's schema for that
    status (202 of event-bulk-create-jobs: no body). Returns (checked, failures)."""
    failures = 0
    steps = write_cases(sim)
    for path, method, url, body, want, st, doc in steps:
        if st != want:
            failures += 1
            print("FAIL %s %s -> HTTP %s, expected %s: %s" % (method.upper(), url[:100], st, want, json.dumps(doc)[:300]))
            continue
        if path == "/api/event-bulk-create-jobs" and st == 202:
            if doc is not None:
                failures += 1
                print("FAIL %s -> 202 with a body" % url)
            continue
        schema = response_schema(spec, path, method, st)
        errs = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
        if errs:
            failures += 1
            print("FAIL %s %s (%s): %d schema errors" % (method.upper(), url[:100], st, len(errs)))
            for e in errs[:5]:
                print("   at %s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300]))
    job = [d for p, m, u, b, w, st, d in steps if st == 200 and p.endswith("{job_id}")]
    statuses = [d["data"]["attributes"]["status"] for d in job]
    if statuses != ["processing", "complete", "complete"]:
        failures += 1
        print("FAIL bulk import job statuses %s" % statuses)
    return len(steps), failures


def check_statistics_header(spec):
    """sim/report_statistics.h as generated from this spec; returns the number of failures (0 or 1)."""
    header = gen_report_statistics.HEADER
    if header.read_text(encoding="utf-8") == gen_report_statistics.render(spec):
        return 0
    print("FAIL %s differs from the statistics enums of the spec; regenerate it with"
          " /usr/bin/python3 sim/tools/gen_report_statistics.py" % header.name)
    return 1


def report_body(kind, statistics, metric):
    attrs = {"statistics": statistics, "timeframe": {"key": "last_30_days"}, "conversion_metric_id": metric}
    if kind == "flow-series-report":
        attrs["interval"] = "weekly"
    return {"data": {"type": kind, "attributes": attrs}}


def report_statistics_cases(sim, spec, metric):
    """Every statistic of each report's enum in one request (schema-checked with the other cases);
    an unknown statistic must be a 400. Returns (cases, failures)."""
    cases, failures = [], 0
    for path, kind in (("/api/campaign-values-reports", "campaign-values-report"),
                       ("/api/flow-series-reports", "flow-series-report")):
        _, names = gen_report_statistics.statistics_enum(spec, path)
        cases.append((path, "post", path, report_body(kind, names, metric)))
        st, doc = sim.call(path, report_body(kind, names, metric))
        results = doc.get("data", {}).get("attributes", {}).get("results", []) if st == 200 else []
        if not results or any(sorted(r["statistics"]) != sorted(names) for r in results):
            failures += 1
            print("FAIL %s with all %d statistics of the spec -> HTTP %s, %d results"
                  % (path, len(names), st, len(results)))
        st, doc = sim.call(path, report_body(kind, ["opens", "not_a_statistic"], metric))
        if st != 400 or doc["errors"][0]["source"].get("pointer") != "/data/attributes/statistics":
            failures += 1
            print("FAIL %s with an unknown statistic -> HTTP %s %s" % (path, st, json.dumps(doc)[:300]))
    return cases, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim", required=True)
    ap.add_argument("--spec", required=True)
    a = ap.parse_args()
    opener = gzip.open if a.spec.endswith(".gz") else open
    with opener(a.spec, "rt", encoding="utf-8") as f:
        spec = json.load(f)
    failures = check_statistics_header(spec)
    sim = Sim(a.sim)
    checked = 0
    try:
        cases, shopify = sample_cases(sim)
        more, failed = report_statistics_cases(sim, spec, shopify)
        cases += more
        failures += failed
        schemas = {}
        for path, method, url, body in cases:
            key = (path, method)
            if key not in schemas:
                schemas[key] = response_schema(spec, path, method)
            st, doc = sim.call(url, body)
            checked += 1
            if st != 200:
                failures += 1
                print("FAIL %s -> HTTP %s %s" % (url, st, json.dumps(doc)[:300]))
                continue
            errs = sorted(jsonschema.Draft202012Validator(schemas[key]).iter_errors(doc), key=lambda e: list(e.path))
            if errs:
                failures += 1
                print("FAIL %s: %d schema errors" % (url, len(errs)))
                for e in errs[:5]:
                    print("   at %s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:300]))
        n, failed = check_write_cases(sim, spec)
        checked += n
        failures += failed
    finally:
        sim.close()
    print("validated %d responses, %d failures" % (checked, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
