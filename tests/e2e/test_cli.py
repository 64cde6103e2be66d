"""spec and command-line handling of the real binary (no simulator needed)."""

import json

import pytest

from conftest import config
from connector import SPEC_PATH, run


def test_spec_is_one_message_equal_to_spec_json():
    r = run("spec")
    assert r.rc == 0, r.stderr
    assert [m["type"] for m in r.messages if m["type"] != "LOG"] == ["SPEC"]
    assert r.of_type("SPEC")[0]["spec"] == json.loads(SPEC_PATH.read_text())


def test_spec_marks_api_key_secret_and_required():
    spec = run("spec").of_type("SPEC")[0]["spec"]
    cs = spec["connectionSpecification"]
    assert "api_key" in cs["required"]
    assert cs["properties"]["api_key"]["airbyte_secret"] is True


def test_spec_ignores_config_and_env_it_does_not_need():
    # spec takes no config and makes no request: a dead base URL changes nothing.
    r = run("spec", base_url="http://127.0.0.1:9")
    assert r.rc == 0 and len(r.of_type("SPEC")) == 1


@pytest.mark.parametrize("argv", [
    ["read", "--config", "{cfg}"],                      # missing --catalog
    ["check"],                                           # missing --config
    ["discover"],                                        # missing --config
    ["frobnicate"],                                      # unknown verb
    [],                                                  # no verb
    ["read", "--config", "{cfg}", "--catalog"],         # option without value
])
def test_usage_errors_are_a_trace_config_error_and_nonzero_exit(tmp_path, argv):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps(config()))
    argv = [a.replace("{cfg}", str(cfg)) for a in argv]
    r = run("", args=argv, base_url="http://127.0.0.1:9")
    assert r.rc != 0
    errs = r.errors()
    assert len(errs) >= 1, r.stdout
    assert errs[0]["failure_type"] == "config_error"
    assert not r.records() and not r.states()


def test_read_without_catalog_makes_no_request_and_fails(tmp_path):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps(config()))
    r = run("", args=["read", "--config", str(cfg)], base_url="http://127.0.0.1:9")
    assert r.rc != 0
    assert any("catalog" in e["message"].lower() for e in r.errors()), r.stdout
