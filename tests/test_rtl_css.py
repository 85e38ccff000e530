"""Right-to-left: the style sheets use logical properties only
(docs/accessibility.md), so every page mirrors under ``dir="rtl"``.

A physical left/right property (``margin-left``, ``text-align: right``,
``left: 0``, a four-value ``padding`` whose right and left differ...) fails
here, unless its line says why it must stay physical with a
``/* rtl-ok: reason */`` comment (a chevron drawn with two borders that
points down, say). ``env(safe-area-inset-left)`` is physical by nature (the
phone's notch does not move with the language) and is allowed.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS_DIR = Path(settings.BASE_DIR) / "static" / "css"

PHYSICAL = [
    (
        re.compile(r"(?<![\w-])(margin|padding|border|scroll-margin|scroll-padding)-(left|right)(-\w+)?\s*:"),
        "use *-inline-start/end",
    ),
    (re.compile(r"(?<![\w-])border-(top|bottom)-(left|right)-radius\s*:"), "use border-start-start-radius etc."),
    (re.compile(r"(?<![\w-])(left|right)\s*:"), "use inset-inline-start/end"),
    (re.compile(r"(?<![\w-])(text-align|float|clear)\s*:\s*(left|right)\b"), "use start/end (inline-start/end)"),
]
SHORTHAND = re.compile(r"(?<![\w-])(margin|padding|inset)\s*:\s*([^;{}]+)")
VALUE = re.compile(r"[\w-]+\((?:[^()]|\([^()]*\))*\)|[^\s]+")


def _strip_comments(text: str) -> str:
    # Keep line numbers: blank out comments character by character.
    return re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def physical_properties(text: str) -> list[tuple[int, str, str]]:
    """(line number, line, advice) for each physical left/right rule."""
    raw_lines = text.splitlines()
    found = []
    for number, line in enumerate(_strip_comments(text).splitlines(), start=1):
        if "rtl-ok:" in raw_lines[number - 1]:
            continue
        for pattern, advice in PHYSICAL:
            if pattern.search(line):
                found.append((number, raw_lines[number - 1].strip(), advice))
        for match in SHORTHAND.finditer(line):
            values = VALUE.findall(match.group(2).strip().removesuffix("!important").strip())
            if len(values) == 4 and values[1] != values[3] and "safe-area-inset" not in match.group(2):
                found.append(
                    (number, raw_lines[number - 1].strip(), f"{match.group(1)}-block + {match.group(1)}-inline")
                )
    return found


@pytest.mark.parametrize("path", sorted(CSS_DIR.glob("*.css")), ids=lambda p: p.name)
def test_style_sheets_use_logical_properties_only(path):
    found = physical_properties(path.read_text())
    assert not found, f"{path.name} uses physical left/right properties (they do not mirror in Arabic):\n" + "\n".join(
        f"  line {n}: {line}  -> {advice}" for n, line, advice in found
    )


@pytest.mark.parametrize(
    "rule",
    [
        ".a { margin-left: 1rem; }",
        ".a { padding-right: 0; }",
        ".a { border-left: 4px solid red; }",
        ".a { border-left-color: red; }",
        ".a { border-top-left-radius: 4px; }",
        ".a { position: absolute; left: 0; }",
        ".a { right: 1rem; }",
        ".a { text-align: right; }",
        ".a { float: left; }",
        ".a { padding: 0 0 0 1rem; }",
        ".a { margin: 0 .25rem 0 .75rem; }",
    ],
)
def test_the_scan_catches_physical_rules(rule):
    assert physical_properties(rule)


@pytest.mark.parametrize(
    "rule",
    [
        ".a { margin-inline-start: 1rem; text-align: start; inset-inline: 0; }",
        ".a { padding: 1rem 2rem 1rem 2rem; margin: 0 auto; }",
        ".a { padding: 0 max(1rem, env(safe-area-inset-right)) 0 max(1rem, env(safe-area-inset-left)); }",
        ".a { border-right: 2px solid; } /* rtl-ok: a vertical chevron */",
        "/* margin-left: 1rem; */ .a { color: red; }",
        ".a { scroll-margin-block: 1rem; border-inline-start-color: red; }",
    ],
)
def test_the_scan_allows_logical_and_explained_rules(rule):
    assert not physical_properties(rule)
