"""Edit an existing alembic.ini in place: set the keys the wizard manages under [alembic],
drop `sqlalchemy.url`, and keep every other line (comments, logging, hooks) as it is."""

from __future__ import annotations

import re

_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_KEY = re.compile(r"^([^\s#;=:][^=:]*?)\s*[=:]")


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def update(text: str, managed: dict[str, str], drop: tuple[str, ...] = ("sqlalchemy.url",)) -> str:
    """`text` with `managed` keys set (replaced where present, added after the [alembic]
    header where missing) and `drop` keys removed, along with their continuation lines."""
    newline = _newline(text)
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    section = None
    seen: set[str] = set()
    skipping = False
    header_at = None
    for line in lines:
        match = _SECTION.match(line)
        if match:
            section, skipping = match.group(1).strip(), False
            out.append(line)
            if section == "alembic":
                header_at = len(out)
            continue
        if skipping and line[:1] in (" ", "\t") and line.strip():
            continue  # a continuation line of a dropped or replaced value
        skipping = False
        key_match = _KEY.match(line) if section == "alembic" else None
        key = key_match.group(1).strip() if key_match else None
        if key in drop:
            skipping = True
            continue
        if key in managed:
            out.append(f"{key} = {managed[key]}{newline}")
            seen.add(key)
            skipping = True
            continue
        out.append(line)
    missing = [f"{k} = {v}{newline}" for k, v in managed.items() if k not in seen]
    if header_at is None:
        out[:0] = [f"[alembic]{newline}", *missing, newline]
    else:
        out[header_at:header_at] = missing
    return "".join(out)


def value(text: str, key: str, section: str = "alembic") -> str | None:
    """The raw value of `key` in `section` (no interpolation), or None."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser.get(section, key, fallback=None)


def merged_paths(theirs: str | None, ours: str) -> tuple[str, str]:
    """prepend_sys_path and path_separator that keep the user's entries and add ours."""
    tokens = [t for t in re.split(r"[\s,]+", theirs or "") if t]
    if ours not in tokens:
        tokens.append(ours)
    return (" ".join(tokens), "space") if len(tokens) > 1 else (tokens[0], "os")
