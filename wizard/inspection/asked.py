"""What static reading cannot settle, asked of the project's own interpreter: the tables
its models make, and the URL its engines are given (each answer as inspection's types, and
what went wrong as notes)."""

from __future__ import annotations

from pathlib import Path

from wizard.inspection.asking import model_request, placeholders
from wizard.inspection.envfiles import find_env_files
from wizard.inspection.models import TableDef
from wizard.inspection.probed import (
    Sources,
    failure_note,
    filled_note,
    one_per_variable,
    printed_note,
    tables_of,
)
from wizard.inspection.scan import Tree
from wizard.inspection.settings import Settings
from wizard.inspection.source import UrlSource
from wizard.inspection.sourcevalues import Values
from wizard.probe import runner
from wizard.probe.protocol import Failure, Request


def probed_tables(
    tree: Tree, python: str, where: tuple[Path, Path], known: set[str], notes: list[str]
) -> tuple[list[TableDef], bool]:
    """The tables the models make, and whether every model module imported (only then do
    they replace what static reading found)."""
    root, top = where
    found_env = find_env_files(root, top, ())
    env_files = [e.path for e in found_env if not e.example]
    request = model_request(tree, root, env_files, known)
    request["placeholders"] = placeholders(found_env)
    answer = runner.ask(python, request)
    failures = _failures(answer)
    notes += [failure_note(f, top) for f in failures]
    found = tables_of(answer.result["tables"]) if answer.result else []
    return found, not failures


def probed_sources(
    values: Values, settings: list[Settings], python: str, request: Request, notes: list[str]
) -> list[UrlSource]:
    if not request["engine_modules"] and not request["expressions"]:
        return []
    answer = runner.ask(python, request)
    notes += [failure_note(f, values.resolver.tree.top) for f in _failures(answer)]
    if answer.result is None:
        return []
    if answer.result["stdout"]:
        notes.append(printed_note(answer.result["stdout"]))
    filled = answer.result["filled"]
    placeheld = bool(request["placeholders"]) or bool(filled)
    sources = Sources(tuple(settings), values, placeheld, frozenset(filled))
    notes += [filled_note(filled)] if filled else []
    found = [s for e in answer.result["engines"] if (s := sources.of(e)) is not None]
    return one_per_variable(list({s.label: s for s in found}.values()))


def _failures(answer: runner.Answer) -> list[Failure]:
    if answer.failure is not None:
        return [answer.failure]
    return answer.result["failures"] if answer.result else []
