"""The user's `.pre-commit-config.yaml`: a local hook that runs `alembic-wizard doctor` when
the Alembic setup or the models change; created, or merged into the `repos:` list as text
(every other line kept)."""

from __future__ import annotations

import re
from pathlib import Path

from wizard.change import Change
from wizard.errors import WizardError
from wizard.inspection import Project

CONFIG = Path(".pre-commit-config.yaml")
HOOK_ID = "alembic-wizard-doctor"

_ENTRY = """\
- repo: local
  hooks:
    - id: alembic-wizard-doctor
      name: alembic-wizard doctor
      entry: alembic-wizard doctor{project}
      language: system
      pass_filenames: false
      files: (alembic\\.ini|pyproject\\.toml|env\\.py|models?)
"""


def entry(indent: str, project_arg: str) -> list[str]:
    """Our repo entry, as lines indented like the file's own list items."""
    return [indent + line for line in _ENTRY.format(project=project_arg).splitlines()]


def merged(text: str, project_arg: str = "") -> str:
    """`text` with our hook added at the end of `repos:`; unchanged when it is there."""
    if HOOK_ID in text:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"repos:\s*(#.*)?$", line)), None)
    if start is None:
        if re.search(r"(?m)^repos:", text):  # `repos: []` or a flow list: not ours to rewrite
            raise WizardError(
                "`repos:` is written on one line",
                path=CONFIG,
                hint="write it as a block list, or add the hook by hand",
            )
        lines += ["repos:", *entry("  ", project_arg)]
        return newline.join(lines) + newline
    block = _block(lines, start)
    items = [lines[i] for i in block if lines[i].lstrip().startswith("- ")]
    indent = items[0][: len(items[0]) - len(items[0].lstrip())] if items else "  "
    last = max(
        (i for i in block if lines[i].strip() and not lines[i].lstrip().startswith("#")),
        default=start,
    )
    out = lines[: last + 1] + entry(indent, project_arg) + lines[last + 1 :]
    return newline.join(out) + newline


def _block(lines: list[str], start: int) -> range:
    """The lines of the `repos:` value: up to the next top-level key."""
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() and not line.startswith((" ", "\t", "#", "-")):
            return range(start + 1, i)
    return range(start + 1, len(lines))


def precommit_change(project: Project) -> Change:
    """.pre-commit-config.yaml at the top of the repository, with our hook."""
    path = project.top / CONFIG
    existing = project.text(path)
    rel = project.root.relative_to(project.top).as_posix() if project.root != project.top else ""
    arg = f" --project {rel}" if rel else ""
    after = merged(existing or "", arg)
    return Change(path, existing, after, "pre-commit runs alembic-wizard doctor")
