"""The docker compose files beside the project: where the app's containers get their
variables (a URL set only there is still the app's URL) and which env files they load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wizard.edits import compose
from wizard.errors import WizardError
from wizard.textio import read_text

NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


@dataclass(frozen=True)
class ComposeFile:
    path: Path
    text: str
    env: compose.ComposeEnv


def find_compose(root: Path, top: Path) -> list[ComposeFile]:
    """The compose files in the project root and the folder the wizard was pointed at."""
    found = []
    for folder in dict.fromkeys((root, top)):
        for name in NAMES:
            path = folder / name
            if not path.is_file():
                continue
            try:
                text = read_text(path)
            except WizardError:  # not UTF-8: not ours to read, nor to edit
                continue
            found.append(ComposeFile(path, text, compose.parse(text)))
    return found


def env_file_names(files: list[ComposeFile], root: Path) -> list[str]:
    """The env files the containers load (`env_file:`), relative to `root`: real env files,
    whatever their names say (`.env.dev`), not templates."""
    names = []
    for found in files:
        for name in found.env.env_files:
            path = (found.path.parent / name).resolve()
            if path.parent == root.resolve():
                names.append(path.name)
    return names
