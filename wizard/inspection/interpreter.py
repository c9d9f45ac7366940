"""The project's interpreter, the driver modules it can import, and its package manager."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from wizard.drivers import DRIVER_MODULES, PackageManager
from wizard.errors import WizardError


def find_python(root: Path, top: Path, explicit: str | None) -> str:
    """The project's interpreter: --python, $VIRTUAL_ENV, .venv/, venv/, else ours."""
    if explicit:
        return explicit
    candidates = []
    if os.environ.get("VIRTUAL_ENV"):
        candidates.append(Path(os.environ["VIRTUAL_ENV"]))
    candidates += [root / ".venv", root / "venv", top / ".venv", top / "venv"]
    for env in candidates:
        exe = env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if exe.exists():
            return str(exe)
    return sys.executable


def installed_modules(python: str) -> frozenset[str]:
    """Which driver modules the project's interpreter can import (found, not imported)."""
    if Path(python).resolve() == Path(sys.executable).resolve():
        from importlib.util import find_spec

        return frozenset(m for m in DRIVER_MODULES if find_spec(m) is not None)
    code = (
        "import importlib.util as u, sys;print(' '.join(m for m in sys.argv[1:] if u.find_spec(m)))"
    )
    try:
        out = subprocess.run(
            [python, "-c", code, *DRIVER_MODULES],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise WizardError(f"cannot run the project's Python: {exc}", path=python) from exc
    return frozenset(out.split())


def package_manager(root: Path, top: Path) -> PackageManager:
    """uv or poetry when their lock file is there, else pip."""
    if any((folder / "uv.lock").exists() for folder in (root, top)):
        return "uv"
    if (root / "poetry.lock").exists():
        return "poetry"
    return "pip"
