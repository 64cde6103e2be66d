"""The connector's streams, once, for every Python test and benchmark that lists them.

Each row states what Airbyte's source-klaviyo promises for the stream (its primary key, its cursor
and sync modes, so saved connections carry over), the Klaviyo endpoint it reads, the stream whose
records partition it (its parent) and whether it is a report stream (read at the reporting API's
pace, so a read of "every stream" leaves it out). The rows are written by hand: tests compare the
binary (discover, reads) against them, so they must never be generated from the binary's output.

Import it from tests/e2e, tests/acceptance or bench with tests/ on sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # from tests/e2e, tests/acceptance
    sys.path.insert(0, os.path.join(ROOT, "tests"))                 # from bench
    from stream_table import STREAMS, BY_NAME, REPORT_STREAMS
"""

from __future__ import annotations

from dataclasses import dataclass

FULL_REFRESH = ("full_refresh",)
BOTH = ("full_refresh", "incremental")


@dataclass(frozen=True)
class Stream:
    name: str
    path: str                       # Klaviyo endpoint; {id} is the parent's id
    primary_key: tuple[str, ...]    # top-level fields, in order
    cursor: str | None              # top-level cursor field; None: full refresh only
    sync_modes: tuple[str, ...]
    parent: str | None = None       # the stream whose records partition this one
    report: bool = False            # the reporting API (POST, 2 requests a minute, 225 a day)


def _row(name, path, cursor, primary_key=("id",), parent=None, report=False):
    return Stream(name, path, tuple(primary_key), cursor, BOTH if cursor else FULL_REFRESH, parent, report)


STREAMS = (
    _row("metrics", "/api/metrics", "updated"),
    _row("lists", "/api/lists", "updated"),
    _row("segments", "/api/segments", "updated"),
    _row("email_templates", "/api/templates", "updated"),
    _row("flows", "/api/flows", "updated"),
    _row("campaigns", "/api/campaigns", "updated_at"),
    _row("campaigns_detailed", "/api/campaigns", "updated_at"),
    _row("profiles", "/api/profiles", "updated"),
    _row("events", "/api/events", "datetime"),
    _row("events_detailed", "/api/events", "datetime"),
    _row("global_exclusions", "/api/profiles", "updated"),
    _row("tags", "/api/tags", None),
    _row("list_memberships", "/api/lists/{id}/profiles", "joined_group_at", ("list_id", "profile_id"), parent="lists"),
    _row("segment_memberships", "/api/segments/{id}/profiles", "joined_group_at", ("segment_id", "profile_id"),
         parent="segments"),
    _row("flow_actions", "/api/flows/{id}/flow-actions", "updated", parent="flows"),
    _row("campaign_messages", "/api/campaigns/{id}/campaign-messages", "updated_at", parent="campaigns"),
    _row("lists_detailed", "/api/lists/{id}", "updated", parent="lists"),
    _row("flow_messages", "/api/flow-actions/{id}/flow-messages", "updated", parent="flow_actions"),
    _row("segments_detailed", "/api/segments/{id}", "updated", parent="segments"),
    # One partition per conversion metric: config metric_ids, else every record of metrics.
    _row("campaign_values_reports", "/api/campaign-values-reports", "date",
         ("date", "campaign_id", "campaign_message_id", "send_channel", "conversion_metric_id"),
         parent="metrics", report=True),
    _row("flow_series_reports", "/api/flow-series-reports", "date",
         ("date", "flow_id", "flow_message_id", "send_channel", "conversion_metric_id"),
         parent="metrics", report=True),
)

BY_NAME = {s.name: s for s in STREAMS}
NAMES = [s.name for s in STREAMS]
REPORT_STREAMS = tuple(s.name for s in STREAMS if s.report)
# Every stream a read of "all streams" includes (the report streams are read on their own).
NON_REPORT_STREAMS = [s.name for s in STREAMS if not s.report]
INCREMENTAL_STREAMS = [s.name for s in STREAMS if "incremental" in s.sync_modes]

assert len(BY_NAME) == len(STREAMS), "a stream is listed twice"
assert all(s.parent is None or s.parent in BY_NAME for s in STREAMS), "a parent that is not a stream"
