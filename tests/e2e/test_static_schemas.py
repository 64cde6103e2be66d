"""Static checks of spec/spec.json and schemas/*.json.

Mirrors the parts of Airbyte's Connector Acceptance Tests (CAT 3.x, `spec` and `discovery` suites)
that can be checked without running the connector, plus a few record-validation smoke tests that
use CAT's date-time rule. Standard library + jsonschema only.

Run (from the repository root):  /usr/bin/python3 -m pytest -q tests/e2e/test_static_schemas.py
"""

import copy
import json
import os
import re
import sys
from pathlib import Path

import jsonschema
import pytest
from jsonschema import Draft7Validator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: stream_table.py
import stream_table  # noqa: E402

SOURCE_DIR = Path(os.environ.get("SK_SOURCE_DIR") or Path(__file__).resolve().parents[2])
SPEC_PATH = SOURCE_DIR / "spec" / "spec.json"
SCHEMA_DIR = SOURCE_DIR / "schemas"

# stream -> (primary key paths, cursor path or None), from tests/stream_table.py (Airbyte's keys and
# cursors, written by hand). Must agree with the discover catalog.
STREAMS = {s.name: ([[k] for k in s.primary_key], [s.cursor] if s.cursor else None) for s in stream_table.STREAMS}
REPORT_STREAMS = set(stream_table.REPORT_STREAMS)
# Airbyte's statistics (its unit test requires the flow schema's statistics to be exactly these).
FLOW_STATISTICS = ["opens", "opens_unique", "clicks", "clicks_unique", "delivered", "bounced", "bounced_or_failed",
                   "bounced_or_failed_rate", "failed", "failed_rate", "conversions", "conversion_value",
                   "conversion_rate", "conversion_uniques", "click_rate", "open_rate", "click_to_open_rate",
                   "delivery_rate", "bounce_rate", "recipients", "revenue_per_recipient", "average_order_value"]

# Extra top-level fields the connector adds to records (parent ids etc.).
EXTRA_TOP_LEVEL = {
    "campaigns_detailed": ["estimated_recipient_count", "campaign_messages"],
    "campaign_messages": ["campaign_id"],
    "flow_actions": ["flow_id"],
    "flow_messages": ["flow_id", "flow_action_id"],
    "list_memberships": ["list_id", "profile_id", "joined_group_at"],
    "segment_memberships": ["segment_id", "profile_id", "joined_group_at"],
}


# CAT forbids these keywords in the spec (test_forbidden_complex_types).
SPEC_FORBIDDEN_KEYWORDS = {"not", "anyOf", "patternProperties", "prefixItems", "allOf", "if", "then", "else",
                           "dependentSchemas", "dependentRequired", "$ref"}
# Stream schemas: CAT checks $ref, allOf, not; we also ban anyOf/oneOf to keep schemas flat.
SCHEMA_FORBIDDEN_KEYWORDS = {"$ref", "allOf", "not", "anyOf", "oneOf"}

# CAT test_secret_is_properly_marked: property names that must be airbyte_secret.
CAT_SECRET_NAMES = {"client_token", "access_token", "api_token", "token", "secret", "client_secret", "password",
                    "key", "service_account_info", "service_account", "tenant_id", "certificate", "jwt",
                    "credentials", "app_id", "appid", "refresh_token"}

# CAT basic_read date-time rule.
CAT_DATETIME_RE = re.compile(r"^\d{4}-\d?\d-\d?\d(\s|T)\d?\d:\d?\d:\d?\d(.\d+)?.*$")

VALID_API_KEY = "pk_0123456789abcdef0123456789abcdef01"


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------

def _load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def spec():
    return _load(SPEC_PATH)


@pytest.fixture(scope="module")
def conn_spec(spec):
    return spec["connectionSpecification"]


@pytest.fixture(scope="module")
def schemas():
    return {p.stem: _load(p) for p in sorted(SCHEMA_DIR.glob("*.json"))}


