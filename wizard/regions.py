"""Where two versions of a text differ, found in time linear in their size: the diff and the
parse check of a planned file then look at the changed lines only (a 50 MB `.env` with one
new line is one line of work, not fifty megabytes of difflib)."""

from __future__ import annotations

_BLOCK = 1 << 16


def common_prefix(a: str, b: str) -> int:
    """How many characters `a` and `b` share at their start (block compares, then chars)."""
    n, i = min(len(a), len(b)), 0
    while i + _BLOCK <= n and a[i : i + _BLOCK] == b[i : i + _BLOCK]:
        i += _BLOCK
    while i < n and a[i] == b[i]:
        i += 1
    return i


def common_suffix(a: str, b: str, limit: int) -> int:
    """How many characters `a` and `b` share at their end, at most `limit`."""
    n, j = min(len(a), len(b), limit), 0
    la, lb = len(a), len(b)
    while j + _BLOCK <= n and a[la - j - _BLOCK : la - j] == b[lb - j - _BLOCK : lb - j]:
        j += _BLOCK
    while j < n and a[la - j - 1] == b[lb - j - 1]:
        j += 1
    return j


def _back(text: str, pos: int, lines: int) -> int:
    """The start of the line `lines` lines above the one holding `pos`."""
    for _ in range(lines + 1):
        pos = text.rfind("\n", 0, pos) if pos > 0 else -1
        if pos < 0:
            return 0
    return pos + 1


def _forward(text: str, pos: int, lines: int) -> int:
    """The end (after its newline) of the line `lines` lines below the one holding `pos`."""
    for _ in range(lines + 1):
        found = text.find("\n", pos)
        if found < 0:
            return len(text)
        pos = found + 1
    return pos


def changed_region(a: str, b: str, margin: int = 0) -> tuple[int, int, int]:
    """`(start, end_a, end_b)`: `a[start:end_a]` became `b[start:end_b]`; whole lines, with
    `margin` unchanged lines kept either side. Everything outside is the same in both."""
    prefix = common_prefix(a, b)
    suffix = common_suffix(a, b, min(len(a), len(b)) - prefix)
    start = _back(a, prefix, margin)
    tail = _forward(a, len(a) - suffix, margin) if suffix else len(a)
    suffix = len(a) - tail
    return start, len(a) - suffix, len(b) - suffix
