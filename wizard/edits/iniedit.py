"""Edit an existing alembic.ini in place: set the keys the wizard manages under [alembic],
drop `sqlalchemy.url`, and keep every other line (comments, logging, hooks) as it is."""

from __future__ import annotations

import os
import posixpath
import re

_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_KEY = re.compile(r"^([^\s#;=:][^=:]*?)\s*[=:]")


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _is_continuation(line: str, in_value: bool) -> bool:
    """An indented line after a key continues its value; right after a header it is a key
    (configparser reads it so)."""
    return in_value and line[:1] in (" ", "\t") and bool(line.strip())


class _Rewrite:
    """One pass over the lines of an ini file, [alembic]'s managed keys set, `drop` removed."""

    def __init__(self, managed: dict[str, str], drop: tuple[str, ...], newline: str) -> None:
        self.managed, self.drop, self.newline = managed, drop, newline
        self.out: list[str] = []
        self.section: str | None = None
        self.header_at: int | None = None
        self.seen: set[str] = set()
        self.skipping = self.in_value = False
        self.blanks: list[str] = []  # blank lines inside a skipped value: dropped if it goes on

    def feed(self, line: str) -> None:
        if self.skipping and not line.strip():
            self.blanks.append(line)
        elif self.skipping and _is_continuation(line, self.in_value):
            self.blanks.clear()  # a continuation line of a dropped or replaced value
        else:
            self.out += self.blanks
            self.blanks, self.skipping = [], False
            self._line(line)

    def _line(self, line: str) -> None:
        match = _SECTION.match(line)
        if match:
            self.section, self.in_value = match.group(1).strip(), False
            self.out.append(line)
            if self.section == "alembic":
                self.header_at = len(self.out)
            return
        if _is_continuation(line, self.in_value) or self.section != "alembic":
            self.in_value = self.in_value and bool(line.strip()) or bool(_KEY.match(line.lstrip()))
            self.out.append(line)
            return
        key_match = _KEY.match(line.lstrip())
        key = key_match.group(1).strip().lower() if key_match else None
        self.in_value = key is not None
        if key in self.managed:
            self.out.append(f"{key} = {self.managed[key]}{self.newline}")
            self.seen.add(key)
        elif key not in self.drop:
            self.out.append(line)
            return
        self.skipping = True

    def text(self) -> str:
        out = self.out + self.blanks
        nl = self.newline
        missing = [f"{k} = {v}{nl}" for k, v in self.managed.items() if k not in self.seen]
        if self.header_at is not None:
            out[self.header_at : self.header_at] = missing
        elif missing:  # no [alembic] section (a logging-only alembic.ini): made only when needed
            out[:0] = [f"[alembic]{nl}", *missing, nl]
        return "".join(out)


def update(text: str, managed: dict[str, str], drop: tuple[str, ...] = ("sqlalchemy.url",)) -> str:
    """`text` with `managed` keys set (replaced where present, added after the [alembic]
    header where missing) and `drop` keys removed, along with their continuation lines.
    Keys match whatever their case, as configparser (and so Alembic) matches them."""
    rewrite = _Rewrite(managed, drop, _newline(text))
    for line in text.splitlines(keepends=True):
        rewrite.feed(line)
    return rewrite.text()


def value(text: str, key: str, section: str = "alembic") -> str | None:
    """The raw value of `key` in `section` (no interpolation), or None."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser.get(section, key, fallback=None)


SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}


def split_paths(value: object, separator: str | None, *, colons: bool = False) -> list[str]:
    """A list-of-paths option as Alembic splits it: a TOML list as it is; an ini string on its
    `path_separator`, else on spaces and commas (Alembic's legacy splitting; `colons`: also on
    colons, as its legacy splitting of `prepend_sys_path` does) and newlines."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if not isinstance(value, str) or not value.strip():
        return []
    if separator in SEPARATORS:
        return [p.strip() for p in value.split(SEPARATORS[separator]) if p.strip()]
    pattern = r"[\s,:]+" if colons else r"[\s,]+"
    return [p for p in re.split(pattern, value.strip()) if p]  # newlines: what was meant


def merged_paths(
    theirs: str | None, ours: str, separator: str | None = None, here: str = "."
) -> tuple[str, str]:
    """prepend_sys_path and path_separator that keep the user's entries (split on their
    separator) and add ours, unless an entry already names that folder. `here` is the ini's
    folder relative to where Alembic runs (what `%(here)s` stands for)."""
    tokens = split_paths(theirs, separator, colons=True)  # `src:.` without a separator: two
    if _normal(ours, here) not in {_normal(t, here) for t in tokens}:
        tokens.append(ours)
    if len(tokens) == 1:
        return tokens[0], separator if separator in SEPARATORS else "os"
    kept = separator if separator in (":", ";") else "space"  # `os` differs between systems
    return SEPARATORS[kept].join(tokens), kept


def _normal(entry: str, here: str) -> str:
    return posixpath.normpath(entry.replace("%(here)s", here).replace("\\", "/"))
