"""The questions on a terminal that cannot move its cursor (TERM=dumb: Emacs' shell, some CI
consoles): one line each, read with input(), no escape codes. A refused answer is asked
again with the reason."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence


def wanted() -> bool:
    """A dumb terminal that a person types into."""
    return os.environ.get("TERM") == "dumb" and sys.stdin.isatty()


def _ask(message: str, parse: Callable[[str], tuple[object, str | None]]) -> object:
    """input() until `parse` accepts the answer; its reason is printed when it does not."""
    while True:
        value, why = parse(input(message).strip())
        if why is None:
            return value
        print(f"  {why}")


def select(
    message: str, choices: Sequence[str], default: str, help: Mapping[str, str] | None = None
) -> str:
    """A numbered list; the number (or nothing, for the default)."""
    print(f"? {message}")
    for n, choice in enumerate(choices, 1):
        more = f"  ({help[choice]})" if help and choice in help else ""
        print(f"  {n}) {choice}{more}")
    first = choices.index(default) + 1

    def parse(typed: str) -> tuple[object, str | None]:
        if not typed:
            return default, None
        if typed.isdigit() and 1 <= int(typed) <= len(choices):
            return choices[int(typed) - 1], None
        return None, f"{typed!r} is not a number from 1 to {len(choices)}"

    return str(_ask(f"  choose 1-{len(choices)} [{first}]: ", parse))


def checkbox(message: str, choices: Sequence[str], checked: Sequence[str]) -> list[str]:
    """A numbered list; comma-separated numbers (or nothing, for the ticked ones)."""
    print(f"? {message}")
    for n, choice in enumerate(choices, 1):
        print(f"  {n}) [{'x' if choice in checked else ' '}] {choice}")

    def parse(typed: str) -> tuple[object, str | None]:
        if not typed:
            return list(checked), None
        picked = [p.strip() for p in typed.split(",") if p.strip()]
        if all(p.isdigit() and 1 <= int(p) <= len(choices) for p in picked):
            return [choices[int(p) - 1] for p in picked], None
        return None, f"{typed!r}: give numbers from 1 to {len(choices)}, separated by commas"

    found = _ask("  numbers, comma-separated [the ticked ones]: ", parse)
    return list(found) if isinstance(found, list) else []


def text(message: str, default: str, check: Callable[[str], str | None]) -> str:
    """A line of text (nothing, for the default)."""

    def parse(typed: str) -> tuple[object, str | None]:
        answer = typed or default
        return answer, check(answer)

    return str(_ask(f"? {message} [{default}] ", parse))


def confirm(message: str, default: bool = True) -> bool:
    """y or n (nothing, for the default)."""

    def parse(typed: str) -> tuple[object, str | None]:
        if not typed:
            return default, None
        if typed.lower() in ("y", "yes", "n", "no"):
            return typed.lower().startswith("y"), None
        return None, f"{typed!r}: answer y or n"

    return bool(_ask(f"? {message} [{'Y/n' if default else 'y/N'}] ", parse))


def confirm_or_diff(message: str) -> str:
    """y, n or d (nothing, for yes): `yes`, `no` or `diff`."""
    words = {"y": "yes", "yes": "yes", "n": "no", "no": "no", "d": "diff", "diff": "diff"}

    def parse(typed: str) -> tuple[object, str | None]:
        if not typed:
            return "yes", None
        if typed.lower() in words:
            return words[typed.lower()], None
        return None, f"{typed!r}: answer y, n, or d to see the diff first"

    return str(_ask(f"? {message} [Y/n/d: show the diff first] ", parse))
