"""Helpers to run the real source-klaviyo binary and inspect its Airbyte messages.

Every invocation goes through run(), which enforces suite-wide invariants on the output:
  * every stdout line is exactly one JSON object that validates against the official
    protocol schema (#/definitions/AirbyteMessage, Draft 7);
  * no API key (the one in the config, and every key the simulator knows) appears in stdout or stderr.
A violation raises ProtocolViolation naming the offending line, so any test fails on it.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import jsonschema
from jsonschema import Draft7Validator, RefResolver

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: stream_table.py
import stream_table  # noqa: E402

SOURCE_DIR = Path(os.environ.get("SK_SOURCE_DIR") or Path(__file__).resolve().parents[2])
BUILD_DIR = Path(os.environ.get("SK_BUILD_DIR") or SOURCE_DIR / "build")
BINARY = BUILD_DIR / "source-klaviyo"
SPEC_PATH = SOURCE_DIR / "spec" / "spec.json"


def _protocol_schema_path() -> Path:
    path = SOURCE_DIR / "third_party" / "airbyte-protocol" / "airbyte_protocol.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: it is part of the repository (third_party/)")
    return path


PROTOCOL_SCHEMA = json.loads(_protocol_schema_path().read_text())
_MESSAGE_VALIDATOR = Draft7Validator(
    {"$ref": "#/definitions/AirbyteMessage"},
    resolver=RefResolver.from_schema(PROTOCOL_SCHEMA),
)

# Every key any test hands to the simulator or the connector; none may ever be printed.
KNOWN_SECRETS: set[str] = {"pk_sim_full_access_key_0001"}

DEFAULT_TIMEOUT = 120


class ProtocolViolation(AssertionError):
    pass


class Result:
    """Outcome of one connector invocation. Unpacks as (rc, messages, stdout, stderr)."""

    def __init__(self, rc: int, messages: list[dict], stdout: str, stderr: str, argv: list[str]):
        self.rc = rc
        self.messages = messages
        self.stdout = stdout
        self.stderr = stderr
        self.argv = argv

    def __iter__(self):
        return iter((self.rc, self.messages, self.stdout, self.stderr))

    def __repr__(self):
        return f"Result(rc={self.rc}, messages={len(self.messages)}, argv={self.argv})"

    # --- message selectors -------------------------------------------------------------------
    def of_type(self, t: str) -> list[dict]:
        return [m for m in self.messages if m["type"] == t]

    def records(self, stream: str | None = None) -> list[dict]:
        return [m["record"] for m in self.messages
                if m["type"] == "RECORD" and (stream is None or m["record"]["stream"] == stream)]

    def record_data(self, stream: str) -> list[dict]:
        return [r["data"] for r in self.records(stream)]

    def ids(self, stream: str) -> list[str]:
        return [r["data"]["id"] for r in self.records(stream)]

    def states(self, stream: str | None = None) -> list[dict]:
        return [m["state"] for m in self.messages
                if m["type"] == "STATE" and (stream is None or state_stream(m["state"]) == stream)]

    def traces(self, t: str | None = None) -> list[dict]:
        return [m["trace"] for m in self.messages if m["type"] == "TRACE" and (t is None or m["trace"]["type"] == t)]

    def errors(self) -> list[dict]:
        return [t["error"] for t in self.traces("ERROR")]

    def statuses(self, stream: str | None = None) -> list[str] | dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for t in self.traces("STREAM_STATUS"):
            ss = t["stream_status"]
            out.setdefault(ss["stream_descriptor"]["name"], []).append(ss["status"])
        return out.get(stream, []) if stream is not None else out

    def logs(self, level: str | None = None) -> list[str]:
        return [m["log"]["message"] for m in self.messages
                if m["type"] == "LOG" and (level is None or m["log"]["level"] == level)]

    def last_states(self) -> dict[str, Any]:
        """stream -> the stream_state of its last STATE message."""
        out = {}
        for s in self.states():
            out[state_stream(s)] = s["stream"]["stream_state"]
        return out

    def state_file(self) -> list[dict]:
        """The state input the platform would pass next time: one STREAM message per stream."""
        return stream_states(self.last_states())

    def connection_status(self) -> dict:
        cs = self.of_type("CONNECTION_STATUS")
        assert len(cs) == 1, f"expected exactly one CONNECTION_STATUS, got {len(cs)}: {self.stdout[:2000]}"
        return cs[0]["connectionStatus"]


def state_stream(state: dict) -> str | None:
    if state.get("type") == "STREAM" or "stream" in state:
        return state["stream"]["stream_descriptor"]["name"]
    return None


def stream_states(blobs: dict[str, Any]) -> list[dict]:
    return [{"type": "STREAM", "stream": {"stream_descriptor": {"name": n}, "stream_state": s}}
            for n, s in blobs.items()]


def _secrets_in(config: Any) -> set[str]:
    found = set()
    if isinstance(config, dict):
        k = config.get("api_key")
        if isinstance(k, str) and len(k) >= 6:
            found.add(k)
    return found


def check_output(stdout: str, stderr: str, secrets: Iterable[str]) -> list[dict]:
    """Validates every stdout line against AirbyteMessage and checks for leaked secrets."""
    messages = []
    for n, line in enumerate(stdout.split("\n"), 1):
        if line == "":
            continue
        try:
            msg = json.loads(line)
        except json.JSONDecodeError as e:
            raise ProtocolViolation(f"stdout line {n} is not JSON ({e}): {line[:500]!r}")
        if not isinstance(msg, dict):
            raise ProtocolViolation(f"stdout line {n} is not a JSON object: {line[:500]!r}")
        errs = sorted(_MESSAGE_VALIDATOR.iter_errors(msg), key=lambda e: list(e.path))
        if errs:
            raise ProtocolViolation(
                f"stdout line {n} is not a valid AirbyteMessage: {errs[0].message} at {list(errs[0].path)}: "
                f"{line[:500]!r}")
        messages.append(msg)
    if stdout and not stdout.endswith("\n"):
        raise ProtocolViolation("stdout does not end with a newline (last message line incomplete)")
    for s in secrets:
        if s and s in stdout:
            raise ProtocolViolation(f"API key {s[:6]}... appears in stdout")
        if s and s in stderr:
            raise ProtocolViolation(f"API key {s[:6]}... appears in stderr")
    return messages


def environment(base_url: str | None, env: dict | None = None) -> dict:
    """The environment of a connector run: KLAVIYO_BASE_URL (the simulator's url) and the rate
    window scale matching that simulator; `env` on top."""
    full = dict(os.environ)
    full.pop("KLAVIYO_BASE_URL", None)
    if base_url is not None:
        full["KLAVIYO_BASE_URL"] = base_url
        from simulator import CONNECTOR_SCALES  # the connector's pacing shrunk like the simulator's limits
        if base_url in CONNECTOR_SCALES:
            full.setdefault("SK_RATE_WINDOW_SCALE", CONNECTOR_SCALES[base_url])
    full.update(env or {})
    return full


def run(verb: str, config: dict | str | None = None, catalog: dict | str | None = None,
        state: Any = None, env: dict | None = None, base_url: str | None = None,
        args: list[str] | None = None, timeout: float = DEFAULT_TIMEOUT,
        config_path: str | None = None, catalog_path: str | None = None,
        state_path: str | None = None) -> Result:
    """Runs `source-klaviyo <verb>` and returns Result(rc, messages, stdout, stderr).

    config / catalog / state: a dict/list is written as JSON to a temp file; a str is written verbatim
    (to test malformed files). *_path passes an existing (or missing) path instead.
    args: replaces the generated argument list entirely (to test command-line errors).
    base_url: sets KLAVIYO_BASE_URL (the simulator's url).
    """
    with tempfile.TemporaryDirectory(prefix="sk-e2e-") as tmp:
        def write(name, obj):
            p = Path(tmp) / name
            p.write_text(obj if isinstance(obj, str) else json.dumps(obj))
            return str(p)

        argv = [str(BINARY), verb]
        if args is not None:
            argv = [str(BINARY)] + list(args)
        else:
            if config is not None or config_path is not None:
                argv += ["--config", config_path or write("config.json", config)]
            if catalog is not None or catalog_path is not None:
                argv += ["--catalog", catalog_path or write("catalog.json", catalog)]
            if state is not None or state_path is not None:
                argv += ["--state", state_path or write("state.json", state)]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=environment(base_url, env),
                           cwd=tmp)
    secrets = set(KNOWN_SECRETS) | _secrets_in(config if isinstance(config, dict) else None)
    messages = check_output(p.stdout, p.stderr, secrets)
    return Result(p.returncode, messages, p.stdout, p.stderr, argv)


# --- catalogs --------------------------------------------------------------------------------

# The report streams run at Klaviyo's reporting pace (2 requests a minute, 225 a day), so a read of
# "every stream" leaves them out; tests/e2e/test_reports.py reads them with a small plan.
REPORT_STREAMS = stream_table.REPORT_STREAMS


def configured_catalog(catalog: dict, streams: Iterable[str] | None = None, mode: str | None = None) -> dict:
    """A ConfiguredAirbyteCatalog from a discovered catalog.

    streams: names to include (None = all but REPORT_STREAMS). mode: "full_refresh", "incremental"
    (streams that do not support it fall back to full_refresh), or None (first supported mode, like
    CAT basic_read).
    """
    by_name = {s["name"]: s for s in catalog["streams"]}
    names = [n for n in by_name if n not in REPORT_STREAMS] if streams is None else list(streams)
    out = []
    for n in names:
        s = by_name[n]
        sm = mode if mode in s["supported_sync_modes"] else s["supported_sync_modes"][0]
        cs = {"stream": copy.deepcopy(s), "sync_mode": sm,
              "destination_sync_mode": "append_dedup" if sm == "incremental" else "overwrite"}
        if s.get("default_cursor_field"):
            cs["cursor_field"] = s["default_cursor_field"]
        if s.get("source_defined_primary_key"):
            cs["primary_key"] = s["source_defined_primary_key"]
        out.append(cs)
    return {"streams": out}


# --- record validation (CAT basic_read rules) -------------------------------------------------

_CAT_DATETIME = re.compile(r"^\d{4}-\d?\d-\d?\d(\s|T)\d?\d:\d?\d:\d?\d(.\d+)?.*$")


def parse_dt(s: str) -> datetime:
    """Parses the datetime forms Klaviyo and the connector use; naive = UTC."""
    d = datetime.fromisoformat(s.strip())
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d


_format_checker = jsonschema.FormatChecker()


@_format_checker.checks("date-time", raises=(ValueError,))
def _check_datetime(value):
    if not isinstance(value, str):
        return True
    if not _CAT_DATETIME.match(value):
        raise ValueError(f"{value!r} does not match CAT's date-time pattern")
    parse_dt(value)
    return True


_strict_types = Draft7Validator.TYPE_CHECKER.redefine(
    "integer", lambda checker, inst: isinstance(inst, int) and not isinstance(inst, bool))
StrictDraft7Validator = jsonschema.validators.extend(Draft7Validator, type_checker=_strict_types)


def record_validator(json_schema: dict):
    return StrictDraft7Validator(json_schema, format_checker=_format_checker)


# --- filter parsing ---------------------------------------------------------------------------

_CLAUSE = re.compile(r"(greater-than|greater-or-equal|less-than|less-or-equal|equals)\(([^,()]+),([^()]*)\)")


def filter_clauses(filter_text: str | None) -> list[tuple[str, str, str]]:
    """[(op, field, literal)] of every comparison clause in a Klaviyo filter expression."""
    if not filter_text:
        return []
    return [(m.group(1), m.group(2), m.group(3)) for m in _CLAUSE.finditer(filter_text)]


def clause_value(filter_text: str | None, op: str, field: str) -> str | None:
    for o, f, v in filter_clauses(filter_text):
        if o == op and f == field:
            return v
    return None
