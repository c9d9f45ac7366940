"""A `post_write_hooks` entry for the formatter the project already uses (ruff or black), so
new revisions come out formatted: in alembic.ini's `[post_write_hooks]`, or as
`[[tool.alembic.post_write_hooks]]` in pyproject.toml. A hook the user set is kept.
https://alembic.sqlalchemy.org/en/latest/autogenerate.html#applying-post-processing-and-python-code-formatters-to-generated-revisions
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

Formatter = Literal["ruff", "black"]

# Alembic's own runners: `exec` finds ruff on PATH, `console_scripts` runs black's entry point
HOOKS: dict[Formatter, dict[str, str]] = {
    "ruff": {"type": "exec", "executable": "ruff", "options": "format REVISION_SCRIPT_FILENAME"},
    "black": {
        "type": "console_scripts",
        "entrypoint": "black",
        "options": "REVISION_SCRIPT_FILENAME",
    },
}
_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")


def detect(files: Mapping[Path, str | None], root: Path, top: Path) -> Formatter | None:
    """black where it is configured; else ruff where it is configured or a dependency."""
    pyproject = "".join(files.get(d / "pyproject.toml") or "" for d in {root, top})
    hooks = files.get(top / ".pre-commit-config.yaml") or ""
    if "[tool.black" in pyproject or "psf/black" in hooks:
        return "black"
    ruff_files = [d / name for d in {root, top} for name in ("ruff.toml", ".ruff.toml")]
    if (
        "[tool.ruff" in pyproject
        or "ruff-pre-commit" in hooks
        or any(files.get(p) is not None for p in ruff_files)
        or re.search(r"""["']ruff\b""", pyproject)
    ):
        return "ruff"
    if re.search(r"""["']black\b""", pyproject):
        return "black"
    return None


def in_ini(text: str, formatter: Formatter) -> str:
    """alembic.ini with our hook under [post_write_hooks] (made before [loggers] when there
    is none); unchanged when the section already names hooks."""
    newline = "\r\n" if "\r\n" in text else "\n"
    keys = [
        f"hooks = {formatter}",
        *(f"{formatter}.{k} = {v}" for k, v in HOOKS[formatter].items()),
    ]
    lines = text.splitlines()
    sections = [
        (i, m.group(1).strip()) for i, line in enumerate(lines) if (m := _SECTION.match(line))
    ]
    here = next((i for i, name in sections if name == "post_write_hooks"), None)
    if here is not None:
        nxt = next((i for i, _ in sections if i > here), len(lines))
        if any(re.match(r"hooks\s*[=:]", line) for line in lines[here + 1 : nxt]):
            return text
        lines[here + 1 : here + 1] = keys
    else:
        at = next((i for i, name in sections if name == "loggers"), len(lines))
        lines[at:at] = ["[post_write_hooks]", *keys, ""]
    return newline.join(lines) + (newline if text.endswith(("\n", "\r")) or not text else "")


def in_toml(text: str, formatter: Formatter) -> str:
    """pyproject.toml with `[[tool.alembic.post_write_hooks]]` for the formatter; unchanged
    when [tool.alembic] already has hooks."""
    import tomlkit

    doc = tomlkit.parse(text)
    alembic = doc.get("tool", {}).get("alembic")
    if alembic is None or "post_write_hooks" in alembic:
        return text
    hooks = tomlkit.aot()
    hooks.append(tomlkit.item({"name": formatter, **HOOKS[formatter]}))
    alembic["post_write_hooks"] = hooks
    out = tomlkit.dumps(doc)
    return out.replace("\r\n", "\n").replace("\n", "\r\n") if "\r\n" in text else out
