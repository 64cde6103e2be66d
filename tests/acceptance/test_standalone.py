"""A clone of the repository alone builds and passes its tests: nothing outside it is read.

* No file of the build, the tests, the benchmarks or the scripts names the folder beside the
  repository that only the developers' machines have, nor an absolute path of one machine
  (a home, a work tree); documentation (*.md, docs/) may still point at reference notes.
* What the tests need from outside is vendored under third_party/, each folder with a README that
  names its source, revision and licence, and the Klaviyo spec is the revision it claims.
Run: /usr/bin/python3 -m pytest -q tests/acceptance/test_standalone.py
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("SK_SOURCE_DIR") or Path(__file__).resolve().parents[2])

# Built from pieces so that this file does not match itself.
OUTSIDE = re.compile("|".join([
    re.escape("..") + r"/" + "shared" + r"\b",        # the folder beside the repository
    r"(?<![\w.])/" + "work" + r"/",                   # this workplace's work trees
    r"(?<![\w.])/" + "home" + r"/\w",                 # a user's home
    r"(?<![\w.])/" + "root" + r"/",                   # root's home
]))
CHECKED_TOP = {"CMakeLists.txt", "Dockerfile", "cmake", "src", "sim", "tests", "bench", "scripts", "fuzz",
               ".ci", "integration_tests", "spec", "schemas", "metadata.yaml"}
DOC_SUFFIXES = {".md"}


def repository_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=SOURCE_DIR, capture_output=True)
    if out.returncode == 0 and out.stdout:
        names = [n for n in out.stdout.decode().split("\0") if n]
    else:  # an exported tree without .git
        names = [str(p.relative_to(SOURCE_DIR)) for p in SOURCE_DIR.rglob("*") if p.is_file()
                 and not any(part.startswith("build") or part == ".git" for part in p.relative_to(SOURCE_DIR).parts)]
    return [SOURCE_DIR / n for n in names]


def offending_lines(text: str) -> list[tuple[int, str]]:
    return [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]


def checked(path: Path) -> bool:
    rel = path.relative_to(SOURCE_DIR)
    return rel.parts[0] in CHECKED_TOP and path.suffix not in DOC_SUFFIXES and path.is_file()


def test_the_pattern_finds_what_it_must():
    # The grep must fail on the lines that broke a clone, or this test could never fail.
    assert offending_lines("--spec ${CMAKE_SOURCE_DIR}/" + ".." + "/shared/reference/x.json")
    assert offending_lines('Path("/' + 'work/' + 'shared/reference/airbyte_protocol.json")')
    assert offending_lines("TOOL=$SRC/" + ".." + "/shared/tools/container")
    assert offending_lines("cd /" + "home/dev/source-klaviyo")
    assert not offending_lines("std::shared_ptr<Foo> shared = make_shared(); /usr/bin/python3 ./x/../y")
    assert not offending_lines("dd if=/dev/zero; see third_party/klaviyo-openapi/README.md")


def test_build_tests_benchmarks_and_scripts_read_nothing_outside_the_repository():
    files = [p for p in repository_files() if checked(p)]
    assert len(files) > 100, "the walk found too few files to be the repository"
    found = []
    for p in files:
        try:
            text = p.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [f"{p.relative_to(SOURCE_DIR)}:{n}: {line}" for n, line in offending_lines(text)]
    assert not found, "these lines read outside the repository:\n" + "\n".join(found)


def test_vendored_files_name_source_revision_and_licence():
    third = SOURCE_DIR / "third_party"
    folders = sorted(p for p in third.iterdir() if p.is_dir())
    assert {p.name for p in folders} >= {"klaviyo-openapi", "airbyte-protocol", "airbyte-metadata"}
    for folder in folders:
        readme = (folder / "README.md").read_text()
        for word in ("Source:", "Licence:"):
            assert word in readme, f"{folder.name}/README.md lacks '{word}'"
        assert re.search(r"\b[0-9a-f]{40}\b", readme), f"{folder.name}/README.md names no commit"


def test_vendored_klaviyo_spec_is_revision_2026_07_15():
    raw = gzip.decompress((SOURCE_DIR / "third_party/klaviyo-openapi/stable.json.gz").read_bytes())
    assert hashlib.sha256(raw).hexdigest() == "deb88f1dfad82fd530433555d3180fdc29633143d21e7347a9726cbea3fae2a9"
    assert json.loads(raw)["info"]["version"] == "2026-07-15"


def test_vendored_airbyte_schemas_parse():
    proto = json.loads((SOURCE_DIR / "third_party/airbyte-protocol/airbyte_protocol.json").read_text())
    assert "AirbyteMessage" in proto["definitions"]
    meta = json.loads((SOURCE_DIR / "third_party/airbyte-metadata/metadata_schema.json").read_text())
    assert "data" in meta["properties"]
