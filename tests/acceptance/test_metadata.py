"""metadata.yaml is valid Airbyte metadata and agrees with the binary and the Dockerfile.

  * validates against Airbyte's ConnectorMetadataDefinitionV0 JSON schema
    (vendored in third_party/airbyte-metadata/metadata_schema.json);
  * dockerImageTag == `source-klaviyo --version` == CMake project VERSION;
  * the Dockerfile's LABEL io.airbyte.name / io.airbyte.version match dockerRepository /
    dockerImageTag, ENV AIRBYTE_ENTRYPOINT == " ".join(exec-form ENTRYPOINT), the final stage runs as
    a non-root user in /airbyte/integration_code on debian:bookworm-slim;
  * the integration_tests/ files parse and are consistent with the connector.
Run with Debian's interpreter: /usr/bin/python3 -m pytest tests/acceptance/test_metadata.py
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cat_runner  # noqa: E402

SOURCE_DIR = Path(os.environ.get("SK_SOURCE_DIR") or HERE.parents[1])
BUILD_DIR = Path(os.environ.get("SK_BUILD_DIR") or SOURCE_DIR / "build")
BINARY = BUILD_DIR / "source-klaviyo"
IT = SOURCE_DIR / "integration_tests"


@pytest.fixture(scope="module")
def metadata() -> dict:
    return yaml.safe_load((SOURCE_DIR / "metadata.yaml").read_text())


@pytest.fixture(scope="module")
def image() -> dict:
    return cat_runner.parse_dockerfile((SOURCE_DIR / "Dockerfile").read_text())


def test_metadata_validates_against_airbyte_schema(metadata):
    schema = json.loads(cat_runner.metadata_schema_path(SOURCE_DIR).read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(metadata), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_metadata_required_values(metadata):
    d = metadata["data"]
    assert d["connectorType"] == "source"
    assert d["connectorSubtype"] == "api"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", d["definitionId"]), \
        "definitionId must be a uuid4"
    assert d["definitionId"] != "95e8cffd-b8c4-4039-968e-d32fb4a69bde", "must not reuse Airbyte's own Klaviyo id"
    assert "language:cpp" in d["tags"]
    assert d["allowedHosts"]["hosts"] == ["a.klaviyo.com"]
    assert d["suggestedStreams"]["streams"]
    assert {s["suite"] for s in d["connectorTestSuitesOptions"]} >= {"unitTests", "acceptanceTests"}
    assert d["releaseStage"] and d["supportLevel"] and d["license"] and d["documentationUrl"]


def test_docker_image_tag_is_binary_version(metadata):
    if not BINARY.is_file():
        pytest.skip(f"{BINARY} not built")
    out = subprocess.run([str(BINARY), "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert out.stdout.strip() == metadata["data"]["dockerImageTag"]


def test_docker_image_tag_is_cmake_version(metadata):
    m = re.search(r"project\(\s*source-klaviyo\s+VERSION\s+([0-9.]+)", (SOURCE_DIR / "CMakeLists.txt").read_text())
    assert m and m.group(1) == metadata["data"]["dockerImageTag"]


def test_dockerfile_labels_match_metadata(image, metadata):
    cat_runner.check_image_labels(image, metadata)


def test_dockerfile_airbyte_entrypoint(image):
    cat_runner.check_image_environment_variables(image)
    assert image["entrypoint"] in (["/airbyte/integration_code/source-klaviyo"], ["/usr/local/bin/source-klaviyo"])


def test_dockerfile_runtime_stage(image):
    text = (SOURCE_DIR / "Dockerfile").read_text()
    assert image["from"] == "debian:bookworm-slim"
    assert re.search(r"^FROM debian:bookworm AS build", text, re.M), "build stage on debian:bookworm"
    assert image["user"] and image["user"] not in ("root", "0"), "final stage must run as a non-root user"
    assert image["workdir"] == "/airbyte/integration_code"
    assert "--target source-klaviyo" in text and "-DBUILD_TESTING=OFF" in text


def test_dockerfile_parser_rejects_shell_form():
    img = cat_runner.parse_dockerfile('FROM x\nENV AIRBYTE_ENTRYPOINT="/a b"\nENTRYPOINT /a b\n')
    with pytest.raises(cat_runner.CheckFailed):
        cat_runner.check_image_environment_variables(img)


def test_broken_metadata_is_rejected(metadata):
    schema = json.loads(cat_runner.metadata_schema_path(SOURCE_DIR).read_text())
    broken = json.loads(json.dumps(metadata))
    broken["data"]["registries"] = {"oss": {"enabled": True}}  # the old key: data is additionalProperties false
    del broken["data"]["githubIssueLabel"]
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def test_integration_test_files_parse():
    cfg = yaml.safe_load((IT / "acceptance-test-config.yml").read_text())
    cat_runner.check_test_config(cfg)
    for name in ("configured_catalog.json", "configured_catalog_incremental.json", "abnormal_state.json",
                 "sample_config.json", "invalid_config.json", "spec.json"):
        json.loads((IT / name).read_text())
    lines = [json.loads(l) for l in (IT / "expected_records.jsonl").read_text().splitlines() if l.strip()]
    assert lines and all({"stream", "data", "emitted_at"} <= set(l) for l in lines)


def test_spec_copy_matches_connector_spec():
    assert json.loads((IT / "spec.json").read_text()) == json.loads((SOURCE_DIR / "spec" / "spec.json").read_text())


def test_sample_config_validates_against_spec():
    spec = json.loads((SOURCE_DIR / "spec" / "spec.json").read_text())
    cfg = json.loads((IT / "sample_config.json").read_text())
    cat_runner.check_config_match_spec(spec, cfg)
    assert cfg["api_key"].startswith("pk_") and "REPLACE" in cfg["api_key"], "placeholder key only"


# --- the destination (destination-klaviyo/: metadata.yaml, integration_tests/) ---------------------

DEST_DIR = SOURCE_DIR / "destination-klaviyo"
DEST_BINARY = BUILD_DIR / "destination-klaviyo"


@pytest.fixture(scope="module")
def dest_metadata() -> dict:
    return yaml.safe_load((DEST_DIR / "metadata.yaml").read_text())


def test_destination_metadata_validates_and_is_a_destination(dest_metadata, metadata):
    schema = json.loads(cat_runner.metadata_schema_path(SOURCE_DIR).read_text())
    errors = list(jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(dest_metadata))
    assert not errors, errors[0].message
    d = dest_metadata["data"]
    assert d["connectorType"] == "destination"
    assert d["definitionId"] != metadata["data"]["definitionId"]
    assert d["allowedHosts"]["hosts"] == ["a.klaviyo.com"]
    assert d["dockerImageTag"] == metadata["data"]["dockerImageTag"]


def test_destination_image_tag_is_its_binary_version(dest_metadata):
    if not DEST_BINARY.is_file():
        pytest.skip(f"{DEST_BINARY} not built")
    out = subprocess.run([str(DEST_BINARY), "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.strip() == dest_metadata["data"]["dockerImageTag"]


def test_dockerfile_destination_stage(dest_metadata):
    text = (SOURCE_DIR / "Dockerfile").read_text()
    stage = cat_runner.parse_dockerfile(text, "destination")
    cat_runner.check_image_labels(stage, dest_metadata)
    cat_runner.check_image_environment_variables(stage)
    assert stage["entrypoint"] == ["/airbyte/integration_code/destination-klaviyo"]
    assert stage["from"] == "debian:bookworm-slim" and stage["user"] == "airbyte"
    assert stage["workdir"] == "/airbyte/integration_code"
    assert "--target source-klaviyo destination-klaviyo" in text, "the build stage builds the destination too"


def test_destination_integration_files_agree_with_the_connector():
    spec = json.loads((SOURCE_DIR / "spec" / "destination_spec.json").read_text())
    cfg = json.loads((DEST_DIR / "integration_tests" / "sample_config.json").read_text())
    cat_runner.check_config_match_spec(spec, cfg)
    assert "REPLACE" in cfg["api_key"], "placeholder key only"
    bad = json.loads((DEST_DIR / "integration_tests" / "invalid_config.json").read_text())
    assert list(jsonschema.Draft7Validator(spec["connectionSpecification"]).iter_errors(bad))
    catalog = json.loads((DEST_DIR / "integration_tests" / "configured_catalog.json").read_text())
    assert {s.get("destination_object_name") for s in catalog["streams"]} == {None, "event", "profile"}
    for line in (DEST_DIR / "integration_tests" / "messages.jsonl").read_text().splitlines():
        assert json.loads(line)["type"] in ("RECORD", "STATE")
