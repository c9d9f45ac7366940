"""The versions the wizard supports (Alembic >= 1.13, SQLAlchemy >= 2.0), against what the
project's interpreter has installed and what its files pin."""

from __future__ import annotations

import re
from collections.abc import Mapping

FLOORS = {"alembic": (1, 13), "sqlalchemy": (2, 0)}
SHOWN = {"alembic": "Alembic", "sqlalchemy": "SQLAlchemy"}

# `alembic==1.12.1`, `"sqlalchemy<2"`, `alembic~=1.12.0` (PEP 508) and Poetry's
# `alembic = "~1.12"`, `alembic = "1.12.1"`, `alembic = {version = "<1.13"}`
_PIN = re.compile(
    r"""(?imx)(?<![\w.-])(alembic|sqlalchemy)(?:\[[^\]]*\])?["']?\s*
    (?:=\s*(?:\{[^}\n]*?version\s*=\s*)?["'])?\s*
    (===|==|<=|<|~=|~|\^|>=|>|!=|)\s*(\d+(?:\.\d+)*)"""
)


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def below(version: str, floor: tuple[int, ...]) -> bool:
    """`version` (as installed) is older than `floor`."""
    parts = _parts(version)
    return bool(parts) and parts < floor


def _pins_below(op: str, version: str, floor: tuple[int, ...]) -> bool:
    """The highest version `op version` allows is below `floor`."""
    parts = _parts(version)
    if op in ("==", "===", ""):
        return parts < floor
    if op == "<=":
        return parts < floor
    if op == "<":
        return parts <= floor + (0,) * (len(parts) - len(floor))
    if op in ("~=", "~"):  # ~=1.12.0 and ~1.12: below 1.13; ~=1.12: below 2
        cut = parts[:-1] if op == "~=" and len(parts) > 1 else parts[:2]
        if op == "~" and len(parts) == 1:
            cut = parts
        upper = (*cut[:-1], cut[-1] + 1)
        return upper <= floor
    if op == "^":  # Poetry: ^1.4 is below 2.0, ^0.9 below 0.10
        first = next((i for i, n in enumerate(parts) if n), len(parts) - 1)
        return (*parts[:first], parts[first] + 1) <= floor
    return False  # >=, >, !=: allow newer releases


def pinned_below(texts: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(file, package, requirement) for each requirement in `texts` (file name -> text) that
    keeps Alembic below 1.13 or SQLAlchemy below 2.0."""
    found = []
    for name, text in texts.items():
        for match in _PIN.finditer(text):
            package, op, version = match.group(1).lower(), match.group(2), match.group(3)
            if _pins_below(op, version, FLOORS[package]):
                found.append((name, package, f"{package}{op or '=='}{version}"))
    return found


def floor_text() -> str:
    return "alembic-wizard supports Alembic >= 1.13 and SQLAlchemy >= 2.0"


def notices(installed: Mapping[str, str], texts: Mapping[str, str], upgrade: str) -> list[str]:
    """What the user must hear about versions below the floor, with the fix."""
    found = []
    old = {p: v for p, v in installed.items() if p in FLOORS and below(v, FLOORS[p])}
    if old:
        what = ", ".join(f"{SHOWN[p]} {v}" for p, v in old.items())
        found.append(f"the project's Python has {what}; {floor_text()}: upgrade with {upgrade}")
    for name, package, requirement in pinned_below(texts):
        floor = ".".join(map(str, FLOORS[package]))
        found.append(f"{name} pins {requirement}; {floor_text()}: require {package}>={floor} there")
    return found
