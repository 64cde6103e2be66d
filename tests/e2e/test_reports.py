"""The report streams against the simulator, which answers as Klaviyo does: custom timeframes read
in the account's timezone (America/New_York here) with both ends inclusive, 1 request a second, 2 a
minute and a daily quota per endpoint (shrunk by --time-scale), unsupported conversion metrics
refused with HTTP 400. Plans are kept to a few requests so the suite runs in seconds; the unit tests
(tests/unit/reports_test.cpp) cover long plans on an injected clock."""

import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from conftest import config, start_sim
from connector import configured_catalog, run
import stream_table  # tests/stream_table.py

TZ = ZoneInfo("America/New_York")
PATHS = {s.name: s.path for s in stream_table.STREAMS if s.report}
STREAMS = list(PATHS)


def today_local():
    return datetime.now(timezone.utc).astimezone(TZ).date()


def report_requests(reqs, stream=None):
    paths = [PATHS[stream]] if stream else list(PATHS.values())
    # (a 429 here comes from an earlier test's requests still inside the simulator's scaled minute)
    return [q for q in reqs if q["method"] == "POST" and q["path"].rstrip("/") in paths and q["status"] != 429]


def key(stream, d):
    g = ("campaign_id", "campaign_message_id") if stream == "campaign_values_reports" else ("flow_id", "flow_message_id")
    return (d["date"], d[g[0]], d[g[1]], d["send_channel"], d["conversion_metric_id"])


def read(sim, discovered, cfg, state=None):
    sim.clear_requests()
    r = run("read", config=cfg, catalog=configured_catalog(discovered, streams=STREAMS, mode="incremental"),
            state=state, base_url=sim.url)
    return SimpleNamespace(r=r, reqs=sim.requests())


@pytest.fixture(scope="module")
def rsim():
    # a minute lasts 0.6 s and a day 864 s: the quota can be spent and the day can pass in a test
    with start_sim("--time-scale", "0.01") as s:
        yield s


@pytest.fixture(scope="module")
def metrics(rsim):
    ok, bad = rsim.truth("report_metrics"), rsim.truth("unsupported_report_metrics")
    assert ok and bad
    return SimpleNamespace(ok=ok[0], bad=bad[0])


@pytest.fixture(scope="module")
def first(rsim, discovered, metrics):
    start = today_local() - timedelta(days=20)
    cfg = config(metric_ids=f"{metrics.ok},{metrics.bad}", start_date=start.isoformat())
    return SimpleNamespace(res=read(rsim, discovered, cfg), start=start, cfg=cfg)


def test_first_read_completes_without_429(first):
    r = first.res.r
    assert r.rc == 0, r.stdout[-3000:]
    for s in STREAMS:
        assert r.statuses(s)[-1] == "COMPLETE"
    assert [q for q in first.res.reqs if q["status"] == 429] == []


def test_one_request_per_metric_and_window_in_local_whole_days(first, metrics):
    yesterday = today_local() - timedelta(days=1)
    for s in STREAMS:
        reqs = report_requests(first.res.reqs, s)
        # 20 days fit one window of either stream: one request per metric, the unsupported one included
        assert sorted(q["body"]["data"]["attributes"]["conversion_metric_id"] for q in reqs) == \
            sorted([metrics.ok, metrics.bad])
        for q in reqs:
            tf = q["body"]["data"]["attributes"]["timeframe"]
            start, end = datetime.fromisoformat(tf["start"]), datetime.fromisoformat(tf["end"])
            assert start.date() == first.start and start.time().isoformat() == "00:00:00"
            assert end.date() == yesterday and end.time().isoformat() == "23:59:59"
            # the offset sent is the account's own at that time (Klaviyo ignores it; it is right either way)
            assert start.utcoffset() == datetime.combine(first.start, datetime.min.time(), TZ).utcoffset()


def test_the_unsupported_metric_is_skipped_with_a_log_line_and_remembered(first, metrics):
    r = first.res.r
    for s in STREAMS:
        logs = [m for m in r.logs() if m.startswith(s + ":") and metrics.bad in m and "cannot report" in m]
        assert logs, s
        assert metrics.bad in r.last_states()[s].get("unsupported_metrics", {}), s
        # (no campaign may have been sent in these 20 days: campaign values can be empty)
        assert {d["conversion_metric_id"] for d in r.record_data(s)} <= {metrics.ok}
    assert {d["conversion_metric_id"] for d in r.record_data("flow_series_reports")} == {metrics.ok}


def test_flow_series_has_one_row_per_grouping_per_local_day(first):
    rows = first.res.r.record_data("flow_series_reports")
    assert rows
    keys = [key("flow_series_reports", d) for d in rows]
    assert len(keys) == len(set(keys))
    days = {datetime.fromisoformat(d["date"]).date() for d in rows}
    assert days == {first.start + timedelta(days=i) for i in range(20)}
    for d in rows:
        assert set(d["statistics"]) and all(v is None or isinstance(v, (int, float)) for v in d["statistics"].values())
        assert d["groupings"]["flow_id"] == d["flow_id"]


def test_campaign_values_are_dated_by_the_midnight_closing_the_window(first):
    rows = first.res.r.record_data("campaign_values_reports")
    for d in rows:
        assert d["date"] == f"{today_local().isoformat()}T00:00:00+00:00"
    keys = [key("campaign_values_reports", d) for d in rows]
    assert len(keys) == len(set(keys))


