"""Show a plan: a status line per file and a one-line summary (stderr); the unified diff
(stdout) when asked for (`--diff`, `--dry-run`). Passwords masked; colour only when the
caller says the stream takes it; never a pager."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import TextIO

from wizard.change import Change
from wizard.regions import changed_region
from wizard.secrets import mask

_COLORS = {"create": "32", "modify": "33", "identical": "2", "skip": "2", "restore": "35"}
# the marks of the verification report, and the lines of a unified diff (git's colours)
MARK_COLORS = {"ok": "32", "FAILED": "1;31", "skipped": "33", "WARNING": "1;33"}
_DIFF_COLORS = (("+++", "1"), ("---", "1"), ("@@", "36"), ("+", "32"), ("-", "31"), ("\\", "2"))


def paint(text: str, code: str, *, color: bool) -> str:
    """`text` in the ANSI colour `code`, or as is."""
    return f"\033[{code}m{text}\033[0m" if color else text


def status_line(action: str, path: str, *, color: bool, counts: str = "") -> str:
    """copier-style: the action right-aligned, then the path (and `+N -M` when given)."""
    word = paint(f"{action:>10}", _COLORS.get(action, "1"), color=color)
    return f"{word}  {path}" + (f"  {paint(counts, '2', color=color)}" if counts else "")


def diff(change: Change, label: str) -> str:
    """The unified diff of one change (empty when identical). Only the changed region goes
    through difflib, with lines to spare either side (all of a large `.env` but its new line
    is cut first), so the cost is linear in the file's size."""
    before, after = change.before or "", change.after
    start, end_before, end_after = changed_region(before, after, _MARGIN)
    offset = _lines_before(before, start)
    lines = difflib.unified_diff(
        before[start:end_before].splitlines(keepends=True),
        after[start:end_after].splitlines(keepends=True),
        f"a/{label}" if change.before is not None else "/dev/null",
        f"b/{label}",
    )
    return "".join(
        _shifted(line, offset)
        if line.startswith("@@")
        else line
        if line.endswith("\n")
        else line + "\n\\ No newline at end of file\n"
        for line in lines
    )


def _lines_before(text: str, pos: int) -> int:
    """How many lines `splitlines` finds in `text[:pos]` (counted in place when only `\n`
    ends its lines, the usual case)."""
    if _OTHER_BREAKS.search(text, 0, pos):
        return len(text[:pos].splitlines())
    return text.count("\n", 0, pos)


_OTHER_BREAKS = re.compile("[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_MARGIN = 20  # lines kept either side of the change: difflib aligns it as in the whole file
_HUNK = re.compile(r"^@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@")


def _shifted(header: str, offset: int) -> str:
    """A hunk header of the cut region, numbered as in the whole files."""
    if not offset:
        return header
    return _HUNK.sub(
        lambda m: f"@@ -{int(m[1]) + offset}{m[2]} +{int(m[3]) + offset}{m[4]} @@", header
    )


def colored_diff(text: str, *, color: bool) -> str:
    """A unified diff with git's colours (as is without colour)."""
    if not color:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        code = next((c for start, c in _DIFF_COLORS if line.startswith(start)), None)
        body = line.rstrip("\n")
        out.append(paint(body, code, color=True) + line[len(body) :] if code else line)
    return "".join(out)


def counts(change: Change) -> str:
    """`+N -M`: the lines added and removed (empty when identical)."""
    if change.action == "identical":
        return ""
    lines = diff(change, "x").splitlines()[2:]
    added = sum(1 for line in lines if line.startswith("+"))
    removed = sum(1 for line in lines if line.startswith("-"))
    return f"+{added} -{removed}"


def summary(changes: Iterable[Change]) -> str:
    """One line: how many files each action touches."""
    tally: dict[str, int] = {}
    for change in changes:
        tally[change.action] = tally.get(change.action, 0) + 1
    order = [a for a in ("create", "modify", "identical") if a in tally]
    parts = [f"{tally[a]} to {a}" if a != "identical" else f"{tally[a]} identical" for a in order]
    total = sum(tally.values())
    return f"{total} file{'s' if total != 1 else ''}: {', '.join(parts) or 'none'}"


def show(
    changes: Iterable[Change],
    labels: dict[str, str],
    secrets: Iterable[str],
    out: TextIO,
    err: TextIO,
    *,
    color: bool,
    diffs: bool = True,
    color_out: bool = False,
) -> None:
    """Status lines (with `+N -M`), and the diffs when `diffs`; nothing carries a password.
    `color` is for `err`, `color_out` for `out`."""
    secrets = list(secrets)
    for change in changes:
        label = labels[str(change.path)]
        err.write(status_line(change.action, label, color=color, counts=counts(change)) + "\n")
        err.flush()
        if diffs and change.action != "identical":
            out.write(colored_diff(mask(diff(change, label), secrets), color=color_out))
            out.flush()
    err.flush()
    out.flush()
