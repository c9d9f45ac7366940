"""`.env` files: read bindings with their line numbers, add a key, keep every other byte.

python-dotenv's parser keeps each binding's original text, so the file is rebuilt from the
original pieces; its `set_key` is not used because it re-quotes and drops `export`.
"""

from __future__ import annotations

import gc
import io
import os
import re
from collections import ChainMap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from wizard.errors import WizardError

_NEEDS_QUOTES = re.compile(r"[\s#'\"$\\`]")


class Binding(NamedTuple):
    """One `KEY=value` line (a tuple: a 50 MB file has a million of them)."""

    key: str
    value: str | None
    line: int
    text: str  # the original text, newline included


@dataclass(frozen=True)
class EnvFile:
    """A parsed env file: its pieces, in order, joined give back the text."""

    path: Path
    pieces: tuple[Binding | str, ...]

    def get(self, key: str, *, case_sensitive: bool = False) -> Binding | None:
        """The last binding of `key` (the one dotenv keeps)."""
        exact, folded = self._index
        return exact.get(key) if case_sensitive else folded.get(key.lower())

    @cached_property
    def _index(self) -> tuple[dict[str, Binding], dict[str, Binding]]:
        """The last binding of each key, as written and case-folded (built once)."""
        bindings = [p for p in self.pieces if isinstance(p, Binding)]
        return {b.key: b for b in bindings}, {b.key.lower(): b for b in bindings}

    def keys(self) -> list[str]:
        """Every key, in file order."""
        return [p.key for p in self.pieces if isinstance(p, Binding)]


def parse(text: str, path: Path) -> EnvFile:
    """Parse env-file text; a line dotenv cannot read is an error naming file and line."""
    pieces: list[Binding | str] = []
    if text.startswith("\ufeff"):  # a byte-order mark: kept, but not part of the first key
        pieces.append("\ufeff")
        text = text[1:]
    collecting = gc.isenabled()
    gc.disable()  # a million new tuples would start collections that find nothing to free
    try:
        return _parsed(text, path, pieces)
    finally:
        if collecting:
            gc.enable()


def _parsed(text: str, path: Path, pieces: list[Binding | str]) -> EnvFile:
    for key, value, line, original, error in _bindings(text):
        if error:
            head = original.strip()
            what = f"the line of {head.split('=', 1)[0].strip()}" if "=" in head else "a line"
            raise WizardError(
                f"cannot parse {what}",
                path=path,
                line=line,
                hint="env lines look like KEY=value; quote values with spaces",
            )
        pieces.append(original if key is None else Binding(key, value, line, original))
    return EnvFile(path, tuple(pieces))


# A line python-dotenv reads as `KEY=unquoted value` or as a comment, matched the way its
# parser reads it (leading blank lines belong to the binding; `export ` and the whitespace
# are read without backtracking, as its reader does). Every other line goes to its parser,
# a value that starts with '#' too (`KEY= #x` is empty from python-dotenv 1.2.4 on, '#x' before).
# `(?=(?P<x>...))(?P=x)` is an atomic group: Python 3.10 has no `(?>...)`.
_SIMPLE = re.compile(
    r"(?=(?P<lead>\s*))(?P=lead)(?:(?P<comment>#[^\r\n]*)"
    r"|(?=(?P<export>(?:export[^\S\r\n]+)?))(?P=export)(?P<key>[^=\#\s'][^=\#\s]*)"
    r"[^\S\r\n]*(?=(?P<eq>=[^\S\r\n]*))(?P=eq)"
    r"(?P<value>(?![\'\"#])[^\r\n]*))"
    r"(?:\r\n|\n|\r|$)"
)
_INLINE_COMMENT = re.compile(r"\s+#.*")


