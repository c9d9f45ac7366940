"""Every planned file must parse before anyone sees it: a bug of ours fails at plan time,
not in the user's repository."""

from __future__ import annotations

import ast
import configparser
import contextlib

from wizard.change import Change
from wizard.edits import envfile
from wizard.errors import WizardError
from wizard.inspection.compose import NAMES as COMPOSE_NAMES
from wizard.regions import changed_region


def _check_env(change: Change) -> None:
    """The env file parses: where the rest is kept byte for byte (a file that parsed when it
    was read), the changed lines are enough; the whole file otherwise, or when they alone
    do not parse (they may sit inside a value over several lines)."""
    if change.before is not None:
        start, _, end = changed_region(change.before, change.after)
        with contextlib.suppress(WizardError):
            envfile.parse(change.after[start:end], change.path)
            return
    envfile.parse(change.after, change.path)


def _check_yaml(text: str) -> None:
    """A compose file: YAML's own parser when the wizard's Python has it (PyYAML is not a
    dependency; the line editor reads its insert back either way)."""
    try:
        import yaml
    except ImportError:
        return
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc).splitlines()[0]) from exc


def check_parses(change: Change) -> None:
    """`ast`, `configparser`, the env parser or tomlkit, by the file's name."""
    name = change.path.name
    try:
        if name.endswith(".py"):
            # as bytes, the way Python reads a file: a UTF-8 BOM before the code is allowed
            ast.parse(change.after.encode("utf-8"), filename=str(change.path))
        elif name.endswith(".ini"):
            configparser.ConfigParser().read_string(change.after, source=str(change.path))
        elif name.startswith(".env"):
            _check_env(change)
        elif name in COMPOSE_NAMES:
            _check_yaml(change.after)
        elif name.endswith(".toml"):
            import tomlkit  # tomllib only from Python 3.11; tomlkit's errors are ValueErrors

            tomlkit.parse(change.after)
    except (SyntaxError, configparser.Error, WizardError, ValueError) as exc:
        raise WizardError(
            f"internal error: the planned file does not parse: {exc}", path=change.path
        ) from exc
