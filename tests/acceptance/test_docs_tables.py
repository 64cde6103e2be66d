"""The stream tables in README.md and docs/klaviyo.md agree with what the binary discovers:
the same streams, the same cursors, and (README) the same primary keys."""
import json
import os
import re
import subprocess

import pytest

ROOT = os.environ.get("SK_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.environ.get("SK_BUILD_DIR", os.path.join(ROOT, "build"))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    cfg = tmp_path_factory.mktemp("docs") / "config.json"
    cfg.write_text(json.dumps({"api_key": "pk_docs_table_check"}))
    out = subprocess.run([os.path.join(BUILD, "source-klaviyo"), "discover", "--config", str(cfg)],
                         capture_output=True, text=True, check=True).stdout
    streams = [json.loads(line) for line in out.splitlines()][0]["catalog"]["streams"]
    return {s["name"]: s for s in streams}


def table_rows(path, header_start):
    """Rows of the first markdown table whose header starts with header_start, as lists of cells."""
    lines = open(os.path.join(ROOT, path)).read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def names_in(cell):
    return re.findall(r"`([a-z_]+)`", cell)


def test_readme_table_matches_discover(catalog):
    rows = table_rows("README.md", "| Stream | Endpoint | Primary key | Cursor |")
    documented = {names_in(r[0])[0]: r for r in rows}
    assert set(documented) == set(catalog)
    for name, r in documented.items():
        pk = [p[0] for p in catalog[name]["source_defined_primary_key"]]
        assert names_in(r[2]) == pk, (name, r[2], pk)
        cursor = catalog[name].get("default_cursor_field", [None])[0]
        assert (names_in(r[3]) or [None])[0] == cursor, (name, r[3], cursor)


def test_connector_page_table_matches_discover(catalog):
    rows = table_rows("docs/klaviyo.md", "| Stream | Endpoint | Sync modes | Cursor |")
    documented = {names_in(r[0])[0]: r for r in rows}
    assert set(documented) == set(catalog)
    for name, r in documented.items():
        modes = {m.strip().replace(" ", "_") for m in r[2].split(",")}
        assert modes == set(catalog[name]["supported_sync_modes"]), (name, r[2])
        cursor = catalog[name].get("default_cursor_field", [None])[0]
        assert (names_in(r[3]) or [None])[0] == cursor, (name, r[3], cursor)