def test_campaign_values_over_a_long_window(rsim, discovered, metrics):
    start = today_local() - timedelta(days=300)
    cfg = config(metric_ids=metrics.ok, start_date=start.isoformat(), campaign_values_window_days=365)
    res = read(rsim, discovered, cfg)
    reqs = report_requests(res.reqs, "campaign_values_reports")
    assert len(reqs) == 1  # 300 days fit one window of 365
    rows = res.r.record_data("campaign_values_reports")
    assert rows, "no campaign was sent in 300 days of the simulated account"
    sent = set(rsim.truth("report_campaigns", since=start.isoformat() + "T00:00:00Z"))
    assert {d["campaign_id"] for d in rows} <= sent
    for d in rows:
        assert d["date"] == f"{today_local().isoformat()}T00:00:00+00:00"
        assert d["groupings"]["campaign_id"] == d["campaign_id"] and d["conversion_metric_id"] == metrics.ok
        assert len(d["statistics"]) == 31


def test_a_second_run_on_the_same_day_sends_no_report_request(rsim, discovered, first, metrics):
    cfg = dict(first.cfg, metric_ids=metrics.ok)  # a named unsupported metric would be tried again
    second = read(rsim, discovered, cfg, state=first.res.r.state_file())
    assert second.r.rc == 0, second.r.stdout[-2000:]
    assert report_requests(second.reqs) == []
    for s in STREAMS:
        assert second.r.record_data(s) == []


def test_a_spent_daily_quota_stops_cleanly_and_the_next_run_completes(rsim, discovered, metrics):
    stream = "flow_series_reports"
    start = today_local() - timedelta(days=100)  # two windows of 60 and 40 days
    cfg = config(metric_ids=metrics.ok, start_date=start.isoformat(), reporting_max_wait_seconds=30)
    cat = configured_catalog(discovered, streams=[stream], mode="incremental")
    try:
        rsim.config(rate_limits=True, report_daily_quota=1)  # fresh windows, one request left today
        rsim.clear_requests()
        first = run("read", config=cfg, catalog=cat, base_url=rsim.url)
        assert first.rc != 0
        assert first.statuses(stream)[-1] == "INCOMPLETE"
        err = [e for e in first.errors() if (e.get("stream_descriptor") or {}).get("name") == stream]
        assert err and err[0]["failure_type"] == "transient_error"
        assert "daily quota" in err[0]["message"] and "resets in about" in err[0]["message"]
        saved = first.last_states()[stream]
        assert saved["states"][0]["cursor"]["date"].startswith((start + timedelta(days=60)).isoformat())

        rsim.config(rate_limits=True, report_daily_quota=225)  # the next day
        rsim.clear_requests()
        second = run("read", config=cfg, catalog=cat, state=first.state_file(), base_url=rsim.url)
        assert second.rc == 0, second.stdout[-2000:]
        assert len(report_requests(rsim.requests(), stream)) == 1  # only the window not read

        rsim.config(rate_limits=True)
        whole = run("read", config=cfg, catalog=cat, base_url=rsim.url)
        both = [key(stream, d) for d in first.record_data(stream) + second.record_data(stream)]
        assert len(both) == len(set(both)), "a row was read twice"
        assert set(both) == {key(stream, d) for d in whole.record_data(stream)}
    finally:
        rsim.config(rate_limits=True, report_daily_quota=225)


def test_progress_lines_count_report_requests(discovered):
    # 12 one-day campaign windows of one metric: at 2 requests a (scaled) minute of 0.6 s the stream
    # runs for about 3 s, so a progress line a second shows it part-way.
    with start_sim("--time-scale", "0.01") as sim:
        ok = sim.truth("report_metrics")[0]
        start = today_local() - timedelta(days=12)
        cfg = config(metric_ids=ok, start_date=start.isoformat(), campaign_values_window_days=1)
        r = run("read", config=cfg, catalog=configured_catalog(discovered, streams=["campaign_values_reports"],
                                                               mode="incremental"),
                base_url=sim.url, env={"SK_PROGRESS_SECONDS": "1"})
    assert r.rc == 0, r.stdout[-2000:]
    pattern = re.compile(r"progress: stream=campaign_values_reports records=(\d+) pages=(\d+) records_per_s=\d+ "
                         r"requests=(\d+) 429s=(\d+) done=([\d.]+)% \(report requests (\d+)/(\d+) done\)$")
    lines = [pattern.match(m) for m in r.logs() if m.startswith("progress: stream=campaign_values_reports")]
    assert lines and all(lines), r.logs()
    figures = [tuple(float(g) for g in m.groups()) for m in lines]
    for records, pages, requests, _, pct, done, planned in figures:
        assert planned == 12
        assert pct == round(100 * done / planned, 1)
        assert pages <= done + 1 and done <= requests  # one page a report (the last may not be marked done yet)
    assert any(0 < f[5] < 12 for f in figures), "no line part-way through the plan"
    for a, b in zip(figures, figures[1:]):
        assert all(y >= x for x, y in zip(a[:4] + a[5:6], b[:4] + b[5:6])), "figures move forward only"
