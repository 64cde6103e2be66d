#!/usr/bin/python3
"""A deliberately broken stand-in for source-klaviyo, used by test_runner_detects_breakage.py to
show that cat_runner.py fails when a connector misbehaves. FAKE_MODE selects the breakage:

  ref_spec   spec: a SPEC whose connectionSpecification uses $ref and additionalProperties false
  bad_read   discover: one stream 'events'; read: records (one without its primary key value),
             a STATE whose recordCount is wrong, stream statuses without COMPLETE, an integer
             field given as 1.0, and nothing at all (no TRACE) for an invalid catalog
  good       behaves (spec/discover/read minimal but valid) — a control for the test
"""
import json
import os
import sys
import time

MODE = os.environ.get("FAKE_MODE", "good")
SPEC_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integration_tests", "spec.json")


def emit(msg):
    print(json.dumps(msg), flush=True)


def now():
    return int(time.time() * 1000)


SCHEMA = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "additionalProperties": True,
          "properties": {"id": {"type": ["null", "string"]}, "datetime": {"type": ["null", "string"], "format": "date-time"},
                         "n": {"type": ["null", "integer"]}}}
STREAM = {"name": "events", "json_schema": SCHEMA, "supported_sync_modes": ["full_refresh", "incremental"],
          "source_defined_cursor": True, "default_cursor_field": ["datetime"], "source_defined_primary_key": [["id"]],
          "is_resumable": True}


def status(name, s):
    emit({"type": "TRACE", "trace": {"type": "STREAM_STATUS", "emitted_at": float(now()),
                                     "stream_status": {"stream_descriptor": {"name": name}, "status": s}}})


def main(argv):
    verb = argv[1] if len(argv) > 1 else ""
    if verb == "spec":
        spec = json.load(open(SPEC_FILE))
        if MODE == "ref_spec":
            cs = spec["connectionSpecification"]
            cs["definitions"] = {"key": {"type": "string", "airbyte_secret": True}}
            cs["properties"]["api_key"] = {"$ref": "#/definitions/key"}
            cs["additionalProperties"] = False
        emit({"type": "SPEC", "spec": spec})
        return 0
    if verb == "check":
        emit({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED"}})
        return 0
    if verb == "discover":
        emit({"type": "CATALOG", "catalog": {"streams": [STREAM]}})
        return 0
    if verb == "read":
        catalog = json.load(open(argv[argv.index("--catalog") + 1]))
        names = [cs["stream"]["name"] for cs in catalog["streams"]]
        if names != ["events"]:
            if MODE == "bad_read":
                return 1  # crash silently: no TRACE ERROR
            emit({"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": float(now()),
                                             "error": {"message": "unknown stream", "failure_type": "config_error"}}})
            return 1
        status("events", "STARTED")
        status("events", "RUNNING")
        recs = [{"id": "e1", "datetime": "2024-01-01T00:00:00+00:00", "n": 1},
                {"id": "e2", "datetime": "2024-01-02T00:00:00+00:00", "n": 2}]
        if MODE == "bad_read":
            recs.append({"id": None, "datetime": "2024-01-03T00:00:00+00:00", "n": 3.0})
        for r in recs:
            emit({"type": "RECORD", "record": {"stream": "events", "data": r, "emitted_at": now()}})
        count = 7.0 if MODE == "bad_read" else float(len(recs))
        emit({"type": "STATE", "state": {"type": "STREAM", "stream": {"stream_descriptor": {"name": "events"},
                                                                        "stream_state": {"datetime": recs[-1]["datetime"]}},
                                         "sourceStats": {"recordCount": count}}})
        if MODE != "bad_read":
            status("events", "COMPLETE")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
