"""destination-klaviyo end to end against the simulator's write endpoints.

What is sent is checked against the simulator's record of what it stored (/__sim/written: events
deduplicated on profile + metric + unique_id, merged profiles), never against the connector's own
output. Expected values are derived from the input messages by the rules of issue 17.
"""

import pytest

import destination as dest
from simulator import FULL_KEY, Simulator

READONLY_KEY = "pk_readonly_0001"
NO_LISTS_KEY = "pk_nolists_0001"
EVENTS_ONLY_KEY = "pk_eventsonly_0001"
KEYS = ["--key", f"{FULL_KEY}:all",
        "--key", f"{READONLY_KEY}:events,profiles,metrics,lists",
        "--key", f"{NO_LISTS_KEY}:events,profiles,events:write,profiles:write",
        "--key", f"{EVENTS_ONLY_KEY}:events,events:write"]
dest.connector.KNOWN_SECRETS.update({READONLY_KEY, NO_LISTS_KEY, EVENTS_ONLY_KEY})
EMPTY = ["--profiles", "0", "--events", "0", "--metrics", "0"]
CONFIG = {"api_key": FULL_KEY, "flush_seconds": 1}
TRACKS = dest.catalog(("tracks", None))


@pytest.fixture(scope="module")
def sim():
    with Simulator(*EMPTY, *KEYS, "--no-rate-limits") as s:
        yield s


def written(sim, resource="events"):
    return sim.written(resource)["items"]


def by_unique_id(sim):
    items = written(sim)
    ids = [e["unique_id"] for e in items]
    assert len(ids) == len(set(ids)), "an event is stored twice"
    return {e["unique_id"]: e for e in items}


def fresh(*extra):
    return Simulator(*EMPTY, *KEYS, *extra)


# --- spec, discover, check ------------------------------------------------------------------------

def test_spec_names_the_options_and_sync_modes():
    r = dest.run("spec")
    assert r.rc == 0
    spec = r.of_type("SPEC")[0]["spec"]
    assert spec["supported_destination_sync_modes"] == ["append", "append_dedup"]
    props = spec["connectionSpecification"]["properties"]
    assert props["api_key"]["airbyte_secret"] is True
    assert {"require_email_or_phone", "skip_event_names", "batch_events", "flush_seconds"} <= set(props)


def test_discover_lists_the_event_and_profile_operations():
    r = dest.run("discover", config=CONFIG)
    assert r.rc == 0
    ops = {o["object_name"]: o for o in r.of_type("DESTINATION_CATALOG")[0]["destination_catalog"]["operations"]}
    assert ops["event"]["sync_mode"] == "append"
    assert ops["profile"]["sync_mode"] == "append_dedup"
    assert ops["profile"]["matching_keys"] == [["email"], ["phone_number"], ["external_id"]]
    assert "metric_name" in ops["event"]["json_schema"]["properties"]


@pytest.mark.parametrize("key,ok,words", [
    (FULL_KEY, True, ["bulk profile imports"]),
    (NO_LISTS_KEY, True, ["lists:write", "profile-import"]),
    (READONLY_KEY, False, ["events:write", "profiles:write"]),
    (EVENTS_ONLY_KEY, False, ["profiles:write"]),
    ("pk_not_a_known_key_0000", False, ["401"]),
])
def test_check_proves_write_scopes_without_writing(sim, key, ok, words):
    sim.clear_requests()
    r = dest.run("check", config={"api_key": key}, base_url=sim.url)
    status = r.connection_status()
    assert (status["status"] == "SUCCEEDED") == ok, status
    for w in words:
        assert w in status["message"], status
    if key == EVENTS_ONLY_KEY:
        assert "events:write" not in status["message"].replace("events:write and", "")
    assert written(sim) == [] and written(sim, "profiles") == []


# --- the write path -------------------------------------------------------------------------------

