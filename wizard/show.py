"""Show a plan: a status line per file (stderr) and the unified diff (stdout), passwords masked."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TextIO

from wizard.change import Change
from wizard.secrets import mask

_COLORS = {"create": "32", "modify": "33", "identical": "2", "skip": "2", "restore": "35"}


def status_line(action: str, path: str, *, color: bool) -> str:
    """copier-style: the action right-aligned, then the path."""
    word = f"{action:>10}"
    if color:
        word = f"\033[{_COLORS.get(action, '1')}m{word}\033[0m"
    return f"{word}  {path}"


def diff(change: Change, label: str) -> str:
    """The unified diff of one change (empty when identical)."""
    before = (change.before or "").splitlines(keepends=True)
    after = change.after.splitlines(keepends=True)
    lines = difflib.unified_diff(
        before, after, f"a/{label}" if change.before is not None else "/dev/null", f"b/{label}"
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def show(
    changes: Iterable[Change],
    labels: dict[str, str],
    secrets: Iterable[str],
    out: TextIO,
    err: TextIO,
    *,
    color: bool,
    diffs: bool = True,
) -> None:
    """Print status lines and diffs; nothing printed carries a password."""
    secrets = list(secrets)
    for change in changes:
        label = labels[str(change.path)]
        err.write(status_line(change.action, label, color=color) + "\n")
        if diffs and change.action != "identical":
            out.write(mask(diff(change, label), secrets))
    err.flush()
    out.flush()
