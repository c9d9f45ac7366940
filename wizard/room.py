"""Room on the disk: a full disk named as such (the file system and where it is mounted),
and the room an apply needs beside a target on another file system, checked before its
first replace (a rollback there needs a temp file of its own)."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path

FULL = (errno.ENOSPC, errno.EDQUOT)
_SLACK = 2  # blocks beyond the bytes: a new inode, a journal line


def mount_point(path: Path) -> Path:
    """The folder the file system holding `path` is mounted at."""
    here = _existing(Path(os.path.realpath(path)))
    while not os.path.ismount(here):
        here = here.parent
    return here


def full(exc: OSError) -> bool:
    """Whether the write failed for want of room (a full disk, or a quota)."""
    return exc.errno in FULL


def said(exc: OSError, where: Path) -> tuple[str, str | None]:
    """What a failed write says (before what it left), and the hint: a full disk is named
    with where it is mounted."""
    if not full(exc):
        return f"cannot write: {exc.strerror}", None
    disk = mount_point(where)
    return (
        f"the disk is full (the file system mounted at {disk}: {exc.strerror})",
        f"free some space on {disk}, then run the wizard again",
    )


def free_bytes(folder: Path) -> int:
    """What an unprivileged write may still use on `folder`'s file system."""
    found = os.statvfs(folder)
    return found.f_bavail * found.f_frsize


def check(needs: Iterable[tuple[Path, int]]) -> None:
    """Raise ENOSPC (naming the folder) when a file system lacks the bytes `needs` asks of
    it: (a folder on it, bytes to write there), summed per file system."""
    total: dict[int, tuple[Path, int]] = {}
    for folder, size in needs:
        near = _existing(folder)
        device = near.stat().st_dev
        block = os.statvfs(near).f_frsize
        blocks = -(-size // block) + _SLACK
        _, before = total.get(device, (near, 0))
        total[device] = (near, before + blocks * block)
    for near, size in total.values():
        if free_bytes(near) < size:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(near))


def _existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder
