"""The probe's limits, in the project's interpreter: an audit hook that refuses writes inside
the project, new processes and listening sockets; the env files loaded the way the app's
libraries load them, never over a variable already set. Standard library only."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


_PATH_EVENTS = {"os.remove", "os.rmdir", "os.mkdir", "os.truncate", "os.chmod", "shutil.rmtree"}


_TWO_PATH_EVENTS = {"os.rename", "os.link", "os.symlink"}


_REFUSED_EVENTS = {
    "subprocess.Popen": "started a process",
    "os.system": "started a process",
    "os.fork": "started a process",
    "os.forkpty": "started a process",
    "os.posix_spawn": "started a process",
    "os.spawn": "started a process",
    "os.exec": "started a process",
    "socket.bind": "opened a listening socket (a server)",
}


class Refused(PermissionError):
    """What the audit hook raises: the probe never lets the app act on the machine."""


def inside(path: object, folders: tuple[str, ...]) -> bool:
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):
        return False
    full = os.path.abspath(path)  # noqa: PTH100 (no symlinks resolved: as the app names it)
    return any(full == f or full.startswith(f + os.sep) for f in folders)


def guard(folders: tuple[str, ...]) -> None:
    """Refuse writes under `folders` (the project), new processes and servers; an env
    template's copy into place is skipped instead (see `skip_template_copies`)."""
    skip_template_copies(folders)

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and len(args) == 3:
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writes and inside(path, folders):
                raise Refused(f"wrote a file: {path}")
        elif event == "os.mkdir" and args and _is_dir(args[0]):
            return  # `Path("logs").mkdir(exist_ok=True)`: nothing changes
        elif event in _PATH_EVENTS and args and inside(args[0], folders):
            raise Refused(f"changed a file: {args[0]}")
        elif event in _TWO_PATH_EVENTS and any(inside(a, folders) for a in args[:2]):
            raise Refused(f"changed a file: {args[1]}")
        elif event in _REFUSED_EVENTS:
            raise Refused(_REFUSED_EVENTS[event])

    sys.addaudithook(hook)


def _is_dir(path: object) -> bool:
    return isinstance(path, str | bytes) and os.path.isdir(path)  # noqa: PTH112 (str or bytes)


def quiet_log_files() -> None:
    """An app that logs to a file from import on (`logging.FileHandler("logs/app.log")`,
    a rotating one): its records go nowhere instead, so the import is not refused for it."""
    import logging

    def _open(self: logging.FileHandler) -> Any:
        return open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (the handler closes it)

    logging.FileHandler._open = _open  # type: ignore[method-assign]


def skip_template_copies(folders: tuple[str, ...]) -> None:
    """An app that copies its env template into place at first start (`shutil.copy(
    ".env.example", ".env")`): the copy is not made (the probe writes nothing) and the import
    goes on; the template's values are already in the environment (the placeholders)."""
    import shutil

    def skipping(real: Any) -> Any:
        def copy(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
            source, target = Path(os.fspath(src)), Path(os.fspath(dst))
            target = target / source.name if target.is_dir() else target
            mine = inside(str(source), folders) and inside(str(target), folders)
            if mine and not target.exists():
                return str(target)
            return real(src, dst, *args, **kwargs)

        return copy

    for name in ("copy", "copy2", "copyfile"):
        setattr(shutil, name, skipping(getattr(shutil, name)))


def load_env_files(paths: list[str]) -> None:
    """The env files, as python-dotenv reads them (pydantic-settings' own parser), never over
    a variable the environment already has."""
    try:
        from dotenv import dotenv_values
    except ImportError:
        dotenv_values = _plain_values  # type: ignore[assignment]
    for path in paths:
        set_unless_set({k: v for k, v in dotenv_values(path).items() if v is not None})


def set_unless_set(values: dict[str, str]) -> None:
    """Each variable the environment has in no spelling: settings read names in any case
    (pydantic-settings' default), so a template's empty `db_url=` next to an exported
    `DB_URL` would otherwise be a second, conflicting variable (the app itself reads the
    file below the environment)."""
    have = {key.upper() for key in os.environ}
    for key, value in values.items():
        if key.upper() not in have:
            os.environ[key] = value
            have.add(key.upper())


def _plain_values(path: str) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key.strip() and not key.startswith("#"):
            values[key.strip()] = value.strip().strip("'\"")
    return values
