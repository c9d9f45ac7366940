"""The Python the project says it needs (`requires-python`, Poetry's `python = ...`) against
the interpreter found: code written for a newer Python fails to import on an older one in
ways that say nothing of versions (a NameError on an annotation 3.14 reads lazily, a
SyntaxError on a newer grammar), so the mismatch is said where the import fails."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping

# `requires-python = ">=3.14"` ([project]) and `python = "^3.14"` ([tool.poetry.dependencies])
_DECLARED = re.compile(r"""(?m)^\s*(requires-python|python)\s*=\s*["']([^"'\n]+)["']""")
_Compare = Callable[[tuple[int, ...], tuple[int, ...]], bool]
_COMPARE: dict[str, _Compare] = {
    "": operator.eq,
    "==": operator.eq,
    "===": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_CLAUSE = re.compile(r"^(===|==|!=|~=|<=|>=|<|>|\^|~)?\s*v?(\d+(?:\.\d+)*)(\.\*)?$")


def _parts(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def _pad(parts: tuple[int, ...], size: int) -> tuple[int, ...]:
    return parts + (0,) * (size - len(parts))


def _allows(version: tuple[int, ...], op: str, wanted: tuple[int, ...], star: bool) -> bool:
    """One clause of a specifier, on release numbers only."""
    if star:  # ==3.14.*, !=3.14.*
        same = version[: len(wanted)] == wanted
        return not same if op == "!=" else same
    if op in ("^", "~", "~="):  # Poetry's ^3.14 and ~3.14, PEP 440's ~=3.14
        keep = {"^": 1, "~": min(len(wanted), 2), "~=": max(len(wanted) - 1, 1)}[op]
        return version[:keep] == wanted[:keep] and _pad(version, 3) >= _pad(wanted, 3)
    size = max(len(version), len(wanted), 3)
    mine, theirs = _pad(version, size), _pad(wanted, size)
    return _COMPARE[op](mine, theirs)


def satisfies(version: str, spec: str) -> bool:
    """Whether `version` ("3.13.0") meets `spec` (">=3.14", "==3.14.*", ">=3.11,<3.14");
    a clause not understood is taken as met (never a false alarm)."""
    found = re.findall(r"\d+", version)[:3]
    if not found:
        return True
    mine = tuple(int(n) for n in found)
    if "|" in spec:  # Poetry's alternatives: met when any is; not worth a false alarm
        return True
    for clause in spec.split(","):
        match = _CLAUSE.match(clause.strip())
        if match and not _allows(mine, match[1] or "", _parts(match[2]), bool(match[3])):
            return False
    return True


def mismatch(version: str, texts: Mapping[str, str]) -> str:
    """`pyproject.toml requires Python >=3.14`, when `version` does not meet what a
    pyproject.toml in `texts` (file name -> text) declares; "" when it does."""
    for name, text in texts.items():
        if not name.endswith("pyproject.toml"):
            continue
        for match in _DECLARED.finditer(text):
            if version and not satisfies(version, match[2]):
                return f"{name} requires Python {match[2]} and the project's Python is {version}"
    return ""
