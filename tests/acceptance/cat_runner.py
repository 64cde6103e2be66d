#!/usr/bin/python3
"""Connector acceptance runner: the checks of Airbyte's Connector Acceptance Tests (CAT 3.x),
re-implemented because the official runner (dagger + airbyte-protocol-models) cannot be
installed here.

It reads integration_tests/acceptance-test-config.yml, starts the Klaviyo simulator, writes a
runtime config for every `secrets/...` config path (pointing at the simulator's key), runs the
connector binary with KLAVIYO_BASE_URL set, and performs the checks of the sections spec,
connection, discovery, basic_read, full_refresh, incremental and connector_attributes as
The project's notes on Airbyte's acceptance tests (§5) describe them.

One line per check:  PASS <section>.<test>[<param>]  |  FAIL <name> : <reason>  |  SKIP <name> : <why>
Exit status 1 if any check failed, 0 otherwise.

Usage (Debian's interpreter: it has jsonschema and yaml):
  /usr/bin/python3 tests/acceptance/cat_runner.py [--build-dir B] [--source-dir S]
      [--connector CMD] [--sections spec,connection,...] [--no-sim] [--write-expected N]

The check functions (check_*) are pure: they take parsed messages / documents and raise
CheckFailed, so tests/acceptance/test_runner_detects_breakage.py can feed them broken inputs.
"""

from __future__ import annotations

import argparse
import copy
import datetime as _dt
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

import jsonschema
import yaml
from jsonschema import Draft7Validator, FormatChecker, RefResolver

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE_DIR = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))  # tests/: stream_table.py
import stream_table  # noqa: E402

# The simulator setup every acceptance run uses; expected_records.jsonl was generated with it
# (`cat_runner.py --write-expected 3`). Ids are deterministic from the seed; the anchor pins
# the dataset's timestamps to a fixed day in the past.
SIM_ARGS = ["--seed", "4242", "--anchor", "2026-01-15", "--profiles", "300", "--events", "3000", "--lists", "12",
            "--segments", "8", "--flows", "8", "--campaigns", "24", "--templates", "30",
            "--no-rate-limits"]
FULL_KEY_DEFAULT = "pk_sim_full_access_key_0001"
# Runtime configs beyond secrets/config.json. The report streams read whole days up to yesterday,
# counted from today, while the simulated account is anchored in the past: a fixed start_date keeps
# its campaigns inside the report windows whatever the date of the run.
RUNTIME_OVERRIDES = {
    "secrets/config_reports.json": {"start_date": "2025-01-01", "campaign_values_window_days": 365},
}

# CAT default timeouts (seconds) per section; a test entry may override with timeout_seconds.
DEFAULT_TIMEOUTS = {"spec": 60, "connection": 60, "discovery": 300, "basic_read": 600,
                    "full_refresh": 1200, "incremental": 1200, "connector_attributes": 600}
MANDATORY_FOR_HIGH = ["spec", "connection", "discovery", "basic_read", "full_refresh", "incremental"]
KNOWN_SECTIONS = MANDATORY_FOR_HIGH + ["connector_attributes", "connector_documentation"]

# CAT test_secret_is_properly_marked: property names (lowercased, exact) that must be secret.
SECRET_PROPERTY_NAMES = {
    "client_token", "access_token", "api_token", "token", "secret", "client_secret", "password", "key",
    "service_account_info", "service_account", "tenant_id", "certificate", "jwt", "credentials", "app_id",
    "appid", "refresh_token",
}
FORBIDDEN_SPEC_KEYWORDS = ["not", "anyOf", "patternProperties", "prefixItems", "allOf", "if", "then", "else",
                           "dependentSchemas", "dependentRequired"]
DATE_PATTERN = "^[0-9]{2}-[0-9]{2}-[0-9]{4}$"
DATETIME_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$"
# CAT's date-time format check: this regex AND a successful parse (pendulum there, ISO parser here).
CAT_DATETIME_RE = re.compile(r"^\d{4}-\d?\d-\d?\d(\s|T)\d?\d:\d?\d:\d?\d(.\d+)?.*$")
INVALID_CATALOG = {"streams": [{
    "stream": {"name": "__AIRBYTE__stream_that_does_not_exist",
               "json_schema": {"type": "object", "properties": {"f1": {"type": "string"}}},
               "supported_sync_modes": ["full_refresh"]},
    "sync_mode": "INVALID", "destination_sync_mode": "INVALID"}]}


class CheckFailed(AssertionError):
    pass


class Skip(Exception):
    pass


class Note(str):
    """A check's PASS annotation (printed after the verdict)."""


def fail(msg: str):
    raise CheckFailed(msg)


def ensure(cond: Any, msg: str):
    if not cond:
        raise CheckFailed(msg)


# ---------------------------------------------------------------------------------------------
# Locating reference schemas
# ---------------------------------------------------------------------------------------------

def _vendored(source_dir: Path, relative: str) -> Path:
    """A schema vendored under third_party/ (see third_party/README.md)."""
    path = source_dir / "third_party" / relative
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: it is part of the repository (third_party/)")
    return path


def protocol_schema_path(source_dir: Path = DEFAULT_SOURCE_DIR) -> Path:
    return _vendored(source_dir, "airbyte-protocol/airbyte_protocol.json")


def metadata_schema_path(source_dir: Path = DEFAULT_SOURCE_DIR) -> Path:
    return _vendored(source_dir, "airbyte-metadata/metadata_schema.json")


_MSG_VALIDATOR: Draft7Validator | None = None


def message_validator() -> Draft7Validator:
    global _MSG_VALIDATOR
    if _MSG_VALIDATOR is None:
        schema = json.loads(protocol_schema_path().read_text())
        _MSG_VALIDATOR = Draft7Validator({"$ref": "#/definitions/AirbyteMessage"},
                                         resolver=RefResolver.from_schema(schema))
    return _MSG_VALIDATOR


PAYLOAD_KEY = {"RECORD": "record", "STATE": "state", "LOG": "log", "SPEC": "spec",
               "CONNECTION_STATUS": "connectionStatus", "CATALOG": "catalog", "TRACE": "trace",
               "CONTROL": "control", "DESTINATION_CATALOG": "destination_catalog"}


# ---------------------------------------------------------------------------------------------
# Running the connector and parsing its output the way CAT does
# ---------------------------------------------------------------------------------------------

class Output:
    def __init__(self, messages: list[dict], exit_code: int, stdout: str, stderr: str, dropped: list[str],
                 argv: list[str] | None = None):
        self.messages = messages
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        self.dropped = dropped
        self.argv = argv or []

    def of(self, t: str) -> list[dict]:
        return [m for m in self.messages if m.get("type") == t]

    @property
    def records(self) -> list[dict]:
        return [m["record"] for m in self.of("RECORD")]

    @property
    def states(self) -> list[dict]:
        return [m["state"] for m in self.of("STATE")]

    @property
    def traces(self) -> list[dict]:
        return [m["trace"] for m in self.of("TRACE")]


def parse_messages(text: str) -> tuple[list[dict], list[str]]:
    """CAT parsing: every line is AirbyteMessage.parse_raw'd; lines that fail are dropped (logged)."""
    v = message_validator()
    out, dropped = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
        except ValueError:
            dropped.append(line)
            continue
        if not isinstance(msg, dict) or next(v.iter_errors(msg), None) is not None:
            dropped.append(line)
            continue
        key = PAYLOAD_KEY.get(msg.get("type"))
        if key is None or not isinstance(msg.get(key), dict):
            dropped.append(line)
            continue
        out.append(msg)
    return out, dropped