def test_track_calls_become_events_with_their_name_profile_time_properties_and_unique_id():
    with fresh("--no-rate-limits") as sim:
        msgs = [dest.track(i) for i in range(30)]
        r = dest.run("write", CONFIG, TRACKS, [dest.record("tracks", m) for m in msgs] +
                     [dest.stream_state("tracks", 30)], base_url=sim.url)
        assert r.rc == 0, r.stdout
        stored = by_unique_id(sim)
        assert len(stored) == 30
        for m in msgs:
            e = stored[m["messageId"]]
            assert e["metric"] == m["event"]
            assert e["profile"]["email"] == m["properties"]["email"]
            assert e["profile"]["external_id"] == m["userId"]
            assert e["time"].replace("+00:00", "Z").startswith(m["timestamp"][:19])
            assert e["properties"] == m["properties"]
        st = dest.states(r)
        assert len(st) == 1
        assert st[0]["state"]["stream"]["stream_state"] == {"cursor": 30}
        assert st[0]["state"]["destinationStats"] == {"recordCount": 30.0, "rejectedRecordCount": 0.0}


def test_skipped_calls_are_absent_and_counted():
    with fresh("--no-rate-limits") as sim:
        lines = [dest.record("tracks", dest.track(0)),
                 dest.record("tracks", dest.track(1, email=None)),                                  # no email/phone
                 dest.record("tracks", {"type": "page", "name": "Home", "messageId": "p1",
                                        "properties": {"email": "a@example.com"}}),
                 dest.record("tracks", {"type": "screen", "name": "Cart", "messageId": "s1"}),
                 dest.record("tracks", {"type": "group", "groupId": "g", "messageId": "g1"}),
                 dest.record("tracks", dest.track(2, event="Viewed Page")),                           # skip list
                 dest.record("tracks", dest.track(3, email=None, context={"traits": {"phone": "+1 (415) 555-0100"}})),
                 dest.stream_state("tracks", 1)]
        r = dest.run("write", dict(CONFIG, skip_event_names=["Viewed Page"]), TRACKS, lines, base_url=sim.url)
        assert r.rc == 0, r.stdout
        stored = by_unique_id(sim)
        assert set(stored) == {"msg-0000000", "msg-0000003"}
        assert stored["msg-0000003"]["profile"]["phone_number"] == "+14155550100"
        stats = dest.states(r)[0]["state"]["destinationStats"]
        assert stats == {"recordCount": 7.0, "rejectedRecordCount": 5.0}
        summary = [l for l in r.logs() if l.startswith("State 1")]
        assert summary and "no email or phone: 1" in summary[0] and "event name in skip_event_names: 1" in summary[0]


def test_a_bad_record_in_a_batch_rejects_only_itself():
    with fresh("--no-rate-limits") as sim:
        good = [dest.track(i) for i in range(10)]
        bad = [dest.track(100, email="not an email"),                                  # Klaviyo's 400 pointer
               dest.track(101, event="X" * 128),                                        # metric name too long
               dest.track(102, timestamp="1989-12-31T23:59:59Z"),                       # before 1990
               dest.track(103, timestamp="2099-01-01T00:00:00Z"),                       # over a year ahead
               dest.track(104, email=None, context={"traits": {"phone": "555-0100"}})]  # not E.164: no phone left
        msgs = good[:5] + bad + good[5:]
        r = dest.run("write", CONFIG, TRACKS, [dest.record("tracks", m) for m in msgs] + [dest.global_state(1)],
                     base_url=sim.url)
        assert r.rc == 0, r.stdout
        assert set(by_unique_id(sim)) == {m["messageId"] for m in good}
        assert dest.states(r)[0]["state"]["destinationStats"] == {"recordCount": 15.0, "rejectedRecordCount": 5.0}
        rejected = [l for l in r.logs() if l.startswith("Rejected messageId msg-0000100")]
        assert rejected and "'tracks'" in rejected[0] and "email" in rejected[0].lower()


