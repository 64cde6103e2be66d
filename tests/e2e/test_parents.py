"""Parents at any depth: flow_messages hangs below flow_actions below flows. Each parent stream is
listed once per read and shared by every child that needs it; records carry their ancestors' ids."""

from collections import Counter
from types import SimpleNamespace

import pytest

from conftest import config, expected_keys, record_keys, requests_for
from connector import configured_catalog, run


def _read(sim, discovered, streams):
    sim.clear_requests()
    r = run("read", config=config(), catalog=configured_catalog(discovered, streams=streams, mode="full_refresh"),
            base_url=sim.url)
    return SimpleNamespace(r=r, reqs=sim.requests())


@pytest.fixture(scope="module")
def both(sim, discovered):
    return _read(sim, discovered, ["flow_actions", "flow_messages"])


@pytest.fixture(scope="module")
def messages_only(sim, discovered):
    return _read(sim, discovered, ["flow_messages"])


@pytest.mark.parametrize("which", ["both", "messages_only"])
def test_flows_are_listed_once_per_read(request, which):
    res = request.getfixturevalue(which)
    assert res.r.rc == 0, res.r.stdout[-2000:]
    flows = requests_for(res.reqs, "/api/flows")
    # one listing: one first page per archived partition, each followed to its end and never again
    first_pages = [q for q in flows if "page[cursor]" not in q["params"]]
    assert sorted(q["params"]["filter"] for q in first_pages) == ["equals(archived,false)", "equals(archived,true)"]
    assert len(flows) == len({q["query"] for q in flows}), "a page of /api/flows was fetched twice"


@pytest.mark.parametrize("which", ["both", "messages_only"])
def test_each_flow_actions_partition_is_listed_once(request, which):
    res = request.getfixturevalue(which)
    actions = [q for q in res.reqs if q["path"].endswith("/flow-actions")]
    assert actions, "no flow action was listed"
    first = Counter(q["path"] for q in actions if "page[cursor]" not in q["params"])
    # "both": once for the flow_actions stream (with its time window) and once as the parent listing
    limit = 2 if which == "both" else 1
    assert max(first.values()) <= limit, first.most_common(3)
    listings = Counter(q["path"] for q in actions if "page[cursor]" not in q["params"]
                       and "less-than" not in q["params"].get("filter", ""))
    assert max(listings.values()) == 1, listings.most_common(3)


def test_flow_messages_equal_truth(sim, both, messages_only):
    for res in (both, messages_only):
        keys = record_keys(res.r, "flow_messages")
        assert len(keys) == len(set(keys))
        assert set(keys) == expected_keys(sim, "flow_messages", None)
        assert res.r.statuses("flow_messages")[-1] == "COMPLETE"


def test_flow_messages_carry_flow_and_flow_action(sim, both):
    action_flow = {d["id"]: d["flow_id"] for d in both.r.record_data("flow_actions")}
    msgs = both.r.record_data("flow_messages")
    assert msgs
    for m in msgs:
        assert action_flow[m["flow_action_id"]] == m["flow_id"], m["id"]
    # and the message was read from its action's endpoint
    paths = {q["path"] for q in both.reqs if q["path"].endswith("/flow-messages")}
    assert {f"/api/flow-actions/{m['flow_action_id']}/flow-messages" for m in msgs} <= paths


def test_flow_messages_state_is_per_flow_action(both):
    st = both.r.last_states()["flow_messages"]
    parts = [s["partition"] for s in st["states"]]
    assert parts and all(set(p) == {"flow_action_id"} for p in parts)
