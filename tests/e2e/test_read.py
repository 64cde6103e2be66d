"""read, full refresh: every stream returns exactly the simulator's truth, records are well formed,
stream statuses and states follow the protocol, and the requests sent are the ones Klaviyo expects."""

import math
from collections import Counter
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from conftest import (event_windows, ALL_STREAMS, CURSOR, INCREMENTAL_STREAMS, STREAM_PATH, TRUTH_STREAMS, config,
                      expected_keys, iso, page_cap, record_keys, requests_for, truth_ids)
from connector import clause_value, configured_catalog, filter_clauses, parse_dt, record_validator, run

expected_ids = expected_keys


@pytest.fixture(scope="module")
def full(sim, discovered):
    sim.clear_requests()
    started = datetime.now(timezone.utc).replace(microsecond=0)
    r = run("read", config=config(), catalog=configured_catalog(discovered, mode="full_refresh"), base_url=sim.url)
    return SimpleNamespace(r=r, started=started, reqs=sim.requests())


def test_exit_0_without_errors(full):
    assert full.r.rc == 0, full.r.stdout[-3000:] + full.r.stderr
    assert full.r.errors() == []


@pytest.mark.parametrize("stream", TRUTH_STREAMS)
def test_ids_equal_truth_without_duplicates(sim, full, stream):
    ids = record_keys(full.r, stream)
    dups = [i for i, n in Counter(ids).items() if n > 1]
    assert not dups, f"{stream}: duplicate ids in one full refresh: {dups[:5]}"
    want = expected_ids(sim, stream, full.started)
    got = set(ids)
    assert want, f"{stream}: the dataset has no {stream}; the test would prove nothing"
    assert got == want, f"{stream}: missing {sorted(want - got)[:5]} ({len(want - got)}), extra {sorted(got - want)[:5]}"


def _suppressed(d):
    m = (((d.get("attributes") or {}).get("subscriptions") or {}).get("email") or {}).get("marketing") or {}
    return m.get("suppression") or m.get("suppressions")


def test_global_exclusions_are_the_suppressed_profiles(full):
    suppressed = {d["id"] for d in full.r.record_data("profiles") if _suppressed(d)}
    assert suppressed, "the dataset has no suppressed profile; the test would prove nothing"
    got = full.r.ids("global_exclusions")
    assert len(got) == len(set(got))
    assert set(got) == suppressed
    for d in full.r.record_data("global_exclusions"):
        m = d["attributes"]["subscriptions"]["email"]["marketing"]
        assert "suppression" not in m and m["suppressions"], d["id"]


def test_future_dated_events_are_not_read(sim, full):
    future = set(truth_ids(sim, "events", since=iso(full.started)))
    assert future, "the simulator should have a few future-dated events"
    assert not future & set(full.r.ids("events"))


@pytest.mark.parametrize("stream", INCREMENTAL_STREAMS)
def test_cursor_is_copied_to_top_level(full, stream):
    field = CURSOR[stream]
    for d in full.r.record_data(stream):
        assert field in d, (stream, d.get("id"))
        assert d[field] == d["attributes"][field], (stream, d["id"])
        assert d[field] is None or parse_dt(d[field])


@pytest.mark.parametrize("channel", ["email", "sms", "mobile_push"])
def test_campaigns_carry_their_channel(sim, full, channel):
    got = {d["id"] for d in full.r.record_data("campaigns") if d["attributes"].get("channel") == channel}
    assert got == set(sim.truth("campaigns", channel=channel))
    for archived in ("true", "false"):
        want = set(sim.truth("campaigns", channel=channel, archived=archived))
        assert want <= got


def test_every_campaign_has_a_channel(full):
    assert all(d["attributes"].get("channel") in ("email", "sms", "mobile_push")
               for d in full.r.record_data("campaigns"))


@pytest.mark.parametrize("stream", ALL_STREAMS)
def test_records_validate_against_discovered_schema(discovered, full, stream):
    schema = next(s["json_schema"] for s in discovered["streams"] if s["name"] == stream)
    v = record_validator(schema)
    bad = []
    for d in full.r.record_data(stream):
        errs = list(v.iter_errors(d))
        if errs:
            bad.append((d.get("id"), errs[0].message, list(errs[0].absolute_path)))
    assert not bad, f"{stream}: {len(bad)} records do not match the schema, e.g. {bad[:3]}"


def test_records_are_well_formed(full):
    for rec in full.r.records():
        assert isinstance(rec["emitted_at"], int)
        assert "namespace" not in rec
        assert isinstance(rec["data"].get("id"), str) and rec["data"]["id"], rec["stream"]