class Connector:
    """Runs the connector command (argv prefix) like CAT runs the image entrypoint."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None):
        self.command = command
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.tmp = tempfile.TemporaryDirectory(prefix="cat_runner_")
        self.outputs: list[Output] = []  # every run, for the secret-leak check
        self._n = 0

    def _file(self, name: str, doc: Any) -> str:
        self._n += 1
        p = Path(self.tmp.name) / f"{self._n:03d}_{name}.json"
        p.write_text(json.dumps(doc))
        return str(p)

    def run(self, verb: str, config: str | None = None, catalog: dict | None = None, state: Any = None,
            timeout: int = 600) -> Output:
        argv = list(self.command) + [verb]
        if config is not None:
            argv += ["--config", config]
        if catalog is not None:
            argv += ["--catalog", self._file("catalog", catalog)]
        if state is not None:
            argv += ["--state", self._file("state", state)]
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=self.env)
            rc, so, se = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            so = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            se = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
            rc, se = -9, se + f"\n[cat_runner] timed out after {timeout}s"
        # CAT parses stdout on success and stdout+stderr when the container exits non-zero.
        messages, dropped = parse_messages(so if rc == 0 else so + "\n" + se)
        out = Output(messages, rc, so, se, dropped, argv)
        self.outputs.append(out)
        return out

    def close(self):
        self.tmp.cleanup()


# ---------------------------------------------------------------------------------------------
# Generic JSON helpers (dpath-like search)
# ---------------------------------------------------------------------------------------------

def walk(obj: Any, path: tuple = ()) -> Iterable[tuple[tuple, Any]]:
    """Yields (path, value) for every node below obj (not obj itself)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield path + (k,), v
            yield from walk(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield path + (str(i),), v
            yield from walk(v, path + (str(i),))


def find_key(obj: Any, key: str) -> list[tuple[tuple, Any]]:
    return [(p, v) for p, v in walk(obj) if p and p[-1] == key]


def keyword_paths(obj: Any, key: str) -> list[str]:
    """Paths where `key` is used as a JSON-schema keyword (not as a property name under properties)."""
    hits = []
    for p, _ in find_key(obj, key):
        if len(p) >= 2 and p[-2] == "properties":
            continue
        hits.append("/".join(p))
    return hits


def get_path(obj: Any, path: tuple) -> Any:
    for part in path:
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


# ---------------------------------------------------------------------------------------------
# spec checks (CAT TestSpec)
# ---------------------------------------------------------------------------------------------

def check_spec_emitted_once(out: Output) -> dict:
    specs = out.of("SPEC")
    ensure(len(specs) == 1, f"Spec message should be emitted exactly once, got {len(specs)} "
                            f"(exit {out.exit_code}, {len(out.dropped)} unparsable lines)")
    return specs[0]["spec"]


def strip_underscore_keys(config: dict) -> dict:
    return {k: v for k, v in config.items() if not k.startswith("_")}


def check_config_match_spec(spec: dict, config: dict):
    schema = spec["connectionSpecification"]
    try:
        jsonschema.validate(instance=strip_underscore_keys(config), schema=schema)
    except jsonschema.exceptions.ValidationError as e:
        fail(f"Config invalid: {e.message}")
    except jsonschema.exceptions.SchemaError as e:
        fail(f"Spec is invalid: {e.message}")


def check_match_expected(spec: dict, expected: dict | None):
    if expected is None:
        raise Skip("no spec_path file")
    if spec != expected:
        diffs = sorted(set(_flat(spec).items()) ^ set(_flat(expected).items()))[:5]
        fail(f"Spec should be equal to the one in spec_path; differences: {diffs}")


def _flat(obj: Any, prefix: str = "") -> dict[str, str]:
    out = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(_flat(v, f"{prefix}/{k}"))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(_flat(v, f"{prefix}/{i}"))
    else:
        out[prefix] = json.dumps(obj)
    return out


def check_enum_usage(spec: dict):
    for p, v in find_key(spec["connectionSpecification"], "enum"):
        if isinstance(v, list):
            seen = [json.dumps(x, sort_keys=True) for x in v]
            ensure(len(seen) == len(set(seen)), f"Enum at {'/'.join(p)} has duplicate values: {v}")


def check_oneof_usage(spec: dict):
    root = spec["connectionSpecification"]
    problems = []
    for kw in ("oneOf", "anyOf"):
        for p, variants in find_key(root, kw):
            if len(p) >= 2 and p[-2] == "properties":
                continue
            parent = get_path(root, p[:-1])
            where = "/".join(p)
            if parent.get("type") != "object":
                problems.append(f"{where}: parent of {kw} must have type object")
            if not isinstance(variants, list) or not all(isinstance(v, dict) and "properties" in v for v in variants):
                problems.append(f"{where}: every variant must have properties")
                continue
            common = set.intersection(*[set(v["properties"]) for v in variants]) if variants else set()
            if not common:
                problems.append(f"{where}: variants have no common property")
                continue
            const_props = [c for c in common if all("const" in v["properties"][c] for v in variants)]
            if len(const_props) != 1:
                problems.append(f"{where}: exactly one common property must be a const discriminator, "
                                f"found {sorted(const_props)}")
                continue
            c = const_props[0]
            for v in variants:
                prop = v["properties"][c]
                if "default" in prop and prop["default"] != prop["const"]:
                    problems.append(f"{where}: discriminator {c} default differs from const")
                if "enum" in prop and prop["enum"] != [prop["const"]]:
                    problems.append(f"{where}: discriminator {c} enum must be [const]")
    ensure(not problems, "; ".join(problems))


def _spec_property_name(type_path: tuple) -> tuple[str | None, bool]:
    reserved = ("anyOf", "oneOf", "allOf", "not", "properties", "items", "type", "prefixItems")
    for part in reversed(type_path[:-1]):
        if part.isdigit() or part in reserved:
            continue
        return part, part.lower() in SECRET_PROPERTY_NAMES
    return None, False


def _can_store_secret(prop: dict) -> bool:
    unsecure = {"string", "integer", "number"}
    t = prop.get("type")
    can = (isinstance(t, str) and t in unsecure) or (isinstance(t, list) and bool(set(t) & unsecure))
    return bool(can) and not bool(prop.get("const"))


def check_secret_is_properly_marked(spec: dict):
    props = spec["connectionSpecification"].get("properties", {})
    exposed, hidden = [], []
    for p, _ in find_key(props, "type"):
        _, is_secret_name = _spec_property_name(p)
        if not is_secret_name:
            continue
        prop = get_path(props, p[:-1])
        if not isinstance(prop, dict):
            continue
        marked = prop.get("airbyte_secret", False)
        possible = _can_store_secret(prop)
        if marked and not possible:
            hidden.append("/".join(p[:-1]))
        if not marked and possible:
            exposed.append("/".join(p[:-1]))
    ensure(not exposed, f"Secret properties are not marked airbyte_secret: {exposed}")
    ensure(not hidden, f"Properties that cannot hold secrets are marked airbyte_secret: {hidden}")


def check_property_type_is_not_array(spec: dict):
    for p, t in find_key(spec["connectionSpecification"], "type"):
        if len(p) >= 3 and p[-3] == "properties" and isinstance(t, list):
            ensure(len(t) in (1, 2) and (len(t) == 1 or t[1] == "null"),
                   f"{'/'.join(p)}: a list type must be [T] or [T, \"null\"], got {t}")


def check_object_not_empty(spec: dict):
    root = spec["connectionSpecification"]
    for p, t in find_key(root, "type"):
        if t != "object" or len(p) == 1:
            continue
        node = get_path(root, p[:-1])
        if not isinstance(node, dict):
            continue
        ensure(node.get("properties") or node.get("oneOf"),
               f"{'/'.join(p[:-1])}: an object must have non-empty properties or oneOf")


def check_array_type(spec: dict):
    root = spec["connectionSpecification"]
    for p, t in find_key(root, "type"):
        if t != "array":
            continue
        node = get_path(root, p[:-1])
        if not isinstance(node, dict) or "items" not in node:
            continue
        items = node["items"]
        ensure(isinstance(items, dict), f"{'/'.join(p[:-1])}: items must be one schema, not a list")
        ensure(items.get("type") in ("object", "string", "number", "integer") or "enum" in items,
               f"{'/'.join(p[:-1])}: items must be object/string/number/integer or an enum")


def check_forbidden_complex_types(spec: dict):
    bad = {kw: keyword_paths(spec["connectionSpecification"], kw) for kw in FORBIDDEN_SPEC_KEYWORDS}
    bad = {k: v for k, v in bad.items() if v}
    ensure(not bad, f"Forbidden keywords used: {bad}")


def check_date_pattern(spec: dict) -> str | None:
    warnings = []
    for p, fmt in find_key(spec["connectionSpecification"], "format"):
        node = get_path(spec["connectionSpecification"], p[:-1])
        if fmt == "date" and node.get("pattern") != DATE_PATTERN:
            warnings.append(f"{'/'.join(p[:-1])}: format date without the standard pattern")
        if fmt == "date-time" and node.get("pattern") != DATETIME_PATTERN:
            warnings.append(f"{'/'.join(p[:-1])}: format date-time without the standard pattern")
    return Note("warning: " + "; ".join(warnings)) if warnings else None  # CAT: warning only


def check_date_format(spec: dict) -> str | None:
    warnings = []
    for p, pat in find_key(spec["connectionSpecification"], "pattern"):
        node = get_path(spec["connectionSpecification"], p[:-1])
        if pat == DATE_PATTERN and node.get("format") != "date":
            warnings.append(f"{'/'.join(p[:-1])}: date pattern without format date")
        if pat == DATETIME_PATTERN and node.get("format") != "date-time":
            warnings.append(f"{'/'.join(p[:-1])}: date-time pattern without format date-time")
    return Note("warning: " + "; ".join(warnings)) if warnings else None  # CAT: warning only


def check_duplicate_order(spec: dict):
    root = spec["connectionSpecification"]
    nodes = [root] + [v for _, v in walk(root) if isinstance(v, dict)]
    for node in nodes:
        if node.get("type") != "object" or not isinstance(node.get("properties"), dict):
            continue
        seen: dict[Any, set] = defaultdict(set)
        for name, prop in node["properties"].items():
            if isinstance(prop, dict) and "order" in prop:
                g = prop.get("group")
                ensure(prop["order"] not in seen[g], f"duplicate order {prop['order']} (group {g}) at {name}")
                seen[g].add(prop["order"])


def check_nested_group(spec: dict):
    root = spec["connectionSpecification"]
    for p, _ in find_key(root, "group"):
        if len(p) >= 2 and p[-2] == "properties":
            continue
        ensure(len(p) == 3 and p[0] == "properties", f"group used on a nested property: {'/'.join(p)}")


def check_display_type(spec: dict):
    root = spec["connectionSpecification"]
    for p, v in find_key(root, "display_type"):
        node = get_path(root, p[:-1])
        ensure("oneOf" in node, f"{'/'.join(p)}: display_type only on fields with oneOf")
        ensure(v in ("dropdown", "radio"), f"{'/'.join(p)}: display_type must be dropdown or radio")


def check_no_refs(doc: Any, what: str = "spec"):
    refs = ["/".join(p) for p, _ in find_key(doc, "$ref")]
    ensure(not refs, f"{what} has $ref (must be fully inlined): {refs[:5]}")


def check_oauth_flow_parameters(spec: dict):
    adv = spec.get("advanced_auth")
    if not adv:
        raise Skip("no advanced_auth in spec")
    schema = spec["connectionSpecification"]

    def exists(path: list[str]) -> bool:
        nodes = [schema]
        for part in path:
            nxt = []
            for node in nodes:  # descend through properties, and through oneOf variants
                for n in [node] + [v for v in node.get("oneOf", []) if isinstance(v, dict)]:
                    if isinstance(n.get("properties"), dict) and part in n["properties"]:
                        nxt.append(n["properties"][part])
            if not nxt:
                return False
            nodes = nxt
        return True

    if adv.get("predicate_key"):
        ensure(exists(adv["predicate_key"]), f"predicate_key {adv['predicate_key']} not in the config schema")
    for p, v in find_key(adv.get("oauth_config_specification", {}), "path_in_connector_config"):
        ensure(exists(v), f"path_in_connector_config {v} not in the config schema")


def check_oauth_is_default_method(spec: dict):
    adv = spec.get("advanced_auth")
    if not adv or not adv.get("predicate_key"):
        raise Skip("no advanced_auth with predicate_key")
    key = adv["predicate_key"]
    node = spec["connectionSpecification"]
    for part in key[:-1]:
        node = node.get("properties", {}).get(part, {})
    variants = node.get("oneOf")
    if not variants:
        raise Skip("the credentials object has no oneOf")
    const = variants[0].get("properties", {}).get(key[-1], {}).get("const")
    ensure(const == adv.get("predicate_value"),
           f"the first oneOf variant ({const!r}) is not the OAuth method {adv.get('predicate_value')!r}")


def check_additional_properties_is_true(doc: Any, what: str):
    bad = ["/".join(p) for p, v in find_key(doc, "additionalProperties")
           if not (len(p) >= 2 and p[-2] == "properties") and v is not True]
    ensure(not bad, f"{what}: additionalProperties must be true: {bad[:5]}")


# --- Docker image checks (from the Dockerfile text: no image registry here) -------------------

def parse_dockerfile(text: str, stage: str | None = None) -> dict:
    """Labels, ENV, ENTRYPOINT, USER and WORKDIR of a stage (the last one unless `stage` names one;
    line continuations joined). A stage built FROM an earlier stage inherits what Docker carries over
    (labels, env, entrypoint, user, workdir), and its "from" is that stage's base image."""
    joined = re.sub(r"\\\n", " ", text)
    stages: list[dict] = []
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        instr, _, rest = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            words = rest.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            base = next((s for s in stages if s["name"] == words[0]), None)
            st = json.loads(json.dumps(base)) if base else {
                "labels": {}, "env": {}, "entrypoint": None, "user": None, "workdir": None, "from": words[0]}
            st["name"] = name
            stages.append(st)
            continue
        if not stages:
            continue
        st = stages[-1]
        if instr in ("LABEL", "ENV"):
            target = st["labels"] if instr == "LABEL" else st["env"]
            pairs = shlex.split(rest)
            if instr == "ENV" and len(pairs) >= 2 and "=" not in pairs[0]:
                target[pairs[0]] = " ".join(pairs[1:])
            else:
                for kv in pairs:
                    k, _, v = kv.partition("=")
                    target[k] = v
        elif instr == "ENTRYPOINT":
            try:
                ep = json.loads(rest)
                st["entrypoint"] = ep if isinstance(ep, list) else None
            except ValueError:
                st["entrypoint"] = ["/bin/sh", "-c", rest]  # shell form
        elif instr == "USER":
            st["user"] = rest.strip()
        elif instr == "WORKDIR":
            st["workdir"] = rest.strip()
    ensure(stages, "Dockerfile has no FROM")
    if stage is None:
        return stages[-1]
    named = [s for s in stages if s["name"] == stage]
    ensure(named, f"Dockerfile has no stage named {stage!r}")
    return named[0]


def check_image_labels(image: dict, metadata: dict):
    data = metadata["data"]
    ensure(image["labels"].get("io.airbyte.name") == data["dockerRepository"],
           f"io.airbyte.name={image['labels'].get('io.airbyte.name')!r} != dockerRepository={data['dockerRepository']!r}")
    ensure(image["labels"].get("io.airbyte.version") == data["dockerImageTag"],
           f"io.airbyte.version={image['labels'].get('io.airbyte.version')!r} != dockerImageTag={data['dockerImageTag']!r}")


def check_image_environment_variables(image: dict):
    ep = image.get("entrypoint")
    ensure(ep, "ENTRYPOINT is not set in exec form")
    env = image["env"].get("AIRBYTE_ENTRYPOINT")
    ensure(env, "ENV AIRBYTE_ENTRYPOINT is not set")
    ensure(env == " ".join(ep), f"AIRBYTE_ENTRYPOINT {env!r} != ' '.join(ENTRYPOINT) {' '.join(ep)!r}")


def check_secret_never_in_output(outputs: list[Output], secrets: list[str]):
    """CAT has this test as an empty placeholder; here it is real: no secret in any stdout/stderr."""
    for o in outputs:
        for s in secrets:
            if s and (s in o.stdout or s in o.stderr):
                fail(f"a secret from the config appears in the output of {' '.join(o.argv[-4:])}")


def check_every_line_is_a_message(outputs: list[Output]):
    """Beyond CAT (which drops such lines with a warning): every stdout line of every run was a valid
    AirbyteMessage, so nothing the connector meant to say was silently lost."""
    for o in outputs:
        if o.exit_code == 0 and o.dropped:
            fail(f"{len(o.dropped)} stdout line(s) of '{' '.join(o.argv[-5:])}' are not valid AirbyteMessages, "
                 f"e.g. {o.dropped[0][:200]}")
        if o.exit_code != 0:
            bad = [l for l in parse_messages(o.stdout)[1]]
            ensure(not bad, f"{len(bad)} stdout line(s) of '{' '.join(o.argv[-5:])}' are not valid AirbyteMessages, "
                            f"e.g. {bad[0][:200] if bad else ''}")


# ---------------------------------------------------------------------------------------------
# connection checks (CAT TestConnection.test_check)
# ---------------------------------------------------------------------------------------------

def check_connection(out: Output, status: str):
    statuses = out.of("CONNECTION_STATUS")
    if status in ("succeed", "failed"):
        ensure(len(statuses) == 1, f"expected exactly one CONNECTION_STATUS, got {len(statuses)}")
        got = statuses[0]["connectionStatus"]["status"]
        want = "SUCCEEDED" if status == "succeed" else "FAILED"
        ensure(got == want, f"status {got}, expected {want}: {statuses[0]['connectionStatus'].get('message')}")
    elif status == "exception":
        traces = out.traces
        ensure(len(traces) == 1, f"expected exactly one TRACE message, got {len(traces)}")
        ensure(traces[0]["type"] == "ERROR" and traces[0].get("error", {}).get("message"),
               "the TRACE must be an ERROR with a message")
    else:
        fail(f"unknown expected status {status!r}")


# ---------------------------------------------------------------------------------------------
# discovery checks (CAT TestDiscovery)
# ---------------------------------------------------------------------------------------------

def check_discover(out: Output) -> dict[str, dict]:
    catalogs = out.of("CATALOG")
    ensure(len(catalogs) == 1, f"expected exactly one CATALOG message, got {len(catalogs)}")
    streams = catalogs[0]["catalog"]["streams"]
    ensure(streams, "the catalog has no streams")
    names = [s["name"] for s in streams]
    ensure(len(names) == len(set(names)), f"stream names are not unique: {names}")
    return {s["name"]: s for s in streams}


def check_streams_have_valid_json_schemas(catalog: dict[str, dict]):
    for name, s in catalog.items():
        try:
            Draft7Validator.check_schema(s["json_schema"])
        except jsonschema.exceptions.SchemaError as e:
            fail(f"{name}: invalid JSON schema: {e.message}")


def _schema_has_path(schema: dict, path: list[str]) -> bool:
    node = schema
    for part in path:
        props = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(props, dict) or part not in props:
            return False
        node = props[part]
    return True


def check_defined_cursors_exist_in_schema(catalog: dict[str, dict]):
    for name, s in catalog.items():
        cur = s.get("default_cursor_field")
        if not cur:
            continue
        ensure("properties" in s["json_schema"], f"{name}: schema has no top-level properties")
        ensure(_schema_has_path(s["json_schema"], cur), f"{name}: default_cursor_field {cur} not in the schema")


def check_defined_keyword_absent(catalog: dict[str, dict], keyword: str):
    for name, s in catalog.items():
        hits = keyword_paths(s["json_schema"], keyword)
        ensure(not hits, f"{name}: schema uses {keyword}: {hits[:3]}")


def check_primary_keys_exist_in_schema(catalog: dict[str, dict]):
    for name, s in catalog.items():
        for pk in s.get("source_defined_primary_key") or []:
            ensure(_schema_has_path(s["json_schema"], pk), f"{name}: primary key {pk} not in the schema")


def check_streams_has_sync_modes(catalog: dict[str, dict]):
    for name, s in catalog.items():
        ensure(s.get("supported_sync_modes"), f"{name}: supported_sync_modes missing or empty")


def check_primary_keys_data_type_in_schema(catalog: dict[str, dict]):
    for name, s in catalog.items():
        for pk in s.get("source_defined_primary_key") or []:
            node = s["json_schema"]
            for part in pk:
                node = node.get("properties", {}).get(part)
                ensure(node is not None, f"{name}: primary key {pk} not in the schema")
            t = node.get("type", [])
            t = t if isinstance(t, list) else [t]
            ensure("object" not in t and "array" not in t, f"{name}: primary key {pk} has type {t}")


def check_catalog_covers(discovered: dict[str, dict], configured: dict, incremental_only: bool):
    """Beyond CAT: a committed configured catalog that misses discovered streams leaves them untested
    (regenerate with cat_runner.py --write-expected 3)."""
    want = {n for n, s in discovered.items() if not incremental_only or "incremental" in s["supported_sync_modes"]}
    have = {cs["stream"]["name"] for cs in configured["streams"]}
    ensure(want <= have, f"streams missing from the configured catalog: {sorted(want - have)}")
    ensure(have <= set(discovered), f"streams the connector does not have: {sorted(have - set(discovered))}")


def check_catalog_has_supported_data_types(catalog: dict[str, dict]):
    raise Skip("marked skip in CAT 3.x")


# ---------------------------------------------------------------------------------------------
# basic_read checks (CAT TestBasicRead)
# ---------------------------------------------------------------------------------------------

def catalog_from_discovered(discovered: dict[str, dict], empty_streams: set[str]) -> dict:
    """CAT's basic_read catalog: every discovered stream but the empty ones, sync_mode =
    supported_sync_modes[0], append, default cursor, source-defined primary key."""
    streams = []
    for name, s in discovered.items():
        if name in empty_streams:
            continue
        cs = {"stream": s, "sync_mode": s["supported_sync_modes"][0], "destination_sync_mode": "append"}
        if s.get("default_cursor_field"):
            cs["cursor_field"] = s["default_cursor_field"]
        if s.get("source_defined_primary_key"):
            cs["primary_key"] = s["source_defined_primary_key"]
        streams.append(cs)
    return {"streams": streams}


def _parse_datetime(value: str) -> bool:
    v = value.strip()
    if v.endswith("Z") or v.endswith("z"):
        v = v[:-1] + "+00:00"
    v = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", v)
    try:
        _dt.datetime.fromisoformat(v)
        return True
    except ValueError:
        pass
    # pendulum also accepts fractional seconds of any length; trim to microseconds and retry
    m = re.match(r"^(.*?\.\d{1,6})\d*(.*)$", v)
    if m:
        try:
            _dt.datetime.fromisoformat(m.group(1) + m.group(2))
            return True
        except ValueError:
            pass
    return False


def _record_validator_class():
    def strict_int(_checker, instance):
        return isinstance(instance, int) and not isinstance(instance, bool)

    tc = Draft7Validator.TYPE_CHECKER.redefine("integer", strict_int)
    return jsonschema.validators.extend(Draft7Validator, type_checker=tc)


RecordValidator = _record_validator_class()
RECORD_FORMAT_CHECKER = FormatChecker()


@RECORD_FORMAT_CHECKER.checks("date-time")
def _cat_datetime(value: Any) -> bool:
    if value is None or not isinstance(value, str):
        return True
    return bool(CAT_DATETIME_RE.match(value)) and _parse_datetime(value)


def check_records_present(records: list[dict]):
    ensure(records, "At least one record should be read using provided catalog")


def _object_structure(obj: Any) -> set[str]:
    paths: set[str] = set()

    def trav(o: Any, path: str = ""):
        if path:
            paths.add(path)
        if isinstance(o, dict):
            for k, v in o.items():
                trav(v, f"{path}/{k}")
        elif isinstance(o, list) and o:
            trav(o[0], f"{path}/[]")

    trav(obj)
    return paths


def _schema_structure(schema: dict) -> set[str]:
    paths: set[str] = set()

    def scan(sub: dict, path: str = ""):
        if not isinstance(sub, dict):
            return
        if "oneOf" in sub or "anyOf" in sub:
            for s in sub.get("oneOf") or sub.get("anyOf"):
                scan(s, path)
            return
        t = sub.get("type", ["object", "null"])
        t = t if isinstance(t, list) else [t]
        if "object" in t:
            props = sub.get("properties")
            if not props:
                if path:
                    paths.add(path)
                return
            for k, v in props.items():
                scan(v, f"{path}/{k}")
            return
        if "array" in t:
            scan(sub.get("items", {}), f"{path}/[]")
            return
        paths.add(path)

    scan(schema)
    return paths


def check_records_structure(catalog: dict, records: list[dict]):
    schemas = {cs["stream"]["name"]: _schema_structure(cs["stream"]["json_schema"]) for cs in catalog["streams"]}
    for r in records:
        sp = schemas.get(r["stream"])
        if not sp:
            continue
        fields = _object_structure(r["data"])
        ensure(fields & sp, f"a record of {r['stream']} with fields {sorted(fields)[:8]} has no field of its schema")


def check_records_validate(catalog: dict, records: list[dict]):
    validators = {cs["stream"]["name"]: RecordValidator(cs["stream"]["json_schema"], format_checker=RECORD_FORMAT_CHECKER)
                  for cs in catalog["streams"]}
    errors: dict[str, list[str]] = defaultdict(list)
    for r in records:
        v = validators.get(r["stream"])
        if v is None:
            continue
        for e in v.iter_errors(r["data"]):
            if len(errors[r["stream"]]) < 3:
                errors[r["stream"]].append(f"/{'/'.join(map(str, e.absolute_path))}: {e.message[:160]}")
            else:
                break
    ensure(not errors, "Records do not conform to the schema: " + json.dumps(dict(errors)))


def check_streams_non_empty(catalog: dict, records: list[dict], empty_streams: set[str]):
    counts = defaultdict(int)
    for r in records:
        counts[r["stream"]] += 1
    missing = [cs["stream"]["name"] for cs in catalog["streams"]
               if cs["stream"]["name"] not in empty_streams and counts[cs["stream"]["name"]] == 0]
    ensure(not missing, f"All streams should return some records; empty: {missing}")


def check_primary_keys_data_type(catalog: dict, records: list[dict]):
    pks = {cs["stream"]["name"]: cs["stream"].get("source_defined_primary_key") for cs in catalog["streams"]}
    for r in records:
        keys = pks.get(r["stream"])
        if not keys:
            continue
        values = []
        for path in keys:
            node: Any = r["data"]
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            ensure(not isinstance(node, (list, dict)), f"{r['stream']}: primary key {path} value is {type(node).__name__}")
            values.append(node)
        ensure(any(v is not None for v in values), f"{r['stream']}: all primary key values are null in a record")


def _pk_value(data: dict, pk: list[list[str]]) -> tuple:
    out = []
    for path in pk:
        node: Any = data
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        out.append(json.dumps(node, sort_keys=True))
    return tuple(out)


def check_expected_records(discovered: dict[str, dict], records: list[dict], expected: list[dict],
                           exact_order: bool = False):
    by_stream_actual = defaultdict(list)
    for r in records:
        by_stream_actual[r["stream"]].append(r)
    by_stream_expected = defaultdict(list)
    for e in expected:
        by_stream_expected[e["stream"]].append(e)
    for stream, exp in by_stream_expected.items():
        actual = by_stream_actual.get(stream, [])
        pk = (discovered.get(stream) or {}).get("source_defined_primary_key")
        if pk:
            actual_pks = [_pk_value(r["data"], pk) for r in actual]
            expected_pks = [_pk_value(e["data"], pk) for e in exp]
            if exact_order:
                ensure(actual_pks[:len(expected_pks)] == expected_pks,
                       f"{stream}: actual records do not start with the expected ones in order")
            else:
                missing = [p for p in expected_pks if p not in set(actual_pks)]
                ensure(not missing, f"{stream}: {len(missing)} expected primary keys not read, e.g. {missing[:3]}")
        else:
            ensure(len(exp) <= len(actual), f"{stream}: more expected records ({len(exp)}) than read ({len(actual)})")


def check_stream_statuses(catalog: dict, traces: list[dict]):
    configured = {f"{cs['stream'].get('namespace')}-{cs['stream']['name']}" for cs in catalog["streams"]}
    seq: dict[str, list[str]] = defaultdict(list)
    for t in traces:
        if t.get("type") != "STREAM_STATUS":
            continue
        ss = t["stream_status"]
        d = ss["stream_descriptor"]
        seq[f"{d.get('namespace')}-{d['name']}"].append(ss["status"])
    ensure(set(seq) == configured,
           f"streams with statuses {sorted(seq)} != configured streams {sorted(configured)}")
    for name, statuses in seq.items():
        ensure(len(statuses) >= 3, f"{name}: expected ≥3 statuses, got {statuses}")
        ensure(statuses[0] == "STARTED", f"{name}: first status is {statuses[0]}, expected STARTED")
        ensure(statuses[-1] == "COMPLETE", f"{name}: last status is {statuses[-1]}, expected COMPLETE")
        ensure(all(s == "RUNNING" for s in statuses[1:-1]), f"{name}: statuses between must be RUNNING: {statuses}")


def check_state_messages(catalog: dict, states: list[dict]):
    ensure(len(states) >= len(catalog["streams"]),
           f"{len(states)} STATE messages for {len(catalog['streams'])} configured streams")
    for s in states:
        ensure(s.get("type") != "LEGACY", "a LEGACY state was emitted")
        ensure(isinstance(s.get("stream"), dict) and s["stream"].get("stream_descriptor", {}).get("name"),
               f"a state without stream.stream_descriptor.name: {json.dumps(s)[:200]}")
        ensure(isinstance(s.get("sourceStats"), dict), f"a state without sourceStats: {json.dumps(s)[:200]}")


def check_state_record_counts(messages: list[dict]):
    """Beyond CAT: the platform's checksum (StateCheckSumCountEventHandler): every STREAM state's
    sourceStats.recordCount equals the records of that stream since its previous state."""
    since: dict[str, int] = defaultdict(int)
    for m in messages:
        if m["type"] == "RECORD":
            since[m["record"]["stream"]] += 1
        elif m["type"] == "STATE" and m["state"].get("type") == "STREAM":
            name = m["state"]["stream"]["stream_descriptor"]["name"]
            got = (m["state"].get("sourceStats") or {}).get("recordCount")
            ensure(got is not None and float(got) == float(since[name]),
                   f"{name}: state recordCount {got} but {since[name]} records were emitted since the previous state")
            since[name] = 0


def check_trace_on_failure(out: Output):
    errors = [t for t in out.traces if t.get("type") == "ERROR"]
    ensure(errors, "a read with an invalid catalog must emit at least one TRACE ERROR")


# ---------------------------------------------------------------------------------------------
# full_refresh (CAT TestFullRefresh.test_sequential_reads)
# ---------------------------------------------------------------------------------------------

def full_refresh_catalog(catalog: dict) -> dict:
    c = copy.deepcopy(catalog)
    c["streams"] = [cs for cs in c["streams"] if "full_refresh" in cs["stream"]["supported_sync_modes"]]
    for cs in c["streams"]:
        cs["sync_mode"] = "full_refresh"
    return c


def check_sequential_full_refresh(records_1: list[dict], records_2: list[dict]):
    ensure(records_1, "At least one record should be read using provided catalog")
    ensure(records_2, "the second read returned no records")
    m1 = max(r["emitted_at"] for r in records_1)
    m2 = min(r["emitted_at"] for r in records_2)
    ensure(m1 < m2, f"emitted_at is not increasing across reads: max(read 1)={m1} >= min(read 2)={m2}")


# ---------------------------------------------------------------------------------------------
# incremental (CAT TestIncremental)
# ---------------------------------------------------------------------------------------------

def incremental_catalog(catalog: dict) -> dict:
    c = copy.deepcopy(catalog)
    c["streams"] = [cs for cs in c["streams"] if "incremental" in cs["stream"]["supported_sync_modes"]]
    for cs in c["streams"]:
        cs["sync_mode"] = "incremental"
        cur = cs.get("cursor_field") or cs["stream"].get("default_cursor_field")
        ensure(cur, f"{cs['stream']['name']}: no cursor_field and no default_cursor_field")
        cs["cursor_field"] = cur
    return c


def state_input_from(states: list[dict]) -> Any:
    """CAT: the latest stream_state per stream as an array of STREAM state messages; for a LEGACY
    last state, its data."""
    ensure(states, "no STATE message to build the next state from")
    last = states[-1]
    if last.get("type") != "STREAM":
        return last.get("data")
    latest: dict[str, dict] = {}
    for s in states:
        if s.get("type") == "STREAM":
            latest[s["stream"]["stream_descriptor"]["name"]] = s["stream"]
    out = []
    for name, st in latest.items():
        desc = {"name": name}
        if isinstance(st.get("stream_state"), dict) and "stream_namespace" in st["stream_state"]:
            desc["namespace"] = st["stream_state"]["stream_namespace"]
        out.append({"type": "STREAM", "stream": {"stream_descriptor": desc, "stream_state": st.get("stream_state")}})
    return out


def _canon(records: list[dict]) -> list[str]:
    return sorted(json.dumps(r["data"], sort_keys=True) for r in records)


def check_two_sequential_reads_first(out1: Output):
    ensure(out1.states, "first incremental read emitted no STATE")
    ensure(out1.records, "first incremental read emitted no RECORD")


def check_two_sequential_reads_differ(records_1: list[dict], records_2: list[dict]):
    if not records_2:
        return
    ensure(_canon(records_1) != _canon(records_2), "Records for subsequent reads with new state should be different")


def select_checkpoints(states: list[dict], total_records: int) -> list[tuple[dict, int]]:
    """CAT test_read_sequential_slices, steps 2–4: collapse consecutive identical stream_states
    (summing recordCount), drop zero-count ones, compute the records expected after each, sample."""
    collapsed: list[list] = []  # [state, count]
    for s in states:
        stream_state = (s.get("stream") or {}).get("stream_state") if s.get("type") == "STREAM" else s.get("data")
        count = (s.get("sourceStats") or {}).get("recordCount") or 0
        if collapsed and collapsed[-1][2] == json.dumps(stream_state, sort_keys=True):
            collapsed[-1][1] += count
        else:
            collapsed.append([s, count, json.dumps(stream_state, sort_keys=True)])
    kept = [(s, c) for s, c, _ in collapsed if c]
    ensure(kept, "no suitable state checkpoint, likely due to a zero record count")
    with_expected = []
    seen = 0
    for s, c in kept:
        seen += c
        with_expected.append((s, int(total_records - seen)))
    if len(with_expected) < 3:
        return [with_expected[-1]]
    k = len(with_expected) // 5 or 1
    return with_expected[1:-1][::k]


def check_slice_read(records: list[dict], expected_count: int, records_1: list[dict]):
    ensure(len(records) >= expected_count,
           f"read from a checkpoint returned {len(records)} records, expected at least {expected_count}")
    if records_1:
        ensure(_canon(records) != _canon(records_1), "reading from a checkpoint returned exactly the first read")


def check_abnormal_state(out: Output):
    ensure(not out.records, f"Reading with an abnormally large state must return no records, got {len(out.records)}")
    ensure(out.states, "Reading with an abnormally large state must emit at least one STATE")


def check_future_state_covers(catalog: dict, future_state: Any, missing_bypassed: set[str]):
    names = set()
    if isinstance(future_state, list):
        for s in future_state:
            if s.get("type") == "STREAM":
                names.add(s["stream"]["stream_descriptor"]["name"])
            elif s.get("type") == "GLOBAL":
                names |= {x["stream_descriptor"]["name"] for x in s["global"]["stream_states"]}
    elif isinstance(future_state, dict):
        names = set(future_state)
    inc = {cs["stream"]["name"] for cs in catalog["streams"] if "incremental" in cs["stream"]["supported_sync_modes"]}
    missing = sorted(inc - names - missing_bypassed)
    ensure(not missing, f"future_state does not cover incremental streams {missing} (add them or bypass)")


# ---------------------------------------------------------------------------------------------
# acceptance-test-config.yml rules (CAT config.py + strictness)
# ---------------------------------------------------------------------------------------------

def check_test_config(cfg: dict):
    allowed_top = {"connector_image", "test_strictness_level", "base_path", "custom_environment_variables",
                   "acceptance_tests", "connector_build_options", "cache_discovered_catalog"}
    unknown = set(cfg) - allowed_top
    ensure(not unknown, f"unknown top-level keys: {sorted(unknown)}")
    ensure(cfg.get("connector_image"), "connector_image is required")
    level = cfg.get("test_strictness_level", "low")
    ensure(level in ("low", "high"), f"test_strictness_level {level!r}")
    at = cfg.get("acceptance_tests") or {}
    unknown = set(at) - set(KNOWN_SECTIONS)
    ensure(not unknown, f"unknown sections: {sorted(unknown)}")
    for name, sec in at.items():
        ensure(isinstance(sec, dict) and (("tests" in sec) != ("bypass_reason" in sec)),
               f"{name}: needs exactly one of tests / bypass_reason")
    if level != "high":
        return
    for name in MANDATORY_FOR_HIGH:
        ensure(name in at, f"{name} is mandatory with test_strictness_level high")
    for t in (at.get("basic_read") or {}).get("tests", []):
        ensure("configured_catalog_path" not in t, "basic_read: high strictness reads the discovered catalog")
        er = t.get("expect_records")
        ensure(er and (er.get("path") or er.get("bypass_reason")), "basic_read: expect_records required")
        for es in t.get("empty_streams") or []:
            ensure(es.get("bypass_reason"), f"basic_read: empty stream {es.get('name')} needs a bypass_reason")
        for f in t.get("ignored_fields") or {}:
            for x in t["ignored_fields"][f]:
                ensure(x.get("bypass_reason"), f"basic_read: ignored field {f}.{x.get('name')} needs a bypass_reason")
        ensure(t.get("validate_schema", True), "basic_read: validate_schema must stay true")
    for t in (at.get("incremental") or {}).get("tests", []):
        fs = t.get("future_state") or {}
        ensure(fs.get("future_state_path") or fs.get("bypass_reason"),
               "incremental: future_state required with high strictness")


# ---------------------------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------------------------

class Report:
    def __init__(self, stream=sys.stdout):
        self.results: list[tuple[str, str, str]] = []
        self.stream = stream

    def run(self, name: str, fn: Callable, *args, **kwargs) -> Any:
        try:
            value = fn(*args, **kwargs)
        except Skip as e:
            self._emit(name, "SKIP", str(e))
            return None
        except CheckFailed as e:
            self._emit(name, "FAIL", str(e))
            return None
        except Exception as e:  # a crash of the check itself is a failure too
            self._emit(name, "FAIL", f"error: {type(e).__name__}: {e}")
            return None
        self._emit(name, "PASS", str(value) if isinstance(value, Note) else "")
        return value

    def skip(self, name: str, why: str):
        self._emit(name, "SKIP", why)

    def fail(self, name: str, why: str):
        self._emit(name, "FAIL", why)

    def _emit(self, name: str, verdict: str, reason: str):
        self.results.append((name, verdict, reason))
        print(f"{verdict} {name}" + (f" : {reason}" if reason else ""), file=self.stream, flush=True)

    @property
    def failed(self) -> list[tuple[str, str, str]]:
        return [r for r in self.results if r[1] == "FAIL"]


def load_simulator_class(source_dir: Path):
    """tests/e2e/simulator.py when it exists (the project's helper), else a minimal equivalent."""
    e2e = source_dir / "tests" / "e2e"
    if (e2e / "simulator.py").is_file():
        sys.path.insert(0, str(e2e))
        try:
            import simulator  # type: ignore
            return simulator.Simulator, getattr(simulator, "FULL_KEY", FULL_KEY_DEFAULT)
        except Exception as e:  # pragma: no cover - fall back if the helper is mid-edit
            print(f"# cat_runner: tests/e2e/simulator.py unusable ({e}); using the built-in launcher", flush=True)
    return _FallbackSimulator, FULL_KEY_DEFAULT


class _FallbackSimulator:
    """Same contract as tests/e2e/simulator.py: Simulator(*args) context manager with .url,
    .truth(resource) and .mutate(**changes)."""

    def __init__(self, *args: str):
        build = Path(os.environ.get("SK_BUILD_DIR", DEFAULT_SOURCE_DIR / "build"))
        self.binary = build / "klaviyo-sim"
        self.args = list(args)
        self.proc = None
        self.url = ""

    def __enter__(self):
        if not self.binary.is_file():
            raise FileNotFoundError(f"simulator binary not found: {self.binary}")
        self._dir = tempfile.TemporaryDirectory(prefix="cat_sim_")
        port_file = Path(self._dir.name) / "port"
        self.proc = subprocess.Popen([str(self.binary), "--port", "0", "--port-file", str(port_file), *self.args],
                                     stdout=subprocess.DEVNULL, stderr=open(Path(self._dir.name) / "sim.log", "w"))
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"simulator exited with {self.proc.returncode}")
            if port_file.is_file() and port_file.read_text().strip():
                self.url = f"http://127.0.0.1:{int(port_file.read_text().strip())}"
                try:
                    urllib.request.urlopen(self.url + "/__sim/health", timeout=2).read()
                    return self
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("simulator did not start within 30 s")

    def truth(self, resource: str) -> dict:
        return json.loads(urllib.request.urlopen(f"{self.url}/__sim/truth?resource={resource}", timeout=10).read())

    def mutate(self, **changes) -> dict:
        req = urllib.request.Request(self.url + "/__sim/mutate", data=json.dumps(changes).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        return json.loads(urllib.request.urlopen(req, timeout=10).read() or b"{}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._dir.cleanup()
        return False


class Runner:
    def __init__(self, source_dir: Path, connector: Connector, runtime_config: dict, report: Report,
                 sections: set[str] | None = None, dockerfile: Path | None = None):
        self.src = source_dir
        self.conn = connector
        self.report = report
        self.sections = sections
        self.cfg = yaml.safe_load((source_dir / "integration_tests" / "acceptance-test-config.yml").read_text())
        base = self.cfg.get("base_path") or "."
        self.base = (source_dir / base).resolve()
        self.tmp = tempfile.TemporaryDirectory(prefix="cat_cfg_")
        self.runtime_config = runtime_config
        self.secrets = [runtime_config.get("api_key", "")]
        self.dockerfile = dockerfile or source_dir / "Dockerfile"
        self._discovered: dict[str, dict] | None = None

    # --- inputs ------------------------------------------------------------------------------
    def config_path(self, rel: str) -> str:
        """secrets/... paths are generated at runtime (the simulator's key); others are files in the tree."""
        if rel.startswith("secrets/"):
            p = Path(self.tmp.name) / rel.replace("/", "_")
            p.write_text(json.dumps(dict(self.runtime_config, **RUNTIME_OVERRIDES.get(rel, {}))))
            return str(p)
        p = self.base / rel
        try:
            doc = json.loads(p.read_text())
            if isinstance(doc.get("api_key"), str):
                self.secrets.append(doc["api_key"])
        except (OSError, ValueError):
            pass
        return str(p)

    def load(self, rel: str) -> Any:
        return json.loads((self.base / rel).read_text())

    def tests(self, section: str) -> list[dict]:
        sec = (self.cfg.get("acceptance_tests") or {}).get(section)
        if sec is None:
            self.report.skip(f"{section}", "section absent")
            return []
        if "bypass_reason" in sec:
            self.report.skip(f"{section}", f"bypassed: {sec['bypass_reason']}")
            return []
        return sec.get("tests") or []

    def timeout(self, section: str, t: dict) -> int:
        return int(t.get("timeout_seconds") or DEFAULT_TIMEOUTS.get(section, 600))

    def want(self, section: str) -> bool:
        return self.sections is None or section in self.sections

    def discovered(self, config: str) -> dict[str, dict]:
        if self._discovered is None:
            out = self.conn.run("discover", config=config, timeout=300)
            cats = out.of("CATALOG")
            if not cats:
                raise CheckFailed("No catalog message was emitted")
            self._discovered = {s["name"]: s for s in cats[-1]["catalog"]["streams"]}
        return self._discovered

    # --- sections ----------------------------------------------------------------------------
    def run_all(self):
        R = self.report
        R.run("config.test_acceptance_test_config", check_test_config, self.cfg)
        for section, fn in (("spec", self.spec), ("connection", self.connection), ("discovery", self.discovery),
                            ("basic_read", self.basic_read), ("full_refresh", self.full_refresh),
                            ("incremental", self.incremental), ("connector_attributes", self.connector_attributes)):
            if self.want(section):
                try:
                    fn()
                except Exception as e:  # a section that cannot even run is a failure, not a crash
                    R.fail(section, f"error: {type(e).__name__}: {e}")
        if self.want("connector_documentation"):
            self.tests("connector_documentation")
        R.run("spec.test_secret_never_in_the_output", check_secret_never_in_output, self.conn.outputs,
              [s for s in self.secrets if s])
        R.run("protocol.every_stdout_line_is_a_message(beyond CAT)", check_every_line_is_a_message, self.conn.outputs)

    def spec(self):
        R = self.report
        for t in self.tests("spec"):
            tag = f"[{t.get('spec_path', 'secrets/spec.json')}]"
            out = self.conn.run("spec", timeout=self.timeout("spec", t))
            spec = R.run(f"spec.test_spec_emitted_once{tag}", check_spec_emitted_once, out)
            if spec is None:
                continue
            config = json.loads(Path(self.config_path(t.get("config_path", "secrets/config.json"))).read_text())
            R.run(f"spec.test_config_match_spec{tag}", check_config_match_spec, spec, config)
            sp = self.base / t.get("spec_path", "secrets/spec.json")
            expected = json.loads(sp.read_text()) if sp.is_file() else None
            R.run(f"spec.test_match_expected{tag}", check_match_expected, spec, expected)
            R.run(f"spec.test_enum_usage{tag}", check_enum_usage, spec)
            R.run(f"spec.test_oneof_usage{tag}", check_oneof_usage, spec)
            R.run(f"spec.test_secret_is_properly_marked{tag}", check_secret_is_properly_marked, spec)
            R.run(f"spec.test_property_type_is_not_array{tag}", check_property_type_is_not_array, spec)
            R.run(f"spec.test_object_not_empty{tag}", check_object_not_empty, spec)
            R.run(f"spec.test_array_type{tag}", check_array_type, spec)
            R.run(f"spec.test_forbidden_complex_types{tag}", check_forbidden_complex_types, spec)
            R.run(f"spec.test_date_pattern{tag}", check_date_pattern, spec)
            R.run(f"spec.test_date_format{tag}", check_date_format, spec)
            R.run(f"spec.test_duplicate_order{tag}", check_duplicate_order, spec)
            R.run(f"spec.test_nested_group{tag}", check_nested_group, spec)
            R.run(f"spec.test_display_type{tag}", check_display_type, spec)
            R.run(f"spec.test_defined_refs_exist_in_json_spec_file{tag}", check_no_refs, spec, "spec")
            R.run(f"spec.test_oauth_flow_parameters{tag}", check_oauth_flow_parameters, spec)
            R.run(f"spec.test_oauth_is_default_method{tag}", check_oauth_is_default_method, spec)
            R.run(f"spec.test_additional_properties_is_true{tag}", check_additional_properties_is_true,
                  spec["connectionSpecification"], "connectionSpecification")
            R.skip(f"spec.test_backward_compatibility{tag}", "no previous image (first release)")
            metadata = yaml.safe_load((self.src / "metadata.yaml").read_text())
            image = R.run(f"spec.dockerfile_parsed{tag}", parse_dockerfile, self.dockerfile.read_text())
            if image is not None:
                R.run(f"spec.test_image_labels{tag}", check_image_labels, image, metadata)
                R.run(f"spec.test_image_environment_variables{tag}", check_image_environment_variables, image)

    def connection(self):
        for t in self.tests("connection"):
            status = t.get("status", "succeed")
            out = self.conn.run("check", config=self.config_path(t["config_path"]), timeout=self.timeout("connection", t))
            self.report.run(f"connection.test_check[{t['config_path']}-{status}]", check_connection, out, status)

    def discovery(self):
        R = self.report
        for t in self.tests("discovery"):
            tag = f"[{t.get('config_path', 'secrets/config.json')}]"
            out = self.conn.run("discover", config=self.config_path(t.get("config_path", "secrets/config.json")),
                                timeout=self.timeout("discovery", t))
            cat = R.run(f"discovery.test_discover{tag}", check_discover, out)
            if cat is None:
                continue
            R.run(f"discovery.test_streams_have_valid_json_schemas{tag}", check_streams_have_valid_json_schemas, cat)
            R.run(f"discovery.test_defined_cursors_exist_in_schema{tag}", check_defined_cursors_exist_in_schema, cat)
            R.run(f"discovery.test_defined_refs_exist_in_schema{tag}", check_no_refs,
                  {n: s["json_schema"] for n, s in cat.items()}, "stream schemas")
            R.run(f"discovery.test_defined_keyword_exist_in_schema[allOf]{tag}", check_defined_keyword_absent, cat, "allOf")
            R.run(f"discovery.test_defined_keyword_exist_in_schema[not]{tag}", check_defined_keyword_absent, cat, "not")
            R.run(f"discovery.test_primary_keys_exist_in_schema{tag}", check_primary_keys_exist_in_schema, cat)
            R.run(f"discovery.test_streams_has_sync_modes{tag}", check_streams_has_sync_modes, cat)
            R.run(f"discovery.test_additional_properties_is_true{tag}", check_additional_properties_is_true,
                  {n: s["json_schema"] for n, s in cat.items()}, "stream schemas")
            R.skip(f"discovery.test_backward_compatibility{tag}", "no previous image (first release)")
            R.run(f"discovery.test_catalog_has_supported_data_types{tag}", check_catalog_has_supported_data_types, cat)
            if t.get("validate_primary_keys_data_type", True):
                R.run(f"discovery.test_primary_keys_data_type{tag}", check_primary_keys_data_type_in_schema, cat)
            for rel in self.configured_catalog_paths():
                R.run(f"discovery.configured_catalog_covers_streams(beyond CAT)[{rel}]", check_catalog_covers,
                      cat, self.load(rel), rel.endswith("incremental.json"))

    def configured_catalog_paths(self) -> list[str]:
        paths = []
        for section in ("full_refresh", "incremental"):
            sec = (self.cfg.get("acceptance_tests") or {}).get(section) or {}
            paths += [t["configured_catalog_path"] for t in sec.get("tests") or [] if t.get("configured_catalog_path")]
        return sorted(set(paths))

    def basic_read(self):
        R = self.report
        for t in self.tests("basic_read"):
            tag = f"[{t.get('config_path', 'secrets/config.json')}]"
            config = self.config_path(t.get("config_path", "secrets/config.json"))
            try:
                discovered = self.discovered(config)
            except CheckFailed as e:
                R.fail(f"basic_read.test_read{tag}", str(e))
                continue
            empty = {e["name"] for e in t.get("empty_streams") or []}
            if t.get("configured_catalog_path"):
                catalog = self.load(t["configured_catalog_path"])
            else:
                catalog = catalog_from_discovered(discovered, empty)
            out = self.conn.run("read", config=config, catalog=catalog, timeout=self.timeout("basic_read", t))
            records = [r for r in out.records if r["stream"] in {cs["stream"]["name"] for cs in catalog["streams"]}]
            n = f"basic_read.test_read{tag}"
            R.run(f"{n}.records_present", check_records_present, records)
            if t.get("validate_schema", True):
                R.run(f"{n}.schema_structure", check_records_structure, catalog, records)
                R.run(f"{n}.schema_validation", check_records_validate, catalog, records)
            R.run(f"{n}.streams_non_empty", check_streams_non_empty, catalog, records, empty)
            if t.get("validate_primary_keys_data_type", True):
                R.run(f"{n}.primary_keys_data_type", check_primary_keys_data_type, catalog, records)
            er = t.get("expect_records")
            if er and er.get("path"):
                def expected_records(path=self.base / er["path"]):
                    ensure(path.is_file(), f"expect_records file {path} is missing")
                    expected = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
                    check_expected_records(discovered, records, expected, bool(er.get("exact_order", False)))

                R.run(f"{n}.expected_records", expected_records)
            if t.get("validate_stream_statuses"):
                R.run(f"{n}.stream_statuses", check_stream_statuses, catalog, out.traces)
            else:
                R.skip(f"{n}.stream_statuses", "validate_stream_statuses not set (CAT: certified connectors only)")
            if t.get("validate_state_messages", True):
                R.run(f"{n}.state_messages", check_state_messages, catalog, out.states)
            R.run(f"{n}.state_record_counts(platform checksum, beyond CAT)", check_state_record_counts, out.messages)
            R.run(f"{n}.exit_code(beyond CAT)", ensure, out.exit_code == 0, f"read exited {out.exit_code}")
            if t.get("expect_trace_message_on_failure", True):
                bad = self.conn.run("read", config=config, catalog=INVALID_CATALOG, timeout=self.timeout("basic_read", t))
                R.run(f"basic_read.test_airbyte_trace_message_on_failure{tag}", check_trace_on_failure, bad)

    def full_refresh(self):
        R = self.report
        for t in self.tests("full_refresh"):
            tag = f"[{t.get('configured_catalog_path')}]"
            config = self.config_path(t.get("config_path", "secrets/config.json"))
            catalog = full_refresh_catalog(self.load(t["configured_catalog_path"]))
            o1 = self.conn.run("read", config=config, catalog=catalog, timeout=self.timeout("full_refresh", t))
            time.sleep(0.1)
            o2 = self.conn.run("read", config=config, catalog=catalog, timeout=self.timeout("full_refresh", t))
            R.run(f"full_refresh.test_sequential_reads{tag}", check_sequential_full_refresh, o1.records, o2.records)

    def incremental(self):
        R = self.report
        for t in self.tests("incremental"):
            tag = f"[{t.get('configured_catalog_path')}]"
            config = self.config_path(t.get("config_path", "secrets/config.json"))
            to = self.timeout("incremental", t)
            try:
                catalog = incremental_catalog(self.load(t["configured_catalog_path"]))
            except CheckFailed as e:
                R.fail(f"incremental{tag}", str(e))
                continue

            def two_reads():
                o1 = self.conn.run("read", config=config, catalog=catalog, timeout=to)
                check_two_sequential_reads_first(o1)
                o2 = self.conn.run("read", config=config, catalog=catalog, state=state_input_from(o1.states), timeout=to)
                check_two_sequential_reads_differ(o1.records, o2.records)

            R.run(f"incremental.test_two_sequential_reads{tag}", two_reads)

            if t.get("skip_comprehensive_incremental_tests"):
                R.skip(f"incremental.test_read_sequential_slices{tag}", "skip_comprehensive_incremental_tests")
            else:
                for cs in catalog["streams"]:
                    name = cs["stream"]["name"]
                    R.run(f"incremental.test_read_sequential_slices{tag}[{name}]", self._sequential_slices, cs, config, to)

            fs = t.get("future_state") or {}
            if fs.get("future_state_path"):
                future = self.load(fs["future_state_path"])
                bypassed = {m["name"] for m in fs.get("missing_streams") or []}
                R.run(f"incremental.future_state_covers_incremental_streams{tag}", check_future_state_covers,
                      catalog, future, bypassed)
                out = self.conn.run("read", config=config, catalog=catalog, state=future, timeout=to)
                R.run(f"incremental.test_state_with_abnormally_large_values{tag}", check_abnormal_state, out)
            else:
                R.skip(f"incremental.test_state_with_abnormally_large_values{tag}",
                       fs.get("bypass_reason", "no future_state_path"))

    def _sequential_slices(self, cs: dict, config: str, timeout: int):
        one = {"streams": [cs]}
        o1 = self.conn.run("read", config=config, catalog=one, timeout=timeout)
        if not o1.records or not o1.states:
            raise Skip("first read has no records or no states")
        stream_states: dict[str, dict] = {}
        checked = []
        for state, expected in select_checkpoints(o1.states, len(o1.records)):
            if state.get("type") == "STREAM":
                stream_states[state["stream"]["stream_descriptor"]["name"]] = state["stream"]
                state_input = [{"type": "STREAM", "stream": s} for s in stream_states.values()]
            else:
                state_input = state.get("data")
            o = self.conn.run("read", config=config, catalog=one, state=state_input, timeout=timeout)
            check_slice_read(o.records, expected, o1.records)
            checked.append(f"{len(o.records)}>={expected}")
        return Note(f"{len(o1.records)} records, {len(o1.states)} states; reads from checkpoints: "
                    + ", ".join(checked))

    def connector_attributes(self):
        R = self.report
        metadata = yaml.safe_load((self.src / "metadata.yaml").read_text())
        for t in self.tests("connector_attributes"):
            config = self.config_path(t.get("config_path", "secrets/config.json"))
            cat = self.discovered(config)
            without = {s["name"] for s in t.get("streams_without_primary_key") or []}

            def pks():
                missing = [n for n, s in cat.items() if not s.get("source_defined_primary_key") and n not in without]
                ensure(not missing, f"streams without primary key: {missing}")

            def hosts():
                ensure(((metadata["data"].get("allowedHosts") or {}).get("hosts")), "metadata allowedHosts.hosts empty")

            def suggested():
                ss = (metadata["data"].get("suggestedStreams") or {}).get("streams")
                ensure(ss, "metadata suggestedStreams.streams empty")
                ensure(set(ss) <= set(cat), f"suggested streams not in the catalog: {sorted(set(ss) - set(cat))}")

            R.run("connector_attributes.test_streams_define_primary_key", pks)
            R.run("connector_attributes.test_certified_connector_has_allowed_hosts", hosts)
            R.run("connector_attributes.test_certified_connector_has_suggested_streams", suggested)


FUTURE = "2099-01-01T00:00:00+00:00"


def _future(blob: Any) -> Any:
    """Every date-time string in a state blob moved to 2099 (keeps the connector's state shape)."""
    if isinstance(blob, dict):
        return {k: _future(v) for k, v in blob.items()}
    if isinstance(blob, list):
        return [_future(v) for v in blob]
    if isinstance(blob, str) and CAT_DATETIME_RE.match(blob):
        return FUTURE
    return blob


def write_integration_files(connector: Connector, config_file: str, it_dir: Path, per_stream: int) -> str:
    """Regenerates the discover-derived files of integration_tests/ from the connector and the
    simulator: both configured catalogs, abnormal_state.json and expected_records.jsonl."""
    out = connector.run("discover", config=config_file)
    discovered = {s["name"]: s for s in out.of("CATALOG")[-1]["catalog"]["streams"]}
    full = {"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite",
                         "primary_key": s.get("source_defined_primary_key") or []} for s in discovered.values()]}
    inc = {"streams": [{"stream": s, "sync_mode": "incremental", "destination_sync_mode": "append_dedup",
                        "cursor_field": s["default_cursor_field"], "primary_key": s.get("source_defined_primary_key") or []}
                       for s in discovered.values() if "incremental" in s["supported_sync_modes"]]}
    (it_dir / "configured_catalog.json").write_text(json.dumps(full, indent=2) + "\n")
    (it_dir / "configured_catalog_incremental.json").write_text(json.dumps(inc, indent=2) + "\n")
    read = connector.run("read", config=config_file, catalog=inc, timeout=600)
    latest = {}
    for st in read.states:
        if st.get("type") == "STREAM":
            latest[st["stream"]["stream_descriptor"]["name"]] = st["stream"]["stream_state"]
    future = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": n}, "stream_state": _future(latest[n])}}
              for n in (cs["stream"]["name"] for cs in inc["streams"]) if n in latest]
    (it_dir / "abnormal_state.json").write_text(json.dumps(future, indent=2) + "\n")
    n = write_expected(connector, config_file, it_dir / "expected_records.jsonl", per_stream, discovered)
    return f"{len(full['streams'])} streams, {len(inc['streams'])} incremental, {len(future)} future states, {n} expected records"


