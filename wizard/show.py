"""Show a plan: a status line per file (stderr) and the unified diff (stdout), passwords masked."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import TextIO

from wizard.plan import Change

_COLORS = {"create": "32", "modify": "33", "identical": "2", "skip": "2", "restore": "35"}


# `scheme://user:PASSWORD@host`: up to the last '@' of the line (a password may hold '@')
_URL_PASSWORD = re.compile(r"([a-zA-Z][\w+.-]*://[^/\s:@]*:)[^\n]*@")
# `DB_PASSWORD=...`, `secret_key: str = "..."`, `POSTGRES_PWD = ...`: the value goes
_SECRET_ASSIGNMENT = re.compile(
    r"^([+\- ]?\s*(?:export\s+)?[\w.]*(?:PASS|PWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY)"
    r"[\w.]*\s*(?::[^=\n]*)?[=:]\s*)\S.*$",
    re.IGNORECASE | re.MULTILINE,
)


def mask(text: str, secrets: Iterable[str]) -> str:
    """`text` with passwords replaced by `***`: any URL's password, any secret-looking
    assignment, and every known secret string (longest first)."""
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _SECRET_ASSIGNMENT.sub(r"\1***", text)
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


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