def test_states_echo_in_order_with_counts_per_stream():
    with fresh("--latency-ms", "50") as sim:
        cat = dest.catalog(("a", None), ("b", None))
        lines = []
        for k in range(6):
            for i in range(k * 40, k * 40 + 40):
                lines.append(dest.record("a" if i % 3 else "b", dest.track(i)))
            lines.append(dest.stream_state("a" if k % 2 == 0 else "b", k))
        lines.append(dest.global_state("end"))
        r = dest.run("write", dict(CONFIG, batch_events=25), cat, lines, base_url=sim.url)
        assert r.rc == 0, r.stdout
        st = dest.states(r)
        assert [s["state"].get("stream", {}).get("stream_state", {}).get("cursor") for s in st[:-1]] == list(range(6))
        assert st[-1]["state"]["global"]["shared_state"] == {"n": "end"}
        # recordCount: the scope's records since that scope's previous STATE, from the input itself.
        expected, since = [], {"a": 0, "b": 0}
        for line in lines:
            if line["type"] == "RECORD":
                since[line["record"]["stream"]] += 1
            elif line["state"]["type"] == "STREAM":
                s = line["state"]["stream"]["stream_descriptor"]["name"]
                expected.append(since[s])
                since[s] = 0
            else:
                expected.append(sum(since.values()))
                since = {"a": 0, "b": 0}
        assert [s["state"]["destinationStats"]["recordCount"] for s in st] == expected
        assert len(by_unique_id(sim)) == 240


def test_non_json_lines_and_unknown_streams_are_ignored():
    with fresh("--no-rate-limits") as sim:
        lines = ["this is not json", dest.record("tracks", dest.track(0)), "{\"half\":",
                 dest.record("other", dest.track(1)), {"type": "LOG", "log": {"level": "INFO", "message": "x"}},
                 dest.stream_state("tracks", 1)]
        r = dest.run("write", CONFIG, TRACKS, lines, base_url=sim.url)
        assert r.rc == 0, r.stdout
        assert set(by_unique_id(sim)) == {"msg-0000000"}
        assert dest.states(r)[0]["state"]["destinationStats"]["recordCount"] == 1.0
        warns = [l for l in r.logs("WARN") if "not an Airbyte message" in l]
        assert len(warns) == 2 and "line 1 " in warns[0] and "line 3 " in warns[1]


def test_identify_upserts_profiles_merged_in_order_one_at_a_time_and_in_bulk():
    for key in (FULL_KEY, NO_LISTS_KEY):
        with fresh("--no-rate-limits") as sim:
            lines = [dest.record("tracks", dest.identify(u, first_name="Old")) for u in range(30)]
            lines += [dest.record("tracks", dest.identify(u, firstName="New", company="Acme",
                                                          address={"city": "Lyon", "postalCode": "69001"},
                                                          plan="pro")) for u in range(30)]
            lines.append(dest.global_state(1))
            r = dest.run("write", dict(CONFIG, api_key=key), TRACKS, lines, base_url=sim.url)
            assert r.rc == 0, r.stdout
            people = {p["email"]: p for p in written(sim, "profiles")}
            assert len(people) == 30
            p = people["user7@example.com"]
            assert p["first_name"] == "New" and p["organization"] == "Acme" and p["external_id"] == "u7"
            assert p["location"]["city"] == "Lyon" and p["location"]["zip"] == "69001"
            assert p["properties"]["plan"] == "pro"
            paths = {q["path"] for q in sim.requests()}
            if key == FULL_KEY:
                assert "/api/profile-bulk-import-jobs" in paths and "/api/profile-import" not in paths
            else:
                assert "/api/profile-import" in paths
            assert dest.states(r)[0]["state"]["destinationStats"] == {"recordCount": 60.0, "rejectedRecordCount": 0.0}


def test_a_key_without_write_scope_fails_with_config_error_and_no_state():
    with fresh("--no-rate-limits") as sim:
        lines = [dest.record("tracks", dest.track(i)) for i in range(5)] + [dest.global_state(1)]
        r = dest.run("write", dict(CONFIG, api_key=READONLY_KEY), TRACKS, lines, base_url=sim.url)
        assert r.rc != 0
        assert dest.states(r) == []
        err = r.errors()[0]
        assert err["failure_type"] == "config_error" and "events:write" in err["message"]
        assert written(sim) == []