@pytest.mark.parametrize("stream", ALL_STREAMS)
def test_stream_status_sequence(full, stream):
    seq = full.r.statuses(stream)
    assert len(seq) >= 3, seq
    assert seq[0] == "STARTED" and seq[-1] == "COMPLETE", seq
    assert set(seq[1:-1]) == {"RUNNING"}, seq


def test_only_configured_streams_have_statuses(full):
    assert set(full.r.statuses()) == set(ALL_STREAMS)


@pytest.mark.parametrize("stream", ALL_STREAMS)
def test_states_count_the_records_they_cover(full, stream):
    since = 0
    counts = []
    for m in full.r.messages:
        if m["type"] == "RECORD" and m["record"]["stream"] == stream:
            since += 1
        elif m["type"] == "STATE":
            st = m["state"]
            assert st["type"] == "STREAM"
            assert "sourceStats" in st
            if st["stream"]["stream_descriptor"]["name"] != stream:
                continue
            assert st["sourceStats"]["recordCount"] == since, f"{stream}: recordCount {st['sourceStats']} != {since}"
            counts.append(st["sourceStats"]["recordCount"])
            since = 0
    assert counts, f"{stream}: no STATE message"
    assert since == 0, f"{stream}: {since} records after the last STATE"
    assert sum(counts) == len(full.r.records(stream))


@pytest.mark.parametrize("stream", ["events", "events_detailed"])
def test_last_state_of_full_refresh_holds_the_sync_start(full, stream):
    st = full.r.last_states()[stream]
    t = parse_dt(st["datetime"])
    assert full.started <= t <= datetime.now(timezone.utc)


def test_every_request_was_accepted(full):
    bad = [(q["path"], q["query"], q["status"]) for q in full.reqs if q["status"] != 200]
    assert not bad, bad[:5]


def test_page_sizes_never_exceed_caps(full):
    for q in full.reqs:
        cap = page_cap(q["path"])
        size = q["params"].get("page[size]")
        assert cap != "unknown", q["path"]
        if cap is None:
            assert size is None, f"{q['path']} takes no page[size]"
        elif size is not None:
            assert 1 <= int(size) <= cap, (q["path"], size)


# events and profiles are read in parallel time windows, each far below a page in this small account;
# the same pager serves every stream, so the streams below exercise links.next.
@pytest.mark.parametrize("stream,page", [("lists", 10),
                                         ("segments", 10), ("email_templates", 10)])
def test_links_next_followed_to_the_end(sim, full, stream, page):
    reqs = requests_for(full.reqs, STREAM_PATH[stream])
    n = len(full.r.ids(stream))
    assert n > page, f"dataset too small to need paging for {stream}"
    assert len(reqs) >= math.ceil(n / page)
    assert sum(1 for q in reqs if "page[cursor]" in q["params"]) >= math.ceil(n / page) - 1
    assert all(q["params"].get("page[size]") == str(page) for q in reqs), {q["params"].get("page[size]") for q in reqs}


def test_full_refresh_events_request_shape(full):
    # No start_date: one probe for the oldest event, then chained windows up to the sync start.
    probes, wins, ge, lt = event_windows(full.reqs)
    assert len(probes) == 1 and wins
    p = probes[0]["params"]
    assert p.get("sort") == "datetime" and ge(probes[0]) is None
    assert full.started <= lt(probes[0]) <= datetime.now(timezone.utc)
    for q in wins:
        assert q["params"].get("sort") == "datetime"
        assert q["params"].get("page[size]") == "1000"
        assert ge(q) is not None
    assert full.started <= lt(wins[-1]) <= datetime.now(timezone.utc)
    oldest = min(parse_dt(d["datetime"]) for d in full.r.record_data("events"))
    assert ge(wins[0]) <= oldest


def test_campaign_partitions_cover_every_channel_and_archived(full):
    seen = set()
    for q in requests_for(full.reqs, "/api/campaigns"):
        f = q["params"].get("filter", "")
        ch = clause_value(f, "equals", "messages.channel")
        ar = clause_value(f, "equals", "archived")
        assert ch is not None, f"/api/campaigns requires a channel filter: {f}"
        seen.add((ch.strip("'\""), ar))
    assert seen == {(c, a) for c in ("email", "sms", "mobile_push") for a in ("true", "false")}


# --- requests with a start_date ----------------------------------------------------------------

CORE = ["metrics", "lists", "segments", "email_templates", "flows", "campaigns", "profiles", "events"]
START = (datetime.now(timezone.utc) - timedelta(days=400)).replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def windowed(sim, discovered):
    sim.clear_requests()
    started = datetime.now(timezone.utc).replace(microsecond=0)
    # the top-level streams only: child streams list their parents without a filter
    r = run("read", config=config(start_date=iso(START)),
            catalog=configured_catalog(discovered, CORE, "full_refresh"), base_url=sim.url)
    assert r.rc == 0, r.stdout[-3000:]
    return SimpleNamespace(r=r, started=started, reqs=sim.requests())