# Streams whose keys are dates counted from the day of the sync (the report streams' windows end
# yesterday): records pinned today would not be read tomorrow, so expected_records leaves them out.
DATED_BY_TODAY = set(stream_table.REPORT_STREAMS)


def write_expected(connector: Connector, config_file: str, path: Path, per_stream: int,
                   discovered: dict[str, dict]) -> int:
    catalog = catalog_from_discovered(discovered, set())
    out = connector.run("read", config=config_file, catalog=catalog, timeout=600)
    by_stream = defaultdict(list)
    for r in out.records:
        by_stream[r["stream"]].append(r)
    lines = []
    for name in sorted(by_stream):
        if name in DATED_BY_TODAY:
            continue
        pk = discovered[name].get("source_defined_primary_key") or []
        recs = sorted(by_stream[name], key=lambda r: _pk_value(r["data"], pk))[:per_stream]
        for r in recs:
            lines.append(json.dumps({"stream": name, "data": r["data"], "emitted_at": 1700000000000},
                                    sort_keys=True))
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source-dir", default=os.environ.get("SK_SOURCE_DIR") or str(DEFAULT_SOURCE_DIR))
    ap.add_argument("--build-dir", default=os.environ.get("SK_BUILD_DIR"))
    ap.add_argument("--connector", help="connector command (default: <build>/source-klaviyo)")
    ap.add_argument("--sections", help="comma-separated sections to run (default: all)")
    ap.add_argument("--no-sim", action="store_true", help="do not start the simulator")
    ap.add_argument("--base-url", help="use this Klaviyo base URL instead of starting the simulator")
    ap.add_argument("--api-key", help="key for the runtime secrets/config.json (default: the sim's full key)")
    ap.add_argument("--write-expected", type=int, metavar="N",
                    help="regenerate integration_tests/{configured_catalog*.json,abnormal_state.json,"
                         "expected_records.jsonl} (N expected records per stream) from discover + the simulator, and exit")
    args = ap.parse_args(argv)

    src = Path(args.source_dir).resolve()
    build = Path(args.build_dir or src / "build").resolve()
    os.environ["SK_BUILD_DIR"] = str(build)
    os.environ["SK_SOURCE_DIR"] = str(src)
    command = shlex.split(args.connector) if args.connector else [str(build / "source-klaviyo")]
    sections = set(args.sections.split(",")) if args.sections else None

    Simulator, full_key = load_simulator_class(src)
    report = Report()

    def go(base_url: str | None) -> int:
        env = {"KLAVIYO_BASE_URL": base_url} if base_url else {}
        if base_url and not (args.no_sim or args.base_url) and "--no-rate-limits" in SIM_ARGS:
            # our own simulator enforces no limits: shrink the connector's pacing windows too
            env["SK_RATE_WINDOW_SCALE"] = "0.001"
        conn = Connector(command, env)
        runtime_config = {"api_key": args.api_key or full_key}
        try:
            if args.write_expected:
                cfg_file = Path(tempfile.mkdtemp(prefix="cat_exp_")) / "config.json"
                cfg_file.write_text(json.dumps(runtime_config))
                print("wrote " + write_integration_files(conn, str(cfg_file), src / "integration_tests",
                                                          args.write_expected))
                return 0
            Runner(src, conn, runtime_config, report, sections).run_all()
        finally:
            conn.close()
        passed = sum(1 for r in report.results if r[1] == "PASS")
        skipped = sum(1 for r in report.results if r[1] == "SKIP")
        print(f"# cat_runner: {passed} passed, {len(report.failed)} failed, {skipped} skipped", flush=True)
        return 1 if report.failed else 0

    if args.no_sim or args.base_url:
        return go(args.base_url)
    started = time.time()
    try:
        sim_cm = Simulator(*SIM_ARGS)
        sim = sim_cm.__enter__()
    except Exception as e:
        report.fail("simulator", f"could not start klaviyo-sim from {build} ({type(e).__name__}: {e}); "
                                 f"build it with: cmake --build {build} --target klaviyo-sim")
        return 1
    try:
        print(f"# cat_runner: simulator at {sim.url} ({' '.join(SIM_ARGS)})", flush=True)
        rc = go(sim.url)
    finally:
        sim_cm.__exit__(None, None, None)
    print(f"# cat_runner: {time.time() - started:.1f}s", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
