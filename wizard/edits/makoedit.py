"""Repair a user's `script.py.mako` (the revision template) with the smallest edit: one import
line added to its header, every other byte kept."""

from __future__ import annotations

import re

_IMPORT = re.compile(r"^(import \S|from \S+ import )")


def add_import(text: str, statement: str) -> str:
    """`text` with `statement` on a line of its own after the template's last top-level import
    (after `import sqlalchemy as sa` when it is there); unchanged when the line is already
    there or the template has no import to follow."""
    lines = text.splitlines(keepends=True)
    if any(line.strip() == statement for line in lines):
        return text
    anchors = [n for n, line in enumerate(lines) if line.strip() == "import sqlalchemy as sa"]
    anchors = anchors or [n for n, line in enumerate(lines) if _IMPORT.match(line)]
    if not anchors:
        return text
    at = anchors[-1]
    newline = "\r\n" if "\r\n" in text else "\n"
    if not lines[at].endswith(("\n", "\r")):
        lines[at] += newline
    lines.insert(at + 1, statement + newline)
    return "".join(lines)