def first_pages(reqs, path):
    return [q for q in requests_for(reqs, path) if "page[cursor]" not in q["params"]]


def test_events_filter_is_half_open_window_from_start_date(windowed):
    probes, wins, ge, lt = event_windows(windowed.reqs)
    assert not probes  # the start_date is the lower bound: no need to look for the oldest event
    assert ge(wins[0]) == START
    assert lt(wins[-1]) >= windowed.started
    assert len(wins) > 1  # 400 days are read as parallel windows
    for q in wins:
        assert q["params"]["sort"] == "datetime" and q["params"]["page[size]"] == "1000"


def test_profiles_filter_is_strict_greater_than(windowed):
    qs = requests_for(windowed.reqs, "/api/profiles")
    assert qs
    lowers = []
    for q in qs:
        p = q["params"]
        ops = {(o, f) for o, f, _ in filter_clauses(p.get("filter"))}
        assert ("greater-or-equal", "updated") not in ops and ("less-or-equal", "updated") not in ops, p
        lowers.append(parse_dt(clause_value(p["filter"], "greater-than", "updated")))
        assert p["additional-fields[profile]"] == "subscriptions,predictive_analytics"
        assert p["sort"] == "updated" and p["page[size]"] == "100"
    # read in time windows: the first starts 1 s before start_date, the others later
    assert START - timedelta(seconds=1) <= min(lowers) <= START, min(lowers)


@pytest.mark.parametrize("path,field,op", [("/api/campaigns", "updated_at", "greater-or-equal"),
                                           ("/api/flows", "updated", "greater-or-equal"),
                                           ("/api/templates", "updated", "greater-or-equal"),
                                           ("/api/lists", "updated", "greater-than"),
                                           ("/api/segments", "updated", "greater-than")])
def test_start_date_appears_in_every_filter(windowed, path, field, op):
    qs = requests_for(windowed.reqs, path)
    assert qs
    for q in qs:
        v = clause_value(q["params"].get("filter"), op, field)
        assert v is not None, (path, q["params"])
        assert START - timedelta(seconds=1) <= parse_dt(v) <= START


def test_flow_partitions_are_archived_true_and_false(windowed):
    ar = {clause_value(q["params"]["filter"], "equals", "archived") for q in first_pages(windowed.reqs, "/api/flows")}
    assert ar == {"true", "false"}


@pytest.mark.parametrize("stream", ["events", "campaigns", "flows", "email_templates", "lists", "segments", "profiles"])
def test_start_date_limits_records(sim, windowed, stream):
    got = set(windowed.r.ids(stream))
    lo = expected_ids(sim, stream, windowed.started, since=iso(START))
    hi = expected_ids(sim, stream, windowed.started, since=iso(START - timedelta(seconds=1)))
    assert lo <= got <= hi, f"{stream}: missing {len(lo - got)}, extra {len(got - hi)}"
    if stream in ("events", "profiles"):
        assert len(got) < len(set(truth_ids(sim, stream))), f"{stream}: start_date should exclude some records"


def test_metrics_ignore_start_date(sim, windowed):
    # Every metric definition is synced so events can be joined (upstream pins metrics to 1970).
    assert set(windowed.r.ids("metrics")) == set(truth_ids(sim, "metrics"))


def test_disable_predictive_analytics_requests_subscriptions_only(sim, discovered):
    sim.clear_requests()
    r = run("read", config=config(disable_fetching_predictive_analytics=True),
            catalog=configured_catalog(discovered, ["profiles"], "full_refresh"), base_url=sim.url)
    assert r.rc == 0
    qs = requests_for(sim.requests(), "/api/profiles")
    assert qs
    assert {q["params"].get("additional-fields[profile]") for q in qs} == {"subscriptions"}
    assert set(r.ids("profiles")) == set(truth_ids(sim, "profiles"))


def test_event_metric_ids_make_one_partition_per_metric(sim, discovered):
    metrics = truth_ids(sim, "metrics")[:2]
    sim.clear_requests()
    r = run("read", config=config(event_metric_ids=f" {metrics[0]} , {metrics[1]}"),
            catalog=configured_catalog(discovered, ["events"], "incremental"), base_url=sim.url)
    assert r.rc == 0, r.stdout[-2000:]
    qs = first_pages(sim.requests(), "/api/events")
    got = {clause_value(q["params"]["filter"], "equals", "metric_id") for q in qs}
    assert got == {f'"{m}"' for m in metrics}, got
    for q in requests_for(sim.requests(), "/api/events"):
        assert len([c for c in filter_clauses(q["params"]["filter"]) if c[1] == "metric_id"]) == 1
    assert 0 < len(r.ids("events")) < len(truth_ids(sim, "events"))
    for d in r.record_data("events"):
        mid = (((d.get("relationships") or {}).get("metric") or {}).get("data") or {}).get("id")
        if mid is not None:
            assert mid in metrics
    st = r.last_states()["events"]
    assert {s["partition"]["event_metric_id"] for s in st["states"]} == set(metrics)


