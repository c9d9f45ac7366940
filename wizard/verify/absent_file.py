"""An app that reads a file of its own at import (`config.toml`, `settings.yaml`), relative
to the folder it runs in, where only the file's template is committed (`config.toml.example`):
a fresh clone cannot load env.py until the user makes the file from it, as the app cannot
start until then. That is the next step to name, not a failure of the setup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from wizard.inspection.envfiles import EXAMPLE_SUFFIXES
from wizard.verify.rungs import Rung, error_text


def template_of(missing: Path) -> Path | None:
    """The committed template of `missing`: `config.toml.example`, `config.example.toml`
    (and `.sample`, `.template`, `.dist`), the first that exists."""
    for suffix in EXAMPLE_SUFFIXES:
        for name in (missing.name + suffix, missing.stem + suffix + missing.suffix):
            if (missing.parent / name).is_file():
                return missing.parent / name
    return None


def absent_file_rung(root: Path, rel: Callable[[Path], str], error: dict[str, Any]) -> Rung | None:
    """env.py did not load because a file the app reads is not there but its template is:
    skipped, with the copy to make (`root` is where Alembic runs: the app's relative paths
    start there; `rel` shows a path as the user knows it)."""
    name = error.get("filename")
    if error.get("type") != "FileNotFoundError" or not name:
        return None
    missing = root / name
    template = template_of(missing)
    if template is None or missing.exists():
        return None
    copy = f"cp {rel(template)} {rel(missing)}  # then set its values"
    shown = {**error, "file": rel(Path(error["file"]))} if error.get("file") else error
    return Rung(
        "env.py imports",
        "skip",
        f"not until {rel(missing)} exists, made from {rel(template)} ({error_text(shown)})",
        fix=copy,
        values=(copy,),
    )
