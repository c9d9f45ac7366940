"""Find and parse the project's env files: the settings' `env_file`, `.env`, and the
example files beside them (`.env.example` & co.)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wizard.edits import envfile
from wizard.errors import WizardError
from wizard.textio import read_text

EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist")
# not env files, whatever their names say
_NOT_ENV = (
    ".py",
    ".sh",
    ".ps1",
    ".bat",
    ".cfg",
    ".toml",
    ".yaml",
    ".yml",
    ".json",
    ".md",
    ".txt",
    ".lock",
    ".envrc",
)


@dataclass(frozen=True)
class EnvSource:
    """An env file that exists, parsed."""

    path: Path
    text: str
    env: envfile.EnvFile
    example: bool
    git_ignored: bool = True  # True also outside a git work tree: nothing to warn about
    link: Path | None = None  # the symlink in the project it was reached through

    def values(self) -> Iterable[tuple[str, str]]:
        """Every `(key, value)` with a value."""
        pieces = self.env.pieces
        return [(p.key, p.value) for p in pieces if isinstance(p, envfile.Binding) and p.value]


def _looks_like_env(name: str) -> bool:
    """`.env.docker`, `env.example`, `env_dist`, `example.env`, `dev.env`, ..."""
    lower = name.lower()
    if lower.endswith(_NOT_ENV):
        return False
    return lower.startswith((".env", "env.", "env_")) or lower.endswith(".env")


def _templates(folders: Sequence[Path], real: set[Path]) -> list[Path]:
    """Env files under other names beside the real ones: each gets a placeholder."""
    found = []
    for folder in folders:
        try:
            paths = sorted(folder.iterdir())
        except OSError:
            continue
        found += [p for p in paths if _looks_like_env(p.name) and p not in real]
    return found


def find_env_files(root: Path, top: Path, names: Sequence[str]) -> list[EnvSource]:
    """The env files the app reads (the settings' `env_file`, relative to where Alembic runs;
    else `.env`), and every other env file beside them, under whatever name (templates)."""
    real = [root / n for n in names or [".env"]] + [root / ".env", top / ".env"]
    folders = list(dict.fromkeys(c.parent for c in real))
    known = [folder / f".env{suffix}" for folder in folders for suffix in EXAMPLE_SUFFIXES]
    found = []
    links = {_resolve(c): c for c in reversed([*real, *known]) if c.is_symlink()}
    for path in dict.fromkeys(_resolve(c) for c in [*real, *known]):
        if path.is_file():
            text = read_text(path)
            example = path.name.endswith(EXAMPLE_SUFFIXES)
            _check_two_byte(path, text, example)
            parsed = envfile.parse(text, path)
            _check_marks(parsed, example)
            found.append(EnvSource(path, text, parsed, example, link=links.get(path)))
    seen = {s.path for s in found} | {_resolve(c) for c in real}
    for path in _templates(folders, seen):
        source = _lenient(path.resolve())
        found += [source] if source and source.path not in seen else []
    ignored = _git_ignored([s.path for s in found if not s.example])
    return [
        EnvSource(s.path, s.text, s.env, s.example, s.example or s.path in ignored, s.link)
        for s in found
    ]


def _check_two_byte(path: Path, text: str, example: bool) -> None:
    """UTF-16 without a byte order mark is valid UTF-8 (each NUL a character of its own), so
    it reads as names no one set: said as the encoding it is."""
    sample = text[:256]
    if example or not sample or sample.count("\0") * 3 < len(sample):
        return
    order = "little" if sample[0] != "\0" else "big"
    raise WizardError(
        f"saved as UTF-16 ({order}-endian, no byte order mark): every other byte is NUL, "
        "and the app's env reader (python-dotenv) reads UTF-8",
        path=path,
        hint="save it as UTF-8",
    )


def _check_marks(env: envfile.EnvFile, example: bool) -> None:
    """A byte order mark the app's reader takes into a name (python-dotenv reads the file as
    UTF-8, not UTF-8-sig): one inside the file, or the file's own before its first binding.
    One before a comment or a blank line is harmless, and kept."""
    pieces = env.pieces
    if example:
        return
    first = pieces[1] if pieces[:1] == ("\ufeff",) and len(pieces) > 1 else None
    if isinstance(first, envfile.Binding):
        raise WizardError(
            f"starts with a byte order mark (U+FEFF), which python-dotenv reads as part of the "
            f"first name: the app sees '\\ufeff{first.key}', not {first.key}",
            path=env.path,
            line=first.line,
            hint="save it as UTF-8 without a byte order mark",
        )
    stray = next((p for p in pieces if isinstance(p, envfile.Binding) and "\ufeff" in p.key), None)
    if stray is not None:
        name = stray.key.replace("\ufeff", "")
        raise WizardError(
            f"a byte order mark (U+FEFF) inside the name {name}: the app reads another name",
            path=env.path,
            line=stray.line,
            hint="delete it (joining two files can leave one)",
        )


def _resolve(path: Path) -> Path:
    """`path` with its symlinks followed; a link that loops is an error naming it."""
    try:
        resolved = path.resolve()
        resolved.stat()
    except FileNotFoundError:
        return resolved
    except (RuntimeError, OSError) as exc:  # ELOOP (Python < 3.13 raises RuntimeError)
        raise WizardError(
            "a symlink that loops: it cannot be read",
            path=path,
            hint="point the link at a real file, or remove it",
        ) from exc
    return resolved


def _lenient(path: Path) -> EnvSource | None:
    """A template under an unusual name: skipped when it is not an env file after all."""
    if not path.is_file():
        return None
    try:
        text = read_text(path)
        return EnvSource(path, text, envfile.parse(text, path), True)
    except WizardError:
        return None


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
