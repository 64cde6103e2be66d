"""Incremental reads: the emitted state drives the next read's filters, changes made in between are
picked up, lookback re-reads late events, abnormal/legacy/odd state inputs are handled."""

import copy
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from conftest import (event_windows, ALL_STREAMS, INCREMENTAL_STREAMS, TRUTH_STREAMS, config, expected_keys, record_keys, requests_for,
                      start_sim, truth_ids)
from connector import clause_value, configured_catalog, filter_clauses, parse_dt, run, stream_states

SEC = timedelta(seconds=1)


def iso(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def first_pages(reqs, path, plain=True):
    """First-page requests to path; plain=True leaves out the ones of sibling streams on the same
    endpoint (events_detailed adds include=, global_exclusions asks only for subscriptions)."""
    qs = [q for q in requests_for(reqs, path) if "page[cursor]" not in q["params"]]
    if plain and path == "/api/events":
        qs = [q for q in qs if "include" not in q["params"]]
    if plain and path == "/api/profiles":
        qs = [q for q in qs if q["params"].get("additional-fields[profile]") != "subscriptions"]
    if plain and path in PARENTS:
        # child streams list their parents with no cursor filter; keep the stream's own requests
        qs = [q for q in qs if any(f == PARENTS[path] and o != "equals"
                                   for o, f, _ in filter_clauses(q["params"].get("filter")))]
    return qs


def events_lower(reqs, metric=None):
    """The lower bound the events stream (or one metric partition) read from: the first of its
    chained windows, or None when it started from the oldest event (found by a one-record probe)."""
    probes, wins, ge, _ = event_windows(reqs, metric)
    if probes:
        assert all(ge(p) is None for p in probes)
        return None
    assert wins, "no events request"
    return ge(wins[0])


def events_upper(reqs):
    _, wins, _, lt = event_windows(reqs)
    return lt(wins[-1])


PARENTS = {"/api/lists": "updated", "/api/segments": "updated", "/api/flows": "updated",
           "/api/campaigns": "updated_at"}


def lower(q, op, field):
    v = clause_value(q["params"].get("filter"), op, field)
    return None if v is None else parse_dt(v)


@pytest.fixture(scope="module")
def sim():
    # Own simulator: this module mutates the dataset.
    with start_sim("--no-rate-limits") as s:
        yield s


@pytest.fixture(scope="module")
def incr_catalog(discovered):
    return configured_catalog(discovered, mode="incremental")


def read(sim, catalog, state=None, **cfg):
    sim.clear_requests()
    started = datetime.now(timezone.utc).replace(microsecond=0)
    r = run("read", config=config(**cfg), catalog=catalog, state=state, base_url=sim.url)
    return SimpleNamespace(r=r, started=started, reqs=sim.requests())


@pytest.fixture(scope="module")
def first(sim, incr_catalog):
    f = read(sim, incr_catalog)
    assert f.r.rc == 0, f.r.stdout[-3000:]
    return f


def events_catalog(discovered, mode="incremental"):
    return configured_catalog(discovered, ["events"], mode)


@pytest.mark.parametrize("stream", [s for s in INCREMENTAL_STREAMS if s in TRUTH_STREAMS])
def test_first_incremental_read_returns_everything(sim, first, stream):
    assert set(record_keys(first.r, stream)) == expected_keys(sim, stream, first.started)


def test_first_incremental_read_states_every_stream(first):
    assert set(first.r.last_states()) == set(ALL_STREAMS)


def test_state_shapes_are_airbytes(first):
    st = first.r.last_states()
    assert set(st["events"]) == {"datetime"}
    assert set(st["events_detailed"]) == {"datetime"}
    for s in ["profiles", "metrics", "lists", "segments", "email_templates"]:
        assert set(st[s]) == {"updated"}, (s, st[s])
    assert {e["partition"]["archived"] for e in st["flows"]["states"]} == {"true", "false"}
    assert all(set(e["cursor"]) == {"updated"} for e in st["flows"]["states"])
    parts = {(e["partition"]["campaign_type"], e["partition"]["archived"]) for e in st["campaigns"]["states"]}
    assert parts == {(c, a) for c in ("email", "sms", "mobile_push") for a in ("true", "false")}
    assert all(set(e["cursor"]) == {"updated_at"} for e in st["campaigns"]["states"])
    # the events cursor is the sync start: everything before it has been read
    assert first.started <= parse_dt(st["events"]["datetime"]) <= datetime.now(timezone.utc)


def test_second_read_filters_start_at_the_saved_cursor(sim, first, incr_catalog):
    st = first.r.last_states()
    second = read(sim, incr_catalog, state=first.r.state_file())
    assert second.r.rc == 0, second.r.stdout[-3000:]
    assert events_lower(second.reqs) == parse_dt(st["events"]["datetime"])
    assert events_upper(second.reqs) >= second.started
    for stream, path in [("profiles", "/api/profiles"), ("lists", "/api/lists"), ("segments", "/api/segments")]:
        qs = first_pages(second.reqs, path)
        assert [lower(q, "greater-than", "updated") for q in qs] == [parse_dt(st[stream]["updated"]) - SEC], stream
        assert all(lower(q, "greater-or-equal", "updated") is None for q in qs)
    qs = first_pages(second.reqs, "/api/templates")
    assert [lower(q, "greater-or-equal", "updated") for q in qs] == [parse_dt(st["email_templates"]["updated"])]
    want = {e["partition"]["archived"]: parse_dt(e["cursor"]["updated"]) for e in st["flows"]["states"]}
    got = {clause_value(q["params"]["filter"], "equals", "archived"): lower(q, "greater-or-equal", "updated")
           for q in first_pages(second.reqs, "/api/flows")}
    assert got == want
    want = {(e["partition"]["campaign_type"], e["partition"]["archived"]): parse_dt(e["cursor"]["updated_at"])
            for e in st["campaigns"]["states"]}
    got = {(clause_value(q["params"]["filter"], "equals", "messages.channel").strip("'\""),
            clause_value(q["params"]["filter"], "equals", "archived")): lower(q, "greater-or-equal", "updated_at")
           for q in first_pages(second.reqs, "/api/campaigns")}
    assert got == want
    # nothing changed: no event is re-read, other streams re-read at most their newest (tied) records
    assert second.r.ids("events") == [] and second.r.ids("events_detailed") == []
    for s in ["profiles", "lists", "segments", "email_templates", "metrics"]:
        assert len(second.r.ids(s)) < len(first.r.ids(s)) / 2, s
    cur = parse_dt(st["metrics"]["updated"])
    assert all(parse_dt(d["updated"]) >= cur for d in second.r.record_data("metrics"))
    bad = [(q["path"], q["status"]) for q in second.reqs if q["status"] != 200]
    assert not bad
    # lists_detailed: no list changed since the first read, so no list's detail is fetched again
    # (Airbyte skips parents not newer than the cursor) and the per-list cursors are kept.
    assert first.r.ids("lists_detailed"), "the first read fetched no list details; the check would prove nothing"
    assert [q["path"] for q in second.reqs if _is_list_detail(q)] == []
    assert second.r.ids("lists_detailed") == []
    assert second.r.last_states()["lists_detailed"] == st["lists_detailed"]


def _is_list_detail(q):
    parts = q["path"].rstrip("/").split("/")
    return len(parts) == 4 and parts[:3] == ["", "api", "lists"]


def test_changes_after_the_first_read_are_picked_up(sim, first, incr_catalog):
    res = sim.mutate(new_events=20, update_profiles=3, new_profiles=2, update_campaigns=2, update_flows=2)
    ids = res.get("ids", res)
    # Updates are stamped with the current whole second; a sync starting in that same second reads
    # [cursor, sync start) and rightly leaves them to the next sync. Start the read a second later.
    time.sleep(1.1)
    st = copy.deepcopy(first.r.last_states())
    # The simulator stamps new events up to 60 s in the past: pretend the previous sync started
    # two minutes ago so they all fall after its cursor.
    prev = parse_dt(st["events"]["datetime"]) - timedelta(seconds=120)
    st["events"]["datetime"] = prev.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    nxt = read(sim, incr_catalog, state=stream_states(st))
    assert nxt.r.rc == 0, nxt.r.stdout[-3000:]
    ev = set(nxt.r.ids("events"))
    assert set(ids["new_events"]) <= ev
    assert ev == set(truth_ids(sim, "events", since=iso(prev))) - set(truth_ids(sim, "events", since=iso(nxt.started)))
    prof = set(nxt.r.ids("profiles"))
    assert set(ids["updated_profiles"]) | set(ids["new_profiles"]) <= prof
    assert prof <= set(truth_ids(sim, "profiles", since=iso(parse_dt(st["profiles"]["updated"]) - SEC)))
    assert set(ids["campaigns"]) <= set(nxt.r.ids("campaigns"))
    assert set(ids["flows"]) <= set(nxt.r.ids("flows"))
    assert len(nxt.r.ids("campaigns")) < len(first.r.ids("campaigns"))
    # the updated records carry their new cursor
    upd = {d["id"]: parse_dt(d["updated"]) for d in nxt.r.record_data("profiles")}
    assert all(upd[i] > first.started for i in ids["updated_profiles"])


def test_lookback_window_rereads_late_events(sim, first, discovered):
    res = sim.mutate(late_events=6)
    late = set(res.get("ids", res)["late_events"])
    state = stream_states({"events": first.r.last_states()["events"]})
    cursor = parse_dt(first.r.last_states()["events"]["datetime"])
    plain = read(sim, events_catalog(discovered), state=state)
    assert plain.r.rc == 0
    assert not late & set(plain.r.ids("events")), "late events are before the cursor: only a lookback finds them"
    lb = read(sim, events_catalog(discovered), state=state, lookback_window=15)
    assert lb.r.rc == 0
    assert late <= set(lb.r.ids("events"))
    assert events_lower(lb.reqs) == cursor - timedelta(days=15)


def _future(obj):
    """Every cursor moved to 2120 (partition keys kept: an id such as 70000819 parses as a date)."""
    if isinstance(obj, dict):
        return {k: v if k == "partition" else _future(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_future(v) for v in obj]
    if isinstance(obj, str):
        try:
            parse_dt(obj)
            return "2120-01-01T00:00:00+00:00"
        except ValueError:
            return obj
    return obj


def test_abnormally_large_state_reads_nothing(sim, first, discovered):
    state = stream_states(_future({k: v for k, v in first.r.last_states().items() if k in INCREMENTAL_STREAMS}))
    r = read(sim, configured_catalog(discovered, INCREMENTAL_STREAMS, "incremental"), state=state)
    assert r.r.rc == 0, r.r.stdout[-3000:]
    assert r.r.records() == []
    for s in INCREMENTAL_STREAMS:
        assert r.r.states(s), f"no STATE for {s}"
        assert r.r.statuses(s)[-1] == "COMPLETE"
    limit = datetime.now(timezone.utc) + timedelta(days=1)
    for q in r.reqs:
        for op, field, v in filter_clauses(q["params"].get("filter")):
            try:
                t = parse_dt(v)
            except ValueError:
                continue
            assert t <= limit, f"request with a future filter: {q['path']} {q['params']['filter']}"
        assert q["status"] == 200


def test_legacy_flat_events_state(sim, discovered):
    r = read(sim, events_catalog(discovered), state=stream_states({"events": {"datetime": "2024-05-31T00:00:00+0000"}}))
    assert r.r.rc == 0, r.r.stdout[-2000:]
    assert events_lower(r.reqs) == datetime(2024, 5, 31, tzinfo=timezone.utc)


def test_legacy_space_separated_cursor(sim, discovered):
    # Python-era states used "2024-05-31 10:00:00+00:00".
    r = read(sim, configured_catalog(discovered, ["profiles"], "incremental"),
             state=stream_states({"profiles": {"updated": "2024-05-31 10:00:00+00:00"}}))
    assert r.r.rc == 0, r.r.stdout[-2000:]
    # profiles are read in time windows from the saved cursor: the first starts 1 s before it
    first = min(lower(q, "greater-than", "updated") for q in first_pages(r.reqs, "/api/profiles"))
    assert first == datetime(2024, 5, 31, 9, 59, 59, tzinfo=timezone.utc)


def test_legacy_nested_archived_flows_state(sim, discovered):
    state = stream_states({"flows": {"updated": "2024-03-01T00:00:00+00:00",
                                     "archived": {"updated": "2023-07-01T00:00:00+00:00"}}})
    r = read(sim, configured_catalog(discovered, ["flows"], "incremental"), state=state)
    assert r.r.rc == 0, r.r.stdout[-2000:]
    got = {clause_value(q["params"]["filter"], "equals", "archived"): lower(q, "greater-or-equal", "updated")
           for q in first_pages(r.reqs, "/api/flows")}
    assert got == {"false": datetime(2024, 3, 1, tzinfo=timezone.utc),
                   "true": datetime(2023, 7, 1, tzinfo=timezone.utc)}


def test_campaigns_per_partition_state_from_airbyte(sim, discovered):
    c = "2024-02-01T00:00:00+0000"
    state = stream_states({"campaigns": {"states": [
        {"partition": {"archived": "false", "campaign_type": "email"}, "cursor": {"updated_at": c}}]}})
    r = read(sim, configured_catalog(discovered, ["campaigns"], "incremental"), state=state)
    assert r.r.rc == 0, r.r.stdout[-2000:]
    got = {(clause_value(q["params"]["filter"], "equals", "messages.channel").strip("'\""),
            clause_value(q["params"]["filter"], "equals", "archived")): lower(q, "greater-or-equal", "updated_at")
           for q in first_pages(r.reqs, "/api/campaigns")}
    assert got.pop(("email", "false")) == datetime(2024, 2, 1, tzinfo=timezone.utc)
    assert len(got) == 5 and all(v is None for v in got.values()), got


C = "2024-06-15T12:00:00+00:00"
EV = {"datetime": C}


@pytest.mark.parametrize("state,expect", [
    pytest.param([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"}, "stream_state": EV}}], C,
                 id="stream-array"),
    pytest.param([{"type": "GLOBAL", "global": {"shared_state": {}, "stream_states": [
        {"stream_descriptor": {"name": "events"}, "stream_state": EV}]}}], C, id="global"),
    pytest.param({"events": EV}, C, id="legacy-dict"),
    pytest.param([{"type": "LEGACY", "data": {"events": EV}}], C, id="legacy-message"),
    pytest.param([], None, id="empty-array"),
    pytest.param([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"}, "stream_state": None}}],
                 None, id="null-stream-state"),
])
def test_state_file_formats(sim, discovered, state, expect):
    r = read(sim, events_catalog(discovered), state=state)
    assert r.r.rc == 0, r.r.stdout[-2000:]
    assert events_lower(r.reqs) == (parse_dt(expect) if expect else None)


def test_state_of_streams_not_in_the_catalog_is_ignored(sim, discovered):
    state = stream_states({"events": EV, "lists": {"updated": "not a date"},
                           "no_such_stream": {"whatever": [1, 2]}})
    r = read(sim, events_catalog(discovered), state=state)
    assert r.r.rc == 0, r.r.stdout[-2000:]
    assert events_lower(r.reqs) == parse_dt(C)
    assert set(r.r.statuses()) == {"events"}


def test_full_refresh_ignores_saved_state(sim, discovered):
    state = stream_states({"events": {"datetime": "2120-01-01T00:00:00+00:00"}})
    r = read(sim, events_catalog(discovered, "full_refresh"), state=state)
    assert r.r.rc == 0
    assert events_lower(r.reqs) is None
    future = set(truth_ids(sim, "events", since=iso(r.started)))
    assert set(r.r.ids("events")) == set(truth_ids(sim, "events")) - future


def test_flat_events_state_migrates_into_every_metric_partition(sim, discovered):
    metrics = truth_ids(sim, "metrics")[:2]
    r = read(sim, events_catalog(discovered), state=stream_states({"events": EV}),
             event_metric_ids=",".join(metrics))
    assert r.r.rc == 0, r.r.stdout[-2000:]
    got = {f'"{m}"': events_lower(r.reqs, f'"{m}"') for m in metrics}
    assert got == {f'"{m}"': parse_dt(C) for m in metrics}


def test_per_metric_state_is_resumed_per_partition(sim, discovered):
    metrics = truth_ids(sim, "metrics")[:2]
    a, b = "2024-03-01T00:00:00+00:00", "2024-04-01T00:00:00+00:00"
    state = stream_states({"events": {"use_global_cursor": False, "lookback_window": 0,
                                      "states": [{"partition": {"event_metric_id": metrics[0]}, "cursor": {"datetime": a}},
                                                 {"partition": {"event_metric_id": metrics[1]}, "cursor": {"datetime": b}}],
                                      "state": {"datetime": a}}})
    r = read(sim, events_catalog(discovered), state=state, event_metric_ids=",".join(metrics))
    assert r.r.rc == 0, r.r.stdout[-2000:]
    got = {f'"{m}"': events_lower(r.reqs, f'"{m}"') for m in metrics}
    assert got == {f'"{metrics[0]}"': parse_dt(a), f'"{metrics[1]}"': parse_dt(b)}
    # dropping event_metric_ids: the unpartitioned read resumes from the lowest cursor (nothing skipped)
    r = read(sim, events_catalog(discovered), state=state)
    assert r.r.rc == 0
    assert events_lower(r.reqs) == parse_dt(a)


def test_child_stream_second_read_uses_per_parent_cursors(sim, first, discovered):
    cat = configured_catalog(discovered, ["list_memberships"], "incremental")
    st = first.r.last_states()["list_memberships"]
    r = read(sim, cat, state=stream_states({"list_memberships": st}))
    assert r.r.rc == 0, r.r.stdout[-2000:]
    assert len(r.r.records()) < len(first.r.records("list_memberships")) / 2
    own = [q for q in r.reqs if q["path"].rstrip("/").endswith("/profiles") and "page[cursor]" not in q["params"]]
    assert own and all(lower(q, "greater-or-equal", "joined_group_at") is not None for q in own), own[:2]
