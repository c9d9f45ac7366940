"""Edit `[tool.alembic]` in pyproject.toml in place (tomlkit: comments, order and layout kept):
set the keys the wizard manages, drop a database URL. How Alembic (>= 1.16) reads the table:
list options such as `prepend_sys_path` are TOML lists (no `path_separator`: a string would be
iterated character by character); every string goes through `%` interpolation (`%(here)s` is
the folder of pyproject.toml, a literal `%` is `%%`); the URL and logging are never read from
it (`Config.get_main_option` reads alembic.ini only), so a URL there is a password in git.
https://alembic.sqlalchemy.org/en/latest/tutorial.html#using-pyproject-toml-for-configuration
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

TABLE = "alembic"
URL_KEY = "sqlalchemy.url"


def table(text: str) -> dict[str, Any] | None:
    """`[tool.alembic]` as plain values (None: there is none); ValueError when the text does
    not parse."""
    import tomlkit

    tool = tomlkit.parse(text).unwrap().get("tool")
    found = tool.get(TABLE) if isinstance(tool, dict) else None
    return found if isinstance(found, dict) else None


def url(values: dict[str, Any]) -> str | None:
    """The URL in a [tool.alembic] table: `"sqlalchemy.url" = ...` or the dotted
    `sqlalchemy.url = ...` (a nested table to TOML)."""
    found = values.get(URL_KEY)
    nested = values.get("sqlalchemy")
    if found is None and isinstance(nested, dict):
        found = nested.get("url")
    return found if isinstance(found, str) else None


def update(text: str, managed: dict[str, str | list[str]]) -> str:
    """`text` with [tool.alembic]'s `managed` keys set where their value differs (a list that
    only grows is appended to, so its layout stays) and the URL removed; the table is made
    at the end of the file when there is none."""
    import tomlkit

    doc = tomlkit.parse(text)
    tool = doc.get("tool")
    if tool is None:
        tool = doc["tool"] = tomlkit.table(is_super_table=True)
    if TABLE not in tool:
        tool[TABLE] = tomlkit.table()
    alembic = tool[TABLE]
    for key, value in managed.items():
        _set(alembic, key, value)
    _drop_url(alembic)
    out = tomlkit.dumps(doc)
    if "\r\n" in text:  # tomlkit writes new lines with LF: keep the file's CRLF
        out = out.replace("\r\n", "\n").replace("\n", "\r\n")
    return out


def _set(alembic: Any, key: str, value: str | list[str]) -> None:
    current = alembic.get(key)
    plain = current.unwrap() if hasattr(current, "unwrap") else current
    if plain == value:
        return
    if isinstance(value, list) and isinstance(plain, list) and value[: len(plain)] == plain:
        for item in value[len(plain) :]:
            current.append(item)
        return
    alembic[key] = value


def _drop_url(alembic: Any) -> None:
    if URL_KEY in alembic:
        del alembic[URL_KEY]
    nested = alembic.get("sqlalchemy")
    if isinstance(nested, dict) and "url" in nested:
        del nested["url"]
        if not nested:
            del alembic["sqlalchemy"]


def merged_paths(theirs: object, ours: str) -> list[str]:
    """prepend_sys_path as a TOML list that keeps the user's entries and adds `ours` (a
    string, which Alembic would iterate letter by letter, is split as the ini's legacy
    spaces and commas). `%(here)s` is the pyproject.toml's folder, which is where Alembic
    runs, so `%(here)s/src` and `src` are the same entry."""
    if isinstance(theirs, list):
        entries = [str(t) for t in theirs]
    else:
        entries = [t for t in re.split(r"[\s,]+", str(theirs or "")) if t]
    if _normal(ours) not in {_normal(e) for e in entries}:
        entries.append(ours)
    return entries


def _normal(entry: str) -> str:
    return posixpath.normpath(entry.replace("%(here)s", ".").replace("\\", "/"))
