"""Find and parse the project's env files: the settings' `env_file`, `.env`, and the
example files beside them (`.env.example` & co.)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wizard.edits import envfile
from wizard.textio import read_text

EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist")


@dataclass(frozen=True)
class EnvSource:
    """An env file that exists, parsed."""

    path: Path
    text: str
    env: envfile.EnvFile
    example: bool
    git_ignored: bool = True  # True also outside a git work tree: nothing to warn about

    def values(self) -> Iterable[tuple[str, str]]:
        """Every `(key, value)` with a value."""
        for piece in self.env.pieces:
            if isinstance(piece, envfile.Binding) and piece.value:
                yield piece.key, piece.value


def find_env_files(root: Path, top: Path, names: Sequence[str]) -> list[EnvSource]:
    """The settings' env files (relative to where Alembic runs), `.env`, and example files."""
    candidates = [root / n for n in names or [".env"]] + [root / ".env", top / ".env"]
    for folder in dict.fromkeys(c.parent for c in candidates):
        candidates += [folder / f".env{suffix}" for suffix in EXAMPLE_SUFFIXES]
    found = []
    for path in dict.fromkeys(c.resolve() for c in candidates):
        if path.is_file():
            text = read_text(path)
            example = path.name.endswith(EXAMPLE_SUFFIXES)
            found.append(EnvSource(path, text, envfile.parse(text, path), example))
    ignored = _git_ignored([s.path for s in found if not s.example])
    return [
        EnvSource(s.path, s.text, s.env, s.example, s.example or s.path in ignored) for s in found
    ]


def _git_ignored(paths: list[Path]) -> set[Path]:
    """The paths git ignores; all of them outside a git work tree (or without git)."""
    if not paths:
        return set()
    try:
        done = subprocess.run(
            ["git", "check-ignore", "--stdin", "-z"],
            cwd=paths[0].parent,
            input="\0".join(str(p) for p in paths) + "\0",
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return set(paths)
    if done.returncode not in (0, 1):  # 128: not a repository
        return set(paths)
    return {Path(p) for p in done.stdout.split("\0") if p}