def test_events_detailed_merges_the_included_metric(sim, full):
    names = {d["id"]: d["attributes"]["name"] for d in full.r.record_data("metrics")}
    recs = full.r.record_data("events_detailed")
    assert recs
    for d in recs:
        m = d["relationships"]["metric"]["data"]
        assert m["type"] == "metric" and m["id"] in names, d["id"]
        assert m.get("name") == names[m["id"]], (d["id"], m)
    # the plain events stream does not merge anything
    for d in full.r.record_data("events")[:50]:
        assert "name" not in ((d.get("relationships") or {}).get("metric") or {}).get("data", {}) or {}


@pytest.mark.parametrize("stream,parent", [("list_memberships", "list_id"), ("segment_memberships", "segment_id")])
def test_memberships_carry_both_keys_and_the_join_time(full, stream, parent):
    recs = full.r.record_data(stream)
    assert recs
    for d in recs:
        assert d[parent] and d["profile_id"] == d["id"]
        assert parse_dt(d["joined_group_at"])


@pytest.mark.parametrize("stream,parent_key,parent", [("flow_actions", "flow_id", "flows"),
                                                      ("campaign_messages", "campaign_id", "campaigns")])
def test_children_name_an_existing_parent(full, stream, parent_key, parent):
    parents = set(full.r.ids(parent))
    recs = full.r.record_data(stream)
    assert recs
    missing = [d["id"] for d in recs if parent_key not in d]
    assert not missing, f"{len(missing)} of {len(recs)} {stream} records lack {parent_key}, e.g. {missing[:3]}"
    assert {d[parent_key] for d in recs} <= parents


def test_lists_detailed_profile_counts_are_the_simulators(sim, full):
    members = Counter(k.split(":", 1)[0] for k in sim.truth("list_memberships"))
    recs = full.r.record_data("lists_detailed")
    assert recs and any(members.values()), "no list members; the test would prove nothing"
    for d in recs:
        assert d["attributes"]["profile_count"] == members.get(d["id"], 0), d["id"]
        assert "list_id" not in d
    assert {d["id"]: d["attributes"]["name"] for d in recs} == \
        {d["id"]: d["attributes"]["name"] for d in full.r.record_data("lists")}
    # one detail call per list, each with additional-fields[list]=profile_count
    detail = [q for q in full.reqs if len(q["path"].rstrip("/").split("/")) == 4 and q["path"].startswith("/api/lists/")]
    assert sorted(q["path"].rstrip("/").rsplit("/", 1)[1] for q in detail) == sorted(full.r.ids("lists"))
    assert all(q["params"].get("additional-fields[list]") == "profile_count" for q in detail)


def test_campaigns_detailed_carry_estimation_and_messages(sim, full):
    recs = full.r.record_data("campaigns_detailed")
    assert recs
    messages = {d["id"]: d for d in full.r.record_data("campaign_messages")}
    seen = set()
    for d in recs:
        status, est = sim.get(f"/api/campaign-recipient-estimations/{d['id']}")
        assert status == 200
        assert d["estimated_recipient_count"] == est["data"]["attributes"]["estimated_recipient_count"], d["id"]
        refs = [r["id"] for r in d["relationships"]["campaign-messages"]["data"]]
        got = d["campaign_messages"]
        assert [m["id"] for m in got] == refs, d["id"]
        for m in got:
            want = {k: v for k, v in messages[m["id"]].items() if k not in ("campaign_id", "updated_at")}
            assert m == want, m["id"]
            seen.add(m["id"])
        assert d["attributes"]["channel"] in ("email", "sms", "mobile_push")
    assert any(d["estimated_recipient_count"] > 0 for d in recs)
    assert seen == set(sim.truth("campaign_messages"))
    est_calls = [q["path"].rstrip("/").rsplit("/", 1)[1] for q in full.reqs
                 if q["path"].startswith("/api/campaign-recipient-estimations/")]
    assert sorted(est_calls) == sorted(full.r.ids("campaigns_detailed"))


def test_single_worker_reads_the_same_records(sim, discovered, full):
    r = run("read", config=config(num_workers=1), catalog=configured_catalog(discovered, mode="full_refresh"),
            base_url=sim.url)
    assert r.rc == 0
    for s in ALL_STREAMS:
        if s in ("events", "events_detailed"):
            continue  # the sync start differs; covered by the truth tests
        assert sorted(record_keys(r, s)) == sorted(record_keys(full.r, s)), s