def _walk_keys(node, path=()):
    """Yield (path, key, value, parent) for every dict key, recursively, with the path to the parent."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path, k, v, node
            yield from _walk_keys(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_keys(v, path + (i,))


def _is_property_name(path, key):
    """True when `key` is a property name (directly under a `properties` map), not a keyword."""
    return len(path) > 0 and path[-1] == "properties"


def _keyword_hits(schema, keywords):
    return [(path, k) for path, k, _, _ in _walk_keys(schema)
            if k in keywords and not _is_property_name(path, k)]


def _additional_properties_not_true(schema):
    return [path for path, k, v, _ in _walk_keys(schema)
            if k == "additionalProperties" and not _is_property_name(path, k) and v is not True]


def _subschemas(schema, path=()):
    """Yield (path, subschema) for the schema and every nested schema under properties/items."""
    if not isinstance(schema, dict):
        return
    yield path, schema
    for name, sub in (schema.get("properties") or {}).items():
        yield from _subschemas(sub, path + ("properties", name))
    items = schema.get("items")
    if isinstance(items, dict):
        yield from _subschemas(items, path + ("items",))


def _types(schema):
    t = schema.get("type", [])
    return [t] if isinstance(t, str) else list(t)


def _resolve_path(schema, path):
    node = schema
    for part in path:
        props = node.get("properties")
        assert isinstance(props, dict), "no properties while resolving %s" % (path,)
        assert part in props, "%s missing while resolving %s" % (part, path)
        node = props[part]
    return node


def _cat_format_checker():
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date-time")
    def _dt(value):  # noqa: ANN001
        if not isinstance(value, str):
            return True
        return bool(CAT_DATETIME_RE.match(value))

    return checker


def _record_errors(schema, record):
    v = Draft7Validator(schema, format_checker=_cat_format_checker())
    return sorted(e.message for e in v.iter_errors(record))


def _spec_validator(conn_spec, with_formats):
    if with_formats:
        return Draft7Validator(conn_spec, format_checker=jsonschema.FormatChecker())
    return Draft7Validator(conn_spec)


def _valid_config():
    return {
        "api_key": VALID_API_KEY,
        "start_date": "2017-01-25T00:00:00Z",
        "disable_fetching_predictive_analytics": False,
        "num_workers": 10,
        "lookback_window": 7,
        "metric_ids": "RESQ6t,ABC123",
        "event_metric_ids": "RESQ6t",
        "reporting_lookback_window": 5,
    }


# ----------------------------------------------------------------------------------------------
# spec.json
# ----------------------------------------------------------------------------------------------

def test_spec_is_connector_specification(spec):
    assert spec["documentationUrl"] == "https://docs.airbyte.com/integrations/sources/klaviyo"
    assert isinstance(spec["connectionSpecification"], dict)
    assert "type" not in spec, "spec.json holds the ConnectorSpecification, not the SPEC message"


def test_spec_root_shape(conn_spec):
    assert conn_spec["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert conn_spec["title"] == "Klaviyo Spec"
    assert conn_spec["type"] == "object"
    assert conn_spec["required"] == ["api_key"]
    assert conn_spec["additionalProperties"] is True


# Fields this connector adds beyond Airbyte's (optional, with defaults that keep Airbyte's behaviour).
OWN_CONFIG_FIELDS = {"refresh_profile_counts", "campaign_values_window_days", "reporting_max_wait_seconds"}


def test_spec_declares_airbyte_config_fields(conn_spec):
    assert set(conn_spec["properties"]) == {
        "api_key", "start_date", "disable_fetching_predictive_analytics", "num_workers",
        "lookback_window", "metric_ids", "event_metric_ids", "reporting_lookback_window",
    } | OWN_CONFIG_FIELDS
    for f in OWN_CONFIG_FIELDS:
        assert f not in conn_spec.get("required", []) and "default" in conn_spec["properties"][f], f


def test_spec_check_schema_draft7(conn_spec):
    Draft7Validator.check_schema(conn_spec)


def test_spec_has_no_ref(spec):
    assert not [p for p, k, _, _ in _walk_keys(spec) if k == "$ref"]


def test_spec_forbidden_complex_types(conn_spec):
    assert _keyword_hits(conn_spec, SPEC_FORBIDDEN_KEYWORDS) == []


def test_spec_additional_properties_is_true(conn_spec):
    assert _additional_properties_not_true(conn_spec) == []


def test_spec_property_type_is_not_array(conn_spec):
    bad = []
    for path, k, v, _ in _walk_keys(conn_spec):
        if k == "type" and len(path) >= 2 and path[-2] == "properties" and isinstance(v, list):
            if not (len(v) in (1, 2) and (len(v) == 1 or v[1] == "null")):
                bad.append((path, v))
    assert bad == []


def test_spec_object_not_empty(conn_spec):
    bad = [path for path, sub in _subschemas(conn_spec)
           if path and "object" in _types(sub) and not sub.get("properties") and "oneOf" not in sub]
    assert bad == []


def test_spec_array_type(conn_spec):
    bad = []
    for path, sub in _subschemas(conn_spec):
        if "array" in _types(sub) and "items" in sub:
            items = sub["items"]
            if not isinstance(items, dict):
                bad.append(path)
            elif "enum" not in items and not set(_types(items)) & {"object", "string", "number", "integer"}:
                bad.append(path)
    assert bad == []


def test_spec_order_unique(conn_spec):
    for path, sub in _subschemas(conn_spec):
        if "object" not in _types(sub):
            continue
        seen = {}
        for name, prop in (sub.get("properties") or {}).items():
            if "order" not in prop:
                continue
            key = (prop.get("group"), prop["order"])
            assert key not in seen, "duplicate order %r at %s: %s and %s" % (key, path, seen[key], name)
            seen[key] = name


def test_spec_every_top_level_property_has_order_title_description(conn_spec):
    orders = []
    for name, prop in conn_spec["properties"].items():
        assert isinstance(prop.get("order"), int), name
        assert prop.get("title"), name
        assert prop.get("description"), name
        orders.append(prop["order"])
    assert sorted(orders) == list(range(len(orders)))


def test_spec_group_only_on_top_level(conn_spec):
    for name, prop in conn_spec["properties"].items():
        for path, sub in _subschemas(prop):
            if path:
                assert "group" not in sub, (name, path)


def test_spec_display_type_only_with_oneof(conn_spec):
    for path, sub in _subschemas(conn_spec):
        if "display_type" in sub:
            assert "oneOf" in sub and sub["display_type"] in ("dropdown", "radio"), path


def test_spec_api_key_is_secret(conn_spec):
    api_key = conn_spec["properties"]["api_key"]
    assert api_key["type"] == "string"
    assert api_key["airbyte_secret"] is True
    assert api_key["order"] == 0


def test_spec_secret_names_properly_marked(conn_spec):
    for path, sub in _subschemas(conn_spec):
        if not path:
            continue
        name = path[-1]
        types = set(_types(sub))
        if name.lower() in CAT_SECRET_NAMES and types & {"string", "integer", "number"} and not sub.get("const"):
            assert sub.get("airbyte_secret") is True, path
        if sub.get("airbyte_secret"):
            assert not types & {"boolean", "null", "object", "array"} and "const" not in sub, path


def test_spec_enums_unique(conn_spec):
    for path, k, v, _ in _walk_keys(conn_spec):
        if k == "enum" and not _is_property_name(path, k):
            assert len(v) == len({json.dumps(x, sort_keys=True) for x in v}), path


def test_spec_defaults_and_examples_are_valid(conn_spec):
    for name, prop in conn_spec["properties"].items():
        v = Draft7Validator(prop)
        if "default" in prop:
            assert v.is_valid(prop["default"]), name
        for ex in prop.get("examples", []):
            assert v.is_valid(ex), (name, ex)


def test_spec_start_date_has_pattern_but_no_format(conn_spec):
    start_date = conn_spec["properties"]["start_date"]
    assert "format" not in start_date
    assert start_date["pattern"]


def test_spec_minimal_config_is_valid(conn_spec):
    for with_formats in (False, True):
        _spec_validator(conn_spec, with_formats).validate({"api_key": VALID_API_KEY})


def test_spec_full_config_is_valid(conn_spec):
    for with_formats in (False, True):
        _spec_validator(conn_spec, with_formats).validate(_valid_config())


def test_spec_start_date_forms_accepted(conn_spec):
    for value in ("2017-01-25T00:00:00Z", "2017-01-25T00:00:00.123456Z", "2017-01-25T00:00:00+02:00",
                  "2017-01-25T00:00:00-05:30", "2017-01-25"):
        cfg = dict(_valid_config(), start_date=value)
        for with_formats in (False, True):
            assert _spec_validator(conn_spec, with_formats).is_valid(cfg), value


def test_spec_unknown_config_keys_allowed(conn_spec):
    assert Draft7Validator(conn_spec).is_valid(dict(_valid_config(), some_future_option=True))


def test_spec_rejects_missing_api_key(conn_spec):
    cfg = _valid_config()
    del cfg["api_key"]
    assert not Draft7Validator(conn_spec).is_valid(cfg)


def test_spec_rejects_bad_api_key_pattern(conn_spec):
    for bad in ("abc123", "pk-abc", "pk_", "pk_abc def", "test_api_key_abc123"):
        assert not Draft7Validator(conn_spec).is_valid(dict(_valid_config(), api_key=bad)), bad


def test_spec_rejects_num_workers_zero(conn_spec):
    assert not Draft7Validator(conn_spec).is_valid(dict(_valid_config(), num_workers=0))


def test_spec_rejects_num_workers_51(conn_spec):
    assert not Draft7Validator(conn_spec).is_valid(dict(_valid_config(), num_workers=51))


def test_spec_rejects_start_date_yesterday(conn_spec):
    assert not Draft7Validator(conn_spec).is_valid(dict(_valid_config(), start_date="yesterday"))


def test_spec_rejects_malformed_start_dates(conn_spec):
    for bad in ("2017-01-25T00:00:00", "2017/01/25", "2017-01-25 00:00:00Z", "25-01-2017"):
        assert not Draft7Validator(conn_spec).is_valid(dict(_valid_config(), start_date=bad)), bad


def test_spec_rejects_out_of_range_windows(conn_spec):
    v = Draft7Validator(conn_spec)
    assert not v.is_valid(dict(_valid_config(), lookback_window=-1))
    assert not v.is_valid(dict(_valid_config(), lookback_window=366))
    assert not v.is_valid(dict(_valid_config(), reporting_lookback_window=-1))
    assert not v.is_valid(dict(_valid_config(), reporting_lookback_window=91))


def test_spec_rejects_wrong_types(conn_spec):
    v = Draft7Validator(conn_spec)
    assert not v.is_valid(dict(_valid_config(), num_workers="10"))
    assert not v.is_valid(dict(_valid_config(), disable_fetching_predictive_analytics="false"))
    assert not v.is_valid(dict(_valid_config(), metric_ids=["RESQ6t"]))


# ----------------------------------------------------------------------------------------------
# schemas/*.json
# ----------------------------------------------------------------------------------------------

def test_schema_files_match_stream_list(schemas):
    assert set(schemas) == set(STREAMS)


def test_schemas_check_schema_draft7(schemas):
    for name, schema in schemas.items():
        Draft7Validator.check_schema(schema)


def test_schemas_root_is_draft7_object(schemas):
    for name, schema in schemas.items():
        assert schema.get("$schema") == "http://json-schema.org/draft-07/schema#", name
        assert schema.get("type") == "object", name
        assert schema.get("additionalProperties") is True, name
        assert isinstance(schema.get("properties"), dict) and schema["properties"], name


def test_schemas_have_no_forbidden_keywords(schemas):
    for name, schema in schemas.items():
        assert _keyword_hits(schema, SCHEMA_FORBIDDEN_KEYWORDS) == [], name


def test_schemas_additional_properties_is_true(schemas):
    for name, schema in schemas.items():
        assert _additional_properties_not_true(schema) == [], name


def test_schemas_every_object_allows_additional_properties(schemas):
    for name, schema in schemas.items():
        for path, sub in _subschemas(schema):
            if "object" in _types(sub):
                assert sub.get("additionalProperties") is True, (name, path)


def test_schemas_every_property_has_a_type(schemas):
    allowed = {"null", "string", "number", "integer", "boolean", "object", "array"}
    for name, schema in schemas.items():
        for path, sub in _subschemas(schema):
            types = _types(sub)
            assert types and set(types) <= allowed, (name, path, types)
            assert len(types) == len(set(types)), (name, path)
            if path:
                assert "null" in types, ("non-nullable property", name, path)


def test_schemas_formats_are_date_time_on_strings(schemas):
    for name, schema in schemas.items():
        for path, sub in _subschemas(schema):
            if "format" in sub:
                assert sub["format"] == "date-time" and "string" in _types(sub), (name, path)


def test_schemas_have_top_level_id(schemas):
    for name, schema in schemas.items():
        if name in REPORT_STREAMS:  # report rows have a composite key and no resource id
            continue
        assert "id" in schema["properties"], name
        assert "string" in _types(schema["properties"]["id"]), name


def test_schemas_jsonapi_resource_fields(schemas):
    for name, schema in schemas.items():
        if name in REPORT_STREAMS:
            continue
        props = schema["properties"]
        for field in ("type", "id", "attributes", "relationships", "links"):
            assert field in props, (name, field)
        assert "object" in _types(props["attributes"]), name
        assert props["attributes"].get("properties"), name


def test_schemas_primary_keys_exist_and_are_scalar(schemas):
    for name, (pk, _) in STREAMS.items():
        for path in pk:
            node = _resolve_path(schemas[name], path)
            types = set(_types(node))
            assert types and not types & {"object", "array"}, (name, path, types)


def test_schemas_cursor_fields_exist_and_are_date_time(schemas):
    for name, (_, cursor) in STREAMS.items():
        if cursor is None:
            continue
        node = _resolve_path(schemas[name], cursor)
        assert "string" in _types(node) and node.get("format") == "date-time", (name, cursor)


def test_schemas_cursor_also_declared_in_attributes(schemas):
    for name, (_, cursor) in STREAMS.items():
        if cursor is None or name in REPORT_STREAMS:
            continue
        node = _resolve_path(schemas[name], ["attributes"] + cursor)
        assert node.get("format") == "date-time", (name, cursor)


def test_report_schemas_declare_every_statistic_as_a_nullable_number(schemas):
    flow = schemas["flow_series_reports"]["properties"]["statistics"]["properties"]
    assert sorted(flow) == sorted(FLOW_STATISTICS)
    campaign = schemas["campaign_values_reports"]["properties"]["statistics"]["properties"]
    assert len(campaign) == 31 and set(FLOW_STATISTICS) <= set(campaign)
    for props in (flow, campaign):
        for name, sub in props.items():
            assert set(_types(sub)) == {"null", "number"}, name


def test_schemas_extra_top_level_fields_declared(schemas):
    for name, fields in EXTRA_TOP_LEVEL.items():
        for field in fields:
            assert field in schemas[name]["properties"], (name, field)


def test_schemas_events_timestamp_is_integer(schemas):
    for name in ("events", "events_detailed"):
        attrs = schemas[name]["properties"]["attributes"]["properties"]
        assert _types(attrs["timestamp"]) == ["null", "integer"], name
        assert attrs["datetime"].get("format") == "date-time", name
        assert "object" in _types(attrs["event_properties"]), name


def test_schemas_campaigns_channel_declared(schemas):
    for name in ("campaigns", "campaigns_detailed"):
        attrs = schemas[name]["properties"]["attributes"]["properties"]
        assert "string" in _types(attrs["channel"]), name


def test_schemas_lists_profile_count_integer(schemas):
    for name in ("lists", "lists_detailed"):
        attrs = schemas[name]["properties"]["attributes"]["properties"]
        assert _types(attrs["profile_count"]) == ["null", "integer"], name


def test_schemas_campaigns_detailed_fields(schemas):
    props = schemas["campaigns_detailed"]["properties"]
    assert _types(props["estimated_recipient_count"]) == ["null", "integer"]
    assert "array" in _types(props["campaign_messages"])
    assert "object" in _types(props["campaign_messages"]["items"])


def test_schemas_profile_location_coordinates_string_or_number(schemas):
    for name in ("profiles", "global_exclusions", "list_memberships", "segment_memberships"):
        loc = schemas[name]["properties"]["attributes"]["properties"]["location"]["properties"]
        for coord in ("latitude", "longitude"):
            assert {"string", "number"} <= set(_types(loc[coord])), (name, coord)


def test_schemas_global_exclusions_has_suppressions(schemas):
    marketing = _resolve_path(schemas["global_exclusions"],
                              ["attributes", "subscriptions", "email", "marketing", "suppressions"])
    assert "array" in _types(marketing)






# ---- record validation smoke tests (Draft 7 + CAT date-time rule) ----------------------------

_PROFILE_RECORD = {
    "type": "profile",
    "id": "01GDDKASAP8TKDDA2GRZDSVP4H",
    "attributes": {
        "email": "sarah.mason@klaviyo-demo.com", "phone_number": "+15005550006", "external_id": None,
        "first_name": "Sarah", "last_name": "Mason", "organization": None, "locale": "en-US", "title": None,
        "image": None, "created": "2022-11-08T00:00:00+00:00", "updated": "2023-11-02T13:09:45.276362+00:00",
        "last_event_date": None,
        "location": {"address1": None, "city": "New York", "latitude": "40.7128", "longitude": -74.006,
                     "region": "NY", "zip": "10017", "timezone": "America/New_York", "ip": "127.0.0.1"},
        "properties": {"pseudonym": "Dr. Octopus", "$consent": ["email"]},
        "subscriptions": {
            "email": {"marketing": {"can_receive_email_marketing": False, "consent": "UNSUBSCRIBED",
                                    "consent_timestamp": "2023-02-21T20:07:38+00:00", "last_updated": None,
                                    "method": "PREFERENCE_PAGE", "method_detail": "", "double_optin": None,
                                    "suppression": [{"reason": "HARD_BOUNCE",
                                                     "timestamp": "2023-02-21T20:07:38+00:00"}],
                                    "list_suppressions": []}},
            "sms": {"marketing": None, "transactional": None},
            "mobile_push": {"marketing": {"can_receive_push_marketing": True, "consent": "SUBSCRIBED",
                                          "consent_timestamp": None}},
        },
        "predictive_analytics": {"historic_clv": 93.87, "historic_number_of_orders": 2,
                                 "expected_date_of_next_order": None, "ranked_channel_affinity": ["email"]},
    },
    "relationships": {"lists": {"links": {"self": "https://a.klaviyo.com/api/x", "related": "https://y"}}},
    "links": {"self": "https://a.klaviyo.com/api/profiles/01GDDKASAP8TKDDA2GRZDSVP4H/"},
    "updated": "2023-11-02T13:09:45.276362+00:00",
}


def test_record_profile_validates(schemas):
    assert _record_errors(schemas["profiles"], _PROFILE_RECORD) == []


def test_record_list_membership_validates(schemas):
    rec = copy.deepcopy(_PROFILE_RECORD)
    rec["attributes"]["joined_group_at"] = "2024-01-01T00:00:00+00:00"
    rec.update(list_id="Y6nRLr", profile_id=rec["id"], joined_group_at="2024-01-01T00:00:00+00:00")
    assert _record_errors(schemas["list_memberships"], rec) == []


def test_record_bad_datetime_is_rejected(schemas):
    rec = dict(_PROFILE_RECORD, updated="yesterday")
    assert _record_errors(schemas["profiles"], rec) != []


def test_record_event_validates_and_fractional_timestamp_rejected(schemas):
    rec = {
        "type": "event", "id": "4vRpBT2Qf3s",
        "attributes": {"timestamp": 1667870625, "datetime": "2022-11-08T01:23:45+00:00",
                       "event_properties": {"value": 9.99, "items": [{"sku": "A"}]}, "uuid": "a-b-c"},
        "relationships": {
            "profile": {"data": {"type": "profile", "id": "01GD"}, "links": {"self": "s", "related": "r"}},
            "metric": {"data": {"type": "metric", "id": "RESQ6t"}, "links": {"self": "s", "related": "r"}},
            "attributions": {"data": [], "links": {"self": "s", "related": "r"}},
        },
        "links": {"self": "https://a.klaviyo.com/api/events/4vRpBT2Qf3s/"},
        "datetime": "2022-11-08T01:23:45+00:00",
    }
    assert _record_errors(schemas["events"], rec) == []
    detailed = copy.deepcopy(rec)
    detailed["relationships"]["metric"]["data"].update(name="Placed Order")
    detailed["relationships"]["attributions"]["data"] = [
        {"type": "attribution", "id": "x", "relationships": {"campaign": {"data": {"type": "campaign", "id": "c"}}}}]
    assert _record_errors(schemas["events_detailed"], detailed) == []
    bad = copy.deepcopy(rec)
    bad["attributes"]["timestamp"] = 1667870625.5
    assert _record_errors(schemas["events"], bad) != []

