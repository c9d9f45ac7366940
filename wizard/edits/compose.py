"""docker compose files, read and edited line by line (every other byte kept): the variables
of each service's `environment:` (a map, `KEY: value`, or a list, `- KEY=value`) and the
files its `env_file:` names. A URL set there is where the app gets it in its containers, so
the sync URL goes beside it, in the same style."""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = r"[A-Za-z_][A-Za-z0-9_.]*"
_BLOCK = re.compile(r"^(?P<indent>\s*)(?P<name>environment|env_file)\s*:\s*(?P<rest>.*?)\s*$")
_LIST_ITEM = re.compile(
    rf"^(?P<indent>\s*)-\s*(?P<q>[\"']?)(?P<key>{_KEY})=(?P<value>.*?)(?P=q)\s*$"
)
_MAP_ITEM = re.compile(rf"^(?P<indent>\s*)(?P<key>{_KEY})\s*:\s*(?P<value>.*?)\s*$")
_FILE_ITEM = re.compile(r"^\s*-\s*(?:path\s*:\s*)?(?P<value>.+?)\s*$")


@dataclass(frozen=True)
class Binding:
    """One `environment:` entry."""

    key: str
    value: str  # unquoted
    line: int  # 1-based
    style: str  # "map" or "list"
    indent: str
    quote: str  # the quote the value (map) or the whole item (list) was written in


@dataclass(frozen=True)
class ComposeEnv:
    bindings: tuple[Binding, ...]
    env_files: tuple[str, ...]  # as written, relative to the compose file's folder

    def get(self, key: str) -> Binding | None:
        return next((b for b in self.bindings if b.key == key), None)


def parse(text: str) -> ComposeEnv:
    """Every service's `environment:` entries and `env_file:` names."""
    bindings: list[Binding] = []
    files: list[str] = []
    lines = text.splitlines()
    block, depth = "", -1
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if block and indent <= depth:
            block = ""
        found = _BLOCK.match(line)
        if found and not block:
            block, depth = found["name"], indent
            rest = _unquote(found["rest"].split(" #")[0].strip())
            if block == "env_file" and rest and not rest.startswith(("[", "-")):
                files.append(rest)
            elif block == "env_file" and rest.startswith("["):
                files += [_unquote(p.strip()) for p in rest.strip("[]").split(",") if p.strip()]
            continue
        if block == "environment":
            binding = _binding(line, number)
            bindings += [binding] if binding else []
        elif block == "env_file":
            item = _FILE_ITEM.match(line)
            if item and not item["value"].startswith(("required", "format")):
                files.append(_unquote(item["value"].split(" #")[0].strip()))
    return ComposeEnv(tuple(bindings), tuple(dict.fromkeys(files)))


def _binding(line: str, number: int) -> Binding | None:
    item = _LIST_ITEM.match(line)
    if item:
        value = item["value"]
        return Binding(item["key"], value, number, "list", item["indent"], item["q"])
    item = _MAP_ITEM.match(line)
    if item is None:
        return None
    raw = item["value"].split(" #")[0].strip()
    quote = raw[0] if len(raw) > 1 and raw[0] in "'\"" and raw[-1] == raw[0] else ""
    return Binding(item["key"], _unquote(raw), number, "map", item["indent"], quote)


def _unquote(text: str) -> str:
    if len(text) > 1 and text[0] in "'\"" and text[-1] == text[0]:
        return text[1:-1]
    return text


def insert_after(text: str, anchor: Binding, key: str, value: str) -> str:
    """`key` set to `value` on a new line after `anchor`, written the way `anchor` is."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines[anchor.line - 1].endswith("\r\n") else "\n"
    if anchor.style == "list":
        new = f"{anchor.indent}- {anchor.quote}{key}={value}{anchor.quote}"
    else:
        quote = anchor.quote or ('"' if _needs_quotes(value) else "")
        new = f"{anchor.indent}{key}: {quote}{value}{quote}"
    if not lines[anchor.line - 1].endswith(("\n", "\r")):
        lines[anchor.line - 1] += newline
        newline = ""
    lines.insert(anchor.line, new + newline)
    return "".join(lines)


def _needs_quotes(value: str) -> bool:
    return bool(re.search(r"[:#{}\[\],&*?|<>=!%@`'\"]|^\s|\s$", value))