def _newlines(text: str) -> int:
    """Line breaks as python-dotenv counts them (`\r\n` is one)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


_Raw = tuple[str | None, str | None, int, str, bool]  # key, value, line, text, error


def _bindings(text: str) -> Iterator[_Raw]:
    """python-dotenv's bindings of `text` (as its `parse_stream` gives them), in linear
    time: simple lines by one regex, the rest (quotes, escapes, values over several lines,
    errors) by dotenv's own parser, one binding at a time from where the regex stopped."""
    parser, reader = None, None
    pos, line, end = 0, 1, len(text)
    while pos < end:
        # each match of a scanner starts where the last one ended (what re.Scanner uses)
        scanner = _SIMPLE.scanner(text, pos)  # type: ignore[attr-defined]
        while (match := scanner.match()) is not None and match.end() > pos:
            original = match.group(0)
            key, value = match.group("key", "value")
            if value is not None and "#" in value:
                value = _INLINE_COMMENT.sub("", value)
            yield key, value and value.rstrip(), line, original, False
            pos = match.end()
            line += _newlines(original) if "\r" in original else original.count("\n")
        if pos >= end:
            return
        if parser is None or reader is None:  # only a file with such lines pays for it
            parser = _dotenv_parser()
            reader = parser.Reader(io.StringIO(text))
        reader.position = parser.Position(pos, line)
        found = parser.parse_binding(reader)
        yield found.key, found.value, found.original.line, found.original.string, found.error
        pos, line = reader.position.chars, reader.position.line


def resolved(env: EnvFile) -> dict[str, str | None]:
    """Every key's value as python-dotenv's `dotenv_values` (and so pydantic-settings) reads
    it, `${VAR}` resolved from the keys above and the environment; in linear time (dotenv
    copies the whole environment for every line)."""
    values: dict[str, str | None] = {}
    environ: dict[str, str | None] = dict(os.environ)  # copied once, not once per line
    scope = ChainMap(values, environ)
    for piece in env.pieces:
        if not isinstance(piece, Binding):
            continue
        if piece.value is None or "${" not in piece.value:
            values[piece.key] = piece.value
            continue
        from dotenv.variables import parse_variables

        values[piece.key] = "".join(a.resolve(scope) for a in parse_variables(piece.value))
    return values


def _dotenv_parser() -> ModuleType:
    """python-dotenv's parser module (not its public API: Reader, Position, parse_binding;
    pyproject.toml pins python-dotenv to the 1.x releases it is tested against)."""
    import dotenv.parser

    return dotenv.parser


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def format_binding(model: Binding, key: str, value: str, newline: str) -> str:
    """`KEY=value` in the style of `model`: `export` kept, quoted when the value needs it."""
    stripped = model.text.lstrip()
    indent = model.text[: len(model.text) - len(stripped)]
    export = "export " if stripped.startswith("export ") else ""
    after_eq = stripped.split("=", 1)[1].lstrip() if "=" in stripped else ""
    quote = after_eq[:1] if after_eq[:1] in ("'", '"') else ""
    if _NEEDS_QUOTES.search(value):
        # python-dotenv decodes \\ and \' inside single quotes too: those go in double quotes
        quote = "'" if not any(c in value for c in "'\\") else '"'
        if quote == '"':
            value = value.replace("\\", "\\\\").replace('"', '\\"')
    return f"{indent}{export}{key}={quote}{value}{quote}{newline}"


def set_value(env: EnvFile, key: str, value: str) -> str:
    """The file's text with the (last) binding of `key` set to `value`, in its own style."""
    anchor = env.get(key, case_sensitive=True)
    out = []
    for piece in env.pieces:
        if piece is anchor and isinstance(piece, Binding):
            newline = piece.text[len(piece.text.rstrip("\r\n")) :]
            out.append(format_binding(piece, key, value, newline))
        else:
            out.append(piece if isinstance(piece, str) else piece.text)
    return "".join(out)


def insert_after(env: EnvFile, text: str, after: str, key: str, value: str) -> str:
    """The file's text with `key=value` on the line after the binding of `after`."""
    newline = _newline_of(text)
    out: list[str] = []
    anchor = env.get(after)
    for piece in env.pieces:
        if isinstance(piece, Binding):
            out.append(piece.text)
            if piece is anchor:
                if not piece.text.endswith(("\n", "\r")):
                    out[-1] += newline
                    new = format_binding(piece, key, value, "")
                else:
                    new = format_binding(piece, key, value, newline)
                out.append(new)
        else:
            out.append(piece)
    if anchor is None:
        model = Binding(key, value, 0, "")
        if text and not text.endswith(("\n", "\r")):
            out.append(newline)
        out.append(format_binding(model, key, value, newline))
    return "".join(out)
