"""A model module as model discovery reads it: every top-level statement, and in each
top-level class only the header and the `__dunder__` statements (`__tablename__`,
`__table__`, `__abstract__`, a `def __tablename__`). Columns, relationships and methods are
blanked (line numbers kept), so a large model module parses in a third of the time.

Only for modules that define nothing but models (`words.models_only`): settings classes and
engine calls are always parsed whole. Text the skimmer does not follow (a string spanning
lines at column 0 inside a class) makes the skimmed text fail to parse; the caller then
parses the whole file.
"""

from __future__ import annotations


def _indent(line: str) -> int | None:
    """Indentation of a line that may start a statement; None for blank and comment lines."""
    stripped = line.lstrip()
    if not stripped or stripped[0] == "#":
        return None
    return len(line) - len(stripped)


def skim(text: str) -> str:
    """`text` with the bodies of its top-level classes reduced (see the module docstring)."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        if lines[index].startswith("class ") and _header_end(lines, index) is not None:
            index = _skim_body(lines, _header_end(lines, index) or index)
        else:
            index += 1
    return "\n".join(lines)


def _header_end(lines: list[str], start: int) -> int | None:
    """The last line of a class header that ends in `:` (a body follows), else None."""
    depth = 0
    for index in range(start, min(start + 50, len(lines))):
        code = lines[index].split("#", 1)[0].rstrip()
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        if depth <= 0:
            return index if code.endswith(":") else None
    return None


def _skim_body(lines: list[str], header: int) -> int:
    """Blank the body's statements but the dunder ones; the index after the class."""
    body = next((i for i in range(header + 1, len(lines)) if _indent(lines[i]) is not None), 0)
    level = _indent(lines[body]) or 0 if body else 0
    if not level:
        return header + 1
    index, kept = body, False
    while index < len(lines) and _inside(lines[index], level):
        end = _statement_end(lines, index, level)
        keep = lines[index].lstrip().startswith(("__", "def __tablename__"))
        if not keep:
            lines[index:end] = [""] * (end - index)
        kept = kept or keep
        index = end
    if not kept:
        lines[body] = " " * level + "..."
    return index


def _inside(line: str, level: int) -> bool:
    indent = _indent(line)
    return indent is None or indent >= level


def _statement_end(lines: list[str], start: int, level: int) -> int:
    """The index after the body statement that starts at `start`."""
    index = start + 1
    while index < len(lines):
        indent = _indent(lines[index])
        if indent is not None and indent <= level and lines[index].lstrip()[0] not in ")]}":
            break
        index += 1
    return index
