"""Remembered answers: `[tool.alembic-wizard]` in pyproject.toml (or the top level of
`.alembic-wizard.toml` where there is no pyproject.toml), so a re-run asks nothing it already
knows. Never secrets: names, choices and paths only. Text in, text out (tomlkit)."""

from __future__ import annotations

import sys
from typing import Any

TABLE = "alembic-wizard"
SMALL_FILE = ".alembic-wizard.toml"


def load(text: str | None, *, in_pyproject: bool) -> dict[str, Any]:
    """The remembered answers (empty when there are none); ValueError when it does not parse."""
    if not text:
        return {}
    doc = parse_toml(text)
    found = doc.get("tool", {}).get(TABLE, {}) if in_pyproject else doc.get(TABLE, doc)
    return dict(found) if isinstance(found, dict) else {}


def parse_toml(text: str) -> dict[str, Any]:
    """A TOML document as plain values; ValueError when it does not parse."""
    if sys.version_info >= (3, 11):  # reading needs no round trip: tomllib loads 3x faster
        import tomllib

        return tomllib.loads(text)
    import tomlkit

    return tomlkit.parse(text).unwrap()


def store(text: str | None, table: dict[str, Any], *, in_pyproject: bool) -> str | None:
    """The config file's new text holding `table`, or None when it already says the same."""
    import tomlkit

    if load(text, in_pyproject=in_pyproject) == table:
        return None
    doc = tomlkit.parse(text or "")
    if not in_pyproject:
        doc[TABLE] = table
    else:
        if "tool" not in doc:
            doc["tool"] = tomlkit.table(is_super_table=True)
        doc["tool"][TABLE] = table
    out = tomlkit.dumps(doc)
    if "\r\n" in (text or ""):  # tomlkit writes new lines with LF: keep the file's CRLF
        out = out.replace("\r\n", "\n").replace("\n", "\r\n")
    return out
