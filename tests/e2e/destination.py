"""Helpers to run the real destination-klaviyo binary: messages in on stdin, Airbyte messages out.

run() checks the same suite-wide invariants as connector.run (every stdout line one valid
AirbyteMessage, no API key in stdout or stderr). Messages are built by the helpers below in the
shapes a source (Segment-spec tracking events, flat data-activation rows) would send.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Iterable

import connector

BINARY = connector.BUILD_DIR / "destination-klaviyo"


def run(verb: str, config: dict | None = None, catalog: dict | None = None, lines: Iterable[Any] = (),
        base_url: str | None = None, env: dict | None = None, timeout: float = 120,
        args: list[str] | None = None) -> connector.Result:
    """Runs `destination-klaviyo <verb>`; `lines` (dicts are JSON-encoded, strings sent verbatim) on stdin."""
    with tempfile.TemporaryDirectory(prefix="sk-dest-") as tmp:
        argv = [str(BINARY)] + (list(args) if args is not None else [verb])
        if args is None and config is not None:
            (Path(tmp) / "config.json").write_text(json.dumps(config))
            argv += ["--config", str(Path(tmp) / "config.json")]
        if args is None and catalog is not None:
            (Path(tmp) / "catalog.json").write_text(json.dumps(catalog))
            argv += ["--catalog", str(Path(tmp) / "catalog.json")]
        stdin = "".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines)
        p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout,
                           env=environment(base_url, env), cwd=tmp)
    secrets = set(connector.KNOWN_SECRETS) | ({config["api_key"]} if config and "api_key" in config else set())
    messages = connector.check_output(p.stdout, p.stderr, secrets)
    return connector.Result(p.returncode, messages, p.stdout, p.stderr, argv)


environment = connector.environment


def catalog(*streams: tuple[str, str | None]) -> dict:
    """A configured catalog: (stream name, destination_object_name or None for tracking messages)."""
    out = []
    for name, obj in streams:
        s = {"stream": {"name": name, "json_schema": {"type": "object"}, "supported_sync_modes": ["full_refresh"]},
             "sync_mode": "full_refresh", "destination_sync_mode": "append"}
        if obj:
            s["destination_object_name"] = obj
        out.append(s)
    return {"streams": out}


def record(stream: str, data: dict, emitted_at: int = 1_700_000_000_000) -> dict:
    return {"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": emitted_at}}


def stream_state(stream: str, cursor: Any, count: float | None = None) -> dict:
    st = {"type": "STREAM", "stream": {"stream_descriptor": {"name": stream}, "stream_state": {"cursor": cursor}}}
    if count is not None:
        st["sourceStats"] = {"recordCount": float(count)}
    return {"type": "STATE", "state": st}


def global_state(n: Any) -> dict:
    return {"type": "STATE", "state": {"type": "GLOBAL", "global": {"shared_state": {"n": n}, "stream_states": []}}}


def track(i: int, event: str = "Placed Order", email: str | None = "auto", **extra) -> dict:
    """A Segment track call; email "auto" -> user<i % 50>@example.com."""
    props: dict[str, Any] = {"n": i, "sku": f"SKU-{i % 7}"}
    if email == "auto":
        email = f"user{i % 50}@example.com"
    if email:
        props["email"] = email
    d = {"type": "track", "event": event, "messageId": f"msg-{i:07d}", "userId": f"u{i % 50}",
         "timestamp": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z", "properties": props}
    d.update(extra)
    return d


def identify(user: int, **traits) -> dict:
    t = {"email": f"user{user}@example.com"}
    t.update(traits)
    return {"type": "identify", "userId": f"u{user}", "messageId": f"id-{user}-{len(traits)}", "traits": t}


def states(result: connector.Result) -> list[dict]:
    return result.of_type("STATE")
