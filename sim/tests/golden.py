#!/usr/bin/python3
"""Response-equivalence check for klaviyo-sim (fixed seed/anchor).

  golden.py capture --sim BIN --out FILE.json   # every response (parsed, port normalised)
  golden.py compare --sim BIN --golden FILE.json  # re-fetch and compare parsed JSON
  golden.py digest  --sim BIN [--expect FILE]   # sha256 of every canonical response (test mode)

The ctest `sim_golden` runs `digest --expect tests/golden.sha256`; that digest was taken from the
simulator before its streaming renderers replaced the nlohmann DOM ones, so it pins the response
bytes' JSON meaning. After an intentional output change, regenerate it with
`golden.py digest --sim build/klaviyo-sim | cut -d= -f3 > sim/tests/golden.sha256` (and to see what
changed: `capture` with the old binary, then `compare` with the new one).

The URL set covers every endpoint (events with include/fields/filters/sorts, profiles with
additional-fields, lists/segments and their memberships, campaigns on all channels, campaign
messages, flows, flow actions/messages, templates, tags, metrics, accounts, both reports with an
explicit timeframe, and a few 400s) and follows links.next (and some links.prev) through every page
of several collections. Error ids (a process-wide counter) are blanked; `links` hosts are normalised.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

KEY = "pk_sim_full_access_key_0001"
ARGS = ["--seed", "7", "--anchor", "2026-01-01", "--events", "5000", "--profiles", "500", "--no-rate-limits"]
if os.environ.get("SIM_GOLDEN_ARGS"):  # other datasets for one-off comparisons (the digest pins ARGS)
    ARGS = os.environ["SIM_GOLDEN_ARGS"].split() + ["--no-rate-limits"]


class Sim:
    def __init__(self, binary):
        self.tmp = tempfile.mkdtemp()
        pf = os.path.join(self.tmp, "port")
        self.proc = subprocess.Popen([binary, "--port-file", pf] + ARGS, stdout=subprocess.DEVNULL)
        for _ in range(1000):
            if os.path.exists(pf) and open(pf).read().strip():
                break
            time.sleep(0.02)
        self.port = open(pf).read().strip()
        self.url = "http://127.0.0.1:%s" % self.port

    def call(self, path, body=None):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode() if body is not None else None,
                                     method="POST" if body is not None else "GET",
                                     headers={"Authorization": "Klaviyo-API-Key " + KEY, "revision": "2026-07-15",
                                              "Content-Type": "application/vnd.api+json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def admin(self, path):
        with urllib.request.urlopen(self.url + path, timeout=60) as r:
            return json.loads(r.read())

    def close(self):
        self.proc.kill()
        self.proc.wait()


def normalise_text(sim, raw):
    text = raw.decode()
    text = text.replace("http://127.0.0.1:%s" % sim.port, "http://HOST")
    if text.startswith('{"errors"'):
        text = re.sub(r'"id":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"', '"id":"ERR"', text)
    return text


def parse(text):
    doc = json.loads(text)
    if isinstance(doc, dict) and isinstance(doc.get("errors"), list):
        for e in doc["errors"]:
            if isinstance(e, dict) and "id" in e:
                e["id"] = "ERR"
    return doc


def rel(url):
    """Absolute link -> path+query as sent."""
    return url[len("http://HOST"):] if url.startswith("http://HOST") else url


def q(s):
    return urllib.parse.quote(s, safe="")


class Recorder:
    """Sends requests and records [label, status, normalised text] for each, in order."""

    def __init__(self, sim):
        self.sim = sim
        self.out = []

    def get(self, path, body=None, label=None):
        st, raw = self.sim.call(path, body)
        text = normalise_text(self.sim, raw)
        self.out.append([label or path, st, text])
        return st, parse(text)

    def walk(self, path, prev_back=0):
        """Follows links.next to the end; then links.prev `prev_back` steps."""
        st, doc = self.get(path)
        n = 0
        while st == 200 and isinstance(doc.get("links", {}).get("next"), str):
            st, doc = self.get(rel(doc["links"]["next"]))
            n += 1
            assert n < 10000
        for _ in range(prev_back):
            if st != 200 or not isinstance(doc.get("links", {}).get("prev"), str):
                break
            st, doc = self.get(rel(doc["links"]["prev"]))

    def truth(self, resource):
        return self.sim.admin("/__sim/truth?resource=" + resource)["ids"]


def catalog_requests(r, ids):
    """Accounts and metrics."""
    metrics = ids["metrics"]
    r.get("/api/accounts")
    r.get("/api/accounts?fields[account]=timezone,contact_information.street_address.city")
    r.get("/api/metrics")
    r.get("/api/metrics?include=flow-triggers")
    r.get("/api/metrics?filter=equals(integration.category,'Internal')")
    r.get("/api/metrics?fields[metric]=name,integration.name")
    for m in metrics[:4]:
        r.get("/api/metrics/%s?include=flow-triggers" % m)


def events_requests(r, ids):
    """Events."""
    metrics, events, profiles = ids["metrics"], ids["events"], ids["profiles"]
    r.walk("/api/events?page%5Bsize%5D=1000", prev_back=3)
    r.walk("/api/events")  # default page size 200, 25 pages
    r.walk("/api/events?page[size]=1000&sort=-datetime", prev_back=2)
    r.walk("/api/events?page[size]=700&sort=timestamp")
    r.walk("/api/events?page[size]=250&include=metric,profile", prev_back=2)
    r.walk("/api/events?page[size]=500&fields[event]=datetime,uuid,event_properties&fields[metric]=name&include=metric")
    r.walk("/api/events?page[size]=300&fields[event]=timestamp&fields[profile]=email,location.city&include=profile,attributions")
    st, first = r.get("/api/events?page[size]=1&sort=datetime")
    st, last = r.get("/api/events?page[size]=1&sort=-datetime")
    t0 = first["data"][0]["attributes"]["datetime"]
    t1 = last["data"][0]["attributes"]["datetime"]
    st, mid = r.get("/api/events?page[size]=1000&sort=datetime&fields[event]=datetime,timestamp")
    dts = [d["attributes"]["datetime"] for d in mid["data"]]
    tss = [d["attributes"]["timestamp"] for d in mid["data"]]
    x = dts[400]
    y = dts[950]
    for f in ["greater-or-equal(datetime,%s)" % x, "greater-than(datetime,%s)" % x, "less-than(datetime,%s)" % y,
              "less-or-equal(datetime,%s)" % y, "and(greater-or-equal(datetime,%s),less-than(datetime,%s))" % (x, y),
              "greater-or-equal(datetime,%s),less-than(datetime,%s)" % (x, y),
              "greater-than(timestamp,%d)" % tss[300], "greater-or-equal(timestamp,%d)" % tss[300],
              "less-than(timestamp,%d)" % tss[900], "less-or-equal(timestamp,%d)" % tss[900],
              "greater-or-equal(timestamp,%s)" % (tss[100] + 0.5),
              "greater-or-equal(datetime,%s)" % t0, "less-than(datetime,%s)" % t0, "greater-than(datetime,%s)" % t1,
              "greater-or-equal(datetime,2020-01-01T00:00:00Z)", "less-than(datetime,2026-06-01T00:00:00Z)",
              "equals(metric_id,'%s')" % metrics[0], "equals(profile_id,'%s')" % profiles[3], "has(profile)", "has(metric)",
              "and(equals(metric_id,'%s'),greater-or-equal(datetime,%s))" % (metrics[1], x)]:
        r.walk("/api/events?page[size]=200&filter=" + q(f), prev_back=1)
        r.get("/api/events?page[size]=150&sort=-datetime&filter=" + q(f))
    for e in events[:3] + events[-2:]:
        r.get("/api/events/%s?include=metric,profile" % e)
        r.get("/api/events/%s" % e)
    r.get("/api/events/%s?fields[event]=datetime&include=profile&fields[profile]=email" % events[7])


def profiles_requests(r, ids):
    """Profiles."""
    lists, profiles = ids["lists"], ids["profiles"]
    r.walk("/api/profiles?page[size]=100", prev_back=2)
    r.walk("/api/profiles?page[size]=100&additional-fields[profile]=subscriptions,predictive_analytics", prev_back=1)
    r.walk("/api/profiles?additional-fields[profile]=subscriptions")
    r.walk("/api/profiles?page[size]=100&additional-fields[profile]=predictive_analytics&sort=-created")
    r.walk("/api/profiles?page[size]=50&sort=updated")
    r.walk("/api/profiles?page[size]=50&sort=email", prev_back=2)
    r.walk("/api/profiles?page[size]=50&sort=-email")
    r.walk("/api/profiles?page[size]=50&sort=subscriptions.email.marketing.suppression.timestamp")
    r.walk("/api/profiles?page[size]=50&sort=-subscriptions.email.marketing.list_suppressions.timestamp")
    r.walk("/api/profiles?page[size]=100&fields[profile]=email,location.city,subscriptions.email.marketing.consent"
         "&additional-fields[profile]=subscriptions&include=push-tokens")
    st, pg = r.get("/api/profiles?page[size]=100&sort=updated&fields[profile]=updated,created,email")
    upd = pg["data"][50]["attributes"]["updated"]
    cre = pg["data"][20]["attributes"]["created"]
    email = next(d["attributes"]["email"] for d in pg["data"] if d["attributes"]["email"])
    for f in ["greater-than(updated,%s)" % upd, "less-than(updated,%s)" % upd, "greater-than(created,%s)" % cre,
              "equals(email,'%s')" % email, "any(email,['%s','nobody@example.com'])" % email,
              "any(id,['%s','%s'])" % (profiles[1], profiles[2]), "equals(id,'%s')" % profiles[5],
              "equals(subscriptions.email.marketing.suppression.reason,'HARD_BOUNCE')",
              "greater-than(subscriptions.email.marketing.suppression.timestamp,2020-01-01T00:00:00Z)",
              "equals(subscriptions.email.marketing.list_suppressions.list_id,'%s')" % lists[0],
              "equals(_kx,'abc')", "equals(phone_number,'+15555555555')", "equals(external_id,'ext-100001')"]:
        r.walk("/api/profiles?page[size]=20&filter=" + q(f))
    for p in profiles[:3]:
        r.get("/api/profiles/%s?include=lists,segments&additional-fields[profile]=subscriptions,predictive_analytics" % p)
        r.get("/api/profiles/%s" % p)


def groups_requests(r, ids):
    """Lists / segments / memberships."""
    lists, segs = ids["lists"], ids["segs"]
    r.walk("/api/lists", prev_back=1)
    r.walk("/api/lists?include=tags,flow-triggers&sort=-name")
    r.walk("/api/segments?include=tags,flow-triggers")
    r.walk("/api/segments?filter=equals(is_active,true)&sort=updated")
    r.get("/api/lists?filter=" + q("greater-than(created,2023-01-01T00:00:00Z)"))
    for l in lists[:3]:
        r.get("/api/lists/%s?additional-fields[list]=profile_count&include=tags,flow-triggers" % l)
        r.walk("/api/lists/%s/profiles?page[size]=100&additional-fields[profile]=subscriptions,predictive_analytics" % l, prev_back=1)
        r.walk("/api/lists/%s/profiles?page[size]=30&sort=-joined_group_at" % l)
        r.walk("/api/lists/%s/relationships/profiles?page[size]=100" % l, prev_back=1)
        r.walk("/api/lists/%s/relationships/profiles" % l)
    for s in segs[:3]:
        r.get("/api/segments/%s?additional-fields[segment]=profile_count&include=tags" % s)
        r.walk("/api/segments/%s/profiles?page[size]=100" % s)
        r.walk("/api/segments/%s/relationships/profiles?page[size]=100&sort=-joined_group_at" % s)
    st, mp = r.get("/api/lists/%s/profiles?page[size]=100&fields[profile]=joined_group_at,email" % lists[0])
    if mp.get("data"):
        j = mp["data"][len(mp["data"]) // 2]["attributes"]["joined_group_at"]
        for f in ["greater-than(joined_group_at,%s)" % j, "less-or-equal(joined_group_at,%s)" % j]:
            r.walk("/api/lists/%s/profiles?page[size]=25&filter=%s" % (lists[0], q(f)))
            r.walk("/api/lists/%s/relationships/profiles?page[size]=25&filter=%s" % (lists[0], q(f)))
        em = next((d["attributes"]["email"] for d in mp["data"] if d["attributes"].get("email")), None)
        if em:
            r.get("/api/lists/%s/profiles?filter=%s" % (lists[0], q("equals(email,'%s')" % em)))
    st, sp = r.get("/api/segments/%s/relationships/profiles?page[size]=5" % segs[0])
    if sp.get("data"):
        r.get("/api/segments/%s/profiles?filter=%s" % (segs[0], q("equals(profile_id,'%s')" % sp["data"][0]["id"])))


def campaigns_requests(r, ids):
    """Campaigns."""
    camps = ids["camps"]
    for ch in ("email", "sms", "mobile_push"):
        r.walk("/api/campaigns?filter=%s&include=campaign-messages,tags" % q("equals(messages.channel,'%s')" % ch))
        r.walk("/api/campaigns?filter=%s" % q("and(equals(messages.channel,'%s'),equals(archived,true))" % ch))
        r.walk("/api/campaigns?filter=%s&sort=-scheduled_at" % q("equals(messages.channel,'%s')" % ch))
        r.walk("/api/campaigns?filter=%s&sort=name" % q("equals(messages.channel,'%s'),any(status,['Sent','Draft'])" % ch))
        r.walk("/api/campaigns?filter=%s&sort=updated_at" % q(
            "equals(messages.channel,'%s'),greater-than(updated_at,2024-06-01T00:00:00Z)" % ch))
        for cid in r.truth("campaigns&channel=" + ch)[:2]:
            r.get("/api/campaigns/%s/campaign-messages?include=campaign,template" % cid)
            r.get("/api/campaigns/%s/campaign-messages" % cid)
    for cid in camps[:4]:
        r.get("/api/campaigns/%s?include=campaign-messages,tags" % cid)
        r.get("/api/campaign-recipient-estimations/%s" % cid)
    r.get("/api/campaigns")  # 400: channel filter required


def flows_requests(r, ids):
    """Flows."""
    flows, acts = ids["flows"], ids["acts"]
    r.walk("/api/flows?include=flow-actions,tags")
    r.walk("/api/flows?filter=equals(archived,true)")
    r.walk("/api/flows?sort=-updated&filter=" + q("equals(status,'live')"))
    r.walk("/api/flows?sort=name&filter=" + q("contains(name,'Cart')"))
    for f in flows:
        r.get("/api/flows/%s?include=flow-actions,tags&additional-fields[flow]=definition" % f)
        r.walk("/api/flows/%s/flow-actions" % f)
        r.walk("/api/flows/%s/flow-actions?sort=-created&filter=%s" % (f, q("equals(action_type,'SEND_EMAIL')")))
    for a in acts:
        r.get("/api/flow-actions/%s/flow-messages" % a)


def content_requests(r, ids):
    """Templates, tags."""
    r.walk("/api/templates", prev_back=2)
    r.walk("/api/templates?additional-fields[template]=definition&sort=-name")
    r.walk("/api/templates?filter=" + q("contains(name,'1')"))
    r.walk("/api/tags?include=tag-group")
    r.walk("/api/tags?sort=-name&filter=" + q("starts-with(name,'S')"))


def reports_requests(r, ids):
    """Reports (explicit timeframe: independent of the clock)."""
    metrics = ids["metrics"]
    tf = {"start": "2025-01-01T00:00:00+00:00", "end": "2025-12-31T00:00:00+00:00"}
    r.get("/api/campaign-values-reports", {"data": {"type": "campaign-values-report", "attributes": {
        "statistics": ["opens", "open_rate", "conversion_value", "recipients"], "timeframe": tf,
        "conversion_metric_id": metrics[0]}}}, label="POST campaign-values-reports")
    r.get("/api/flow-series-reports", {"data": {"type": "flow-series-report", "attributes": {
        "statistics": ["opens", "click_rate"], "timeframe": {"start": "2025-11-01T00:00:00+00:00",
                                                             "end": "2025-12-01T00:00:00+00:00"},
        "interval": "daily", "conversion_metric_id": metrics[0]}}}, label="POST flow-series-reports")
    r.get("/api/flow-series-reports", {"data": {"type": "flow-series-report", "attributes": {
        "statistics": ["opens"], "timeframe": tf, "interval": "weekly", "conversion_metric_id": metrics[0],
        "group_by": ["flow_id", "flow_message_id", "send_channel"]}}}, label="POST flow-series-reports weekly")


def errors_requests(r, ids):
    """Errors."""
    for u in ["/api/events?page[size]=1001", "/api/events?page[size]=0", "/api/events?sort=foo",
              "/api/events?filter=" + q("equals(datetime,2024-01-01T00:00:00Z)"),
              "/api/events?filter=" + q("greater-than(datetime,2099-01-01T00:00:00Z)"),
              "/api/events?page[cursor]=bogus", "/api/events?include=nope",
              "/api/profiles?page[size]=101", "/api/profiles?additional-fields[profile]=nope",
              "/api/profiles?additional-fields[event]=x", "/api/events/NOPE", "/api/profiles/NOPE",
              "/api/lists/NOPE/profiles", "/api/nothing"]:
        r.get(u)


def run(sim):
    """Returns an ordered list of [label, status, doc]."""
    r = Recorder(sim)
    ids = {name: r.truth(resource) for name, resource in (
        ("lists", "lists"), ("segs", "segments"), ("flows", "flows"), ("camps", "campaigns"), ("metrics", "metrics"),
        ("events", "events"), ("profiles", "profiles"), ("acts", "flow_actions"))}
    for section in (catalog_requests, events_requests, profiles_requests, groups_requests, campaigns_requests,
                    flows_requests, content_requests, reports_requests, errors_requests):
        section(r, ids)
    return r.out


def canon(doc):
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["capture", "compare", "digest"])
    ap.add_argument("--sim", required=True)
    ap.add_argument("--out")
    ap.add_argument("--golden")
    ap.add_argument("--expect")
    a = ap.parse_args()
    sim = Sim(a.sim)
    try:
        res = run(sim)
    finally:
        sim.close()
    if a.mode == "capture":
        json.dump(res, open(a.out, "w"))
        print("captured %d responses" % len(res))
        return 0
    if a.mode == "digest":
        h = hashlib.sha256()
        for label, st, text in res:
            h.update(("%s|%d|%s\n" % (label, st, canon(parse(text)))).encode())
        d = h.hexdigest()
        print("responses=%d digest=%s" % (len(res), d))
        if a.expect:
            want = open(a.expect).read().split()[0]
            if want != d:
                print("MISMATCH: expected %s" % want)
                return 1
        return 0
    gold = json.load(open(a.golden))
    bad = 0
    same_bytes = 0
    if len(gold) != len(res):
        print("response count differs: golden %d, now %d" % (len(gold), len(res)))
        bad += 1
    for (gl, gs, gt), (nl, ns, nt) in zip(gold, res):
        same_bytes += gt == nt
        gd, nd = parse(gt), parse(nt)
        if gl != nl or gs != ns or gd != nd or canon(gd) != canon(nd):
            bad += 1
            if bad <= 10:
                print("DIFF %s (%s) vs %s (%s)" % (gl, gs, nl, ns))
                if canon(gd) != canon(nd):
                    a1, b1 = canon(gd), canon(nd)
                    k = next((i for i in range(min(len(a1), len(b1))) if a1[i] != b1[i]), min(len(a1), len(b1)))
                    print("   golden: ...%s" % a1[max(0, k - 150):k + 150])
                    print("   now   : ...%s" % b1[max(0, k - 150):k + 150])
    print("compared %d responses, %d differ as JSON (parsed + canonical text); %d byte-identical bodies"
          % (len(res), bad, same_bytes))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
