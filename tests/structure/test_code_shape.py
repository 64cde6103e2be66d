"""The shape of src/ that CODING.md asks for, checked on every run.

* Layers: src/core is shared by both connectors; src/source and src/destination build on it.
  Every #include points one way: core -> core; source -> core or source; destination -> core or
  destination. Never back, never sideways.
* Function size: no function in src/ is longer than 80 lines (signature to closing brace).
Run: /usr/bin/python3 -m pytest -q tests/structure/test_code_shape.py
"""
from __future__ import annotations

import os
import re
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("SK_SOURCE_DIR") or Path(__file__).resolve().parents[2])
SRC = SOURCE_DIR / "src"
MAX_FUNCTION_LINES = 80

ALLOWED = {"core": {"core"}, "source": {"core", "source"}, "destination": {"core", "destination"}}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def code_files(root: Path = SRC) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in {".h", ".cpp"})


def wrong_way_includes(layer: str, text: str) -> list[str]:
    """The includes of a file in `layer` that leave what the layer may use."""
    bad = []
    for target in INCLUDE.findall(text):
        top = target.split("/", 1)[0]
        if top not in ALLOWED[layer]:
            bad.append(target)
    return bad


def strip_comments_and_strings(text: str) -> str:
    """Blanks comments, string and char literals (keeping line breaks) so braces in them don't count."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j])); i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j])); i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (min(j + 1, n) - i)); i = j + 1
        else:
            out.append(c); i += 1
    return "".join(out)


NOT_FUNCTION = re.compile(r"\b(namespace|class|struct|enum|union)\b|=\s*$|\]\s*$")


def long_functions(text: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[int, int]]:
    """(first line, length) of each function body longer than `limit` lines. A function is a '{'
    at namespace or class depth whose head (the text since the last ';', '{' or '}') has a ')'."""
    code = strip_comments_and_strings(text)
    found, scopes = [], []   # scopes: (is_function, start line)
    head_start = 0
    for i, c in enumerate(code):
        if c == "{":
            inside_function = any(f for f, _ in scopes)
            head = code[head_start:i]
            is_function = (not inside_function and ")" in head and not NOT_FUNCTION.search(head.strip())
                           and not head.strip().startswith("#"))
            first = code.count("\n", 0, head_start + len(head) - len(head.lstrip())) + 1
            scopes.append((is_function, first))
            head_start = i + 1
        elif c == "}":
            if scopes:
                is_function, first = scopes.pop()
                if is_function:
                    length = code.count("\n", 0, i) + 1 - first + 1
                    if length > limit:
                        found.append((first, length))
            head_start = i + 1
        elif c == ";" and not any(f for f, _ in scopes):
            head_start = i + 1
    return found


def test_the_include_rule_catches_each_wrong_way():
    assert wrong_way_includes("core", '#include "source/streams/engine.h"\n') == ["source/streams/engine.h"]
    assert wrong_way_includes("core", '#include "destination/mapper.h"\n') == ["destination/mapper.h"]
    assert wrong_way_includes("source", '#include "destination/mapper.h"\n') == ["destination/mapper.h"]
    assert wrong_way_includes("destination", '#include "source/state/stream_state.h"\n')
    assert not wrong_way_includes("source", '#include "core/http/client.h"\n#include <vector>\n')


def test_the_size_rule_catches_a_long_function():
    body = "\n".join(f"  x += {i};" for i in range(90))
    text = f'namespace a {{\nint f(int x) {{\n  auto l = [&] {{ return "{{"; }};\n{body}\n  return x;\n}}\n}}\n'
    assert [length for _, length in long_functions(text)] == [94]
    short = "struct S {\n  int g() const { return 1; }\n};\nenum class E { A, B };\nint v[] = {1, 2};\n"
    assert long_functions(short, limit=0) == [(2, 1)]


def test_includes_point_from_the_connectors_to_the_core_only():
    files = code_files()
    assert any(p.relative_to(SRC).parts[0] == "core" for p in files)
    bad = []
    for p in files:
        layer = p.relative_to(SRC).parts[0]
        assert layer in ALLOWED, f"{p.relative_to(SOURCE_DIR)} is outside src/core, src/source and src/destination"
        bad += [f"{p.relative_to(SOURCE_DIR)}: #include \"{t}\"" for t in wrong_way_includes(layer, p.read_text())]
    assert not bad, "includes that run the wrong way:\n" + "\n".join(bad)


def test_no_function_in_src_exceeds_80_lines():
    bad = [f"{p.relative_to(SOURCE_DIR)}:{first}: {length} lines"
           for p in code_files() for first, length in long_functions(p.read_text())]
    assert not bad, f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(bad)
