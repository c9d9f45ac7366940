"""Files the wizard's own Python cannot parse (newer grammar than it reads, or a syntax error):
parsed with the project's interpreter, else read in outline, so that a model module is never
silently left out of env.py.

The project's interpreter (which runs the app, and later the verification) parses them in one
short process that only parses (`astjson`). Where it cannot (it is the wizard's own Python, or
it fails too), a model module is read with the statements that do not parse blanked out (a
method using `except A, B:`, a `type X = ...` line): its imports, classes and `__tablename__`
remain, and a notice says so. Verification then imports it in the project's interpreter and
compares the tables.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from wizard.inspection import astjson
from wizard.inspection.scan import Skipped, Tree, make_module
from wizard.inspection.words import mentions_models

_OURS = f"Python {sys.version_info.major}.{sys.version_info.minor}"
_GENERIC_CLASS = re.compile(r"^(class\s+\w+)\[[^\]]*\]")  # `class Batch[T: Invoice](Base):`
_CLAUSE = re.compile(r"(except|else|elif|finally)\b")


def recover(tree: Tree, python: Callable[[], str]) -> list[tuple[Skipped, str]]:
    """Parse the files the scan skipped, into `tree`; those read in outline, each with its
    notice. `python` gives the project's interpreter (asked only when something was skipped)."""
    if not tree.skipped:
        return []
    version, theirs = _parse_with(python(), [s.path for s in tree.skipped])
    notices: list[tuple[Skipped, str]] = []
    still: list[Skipped] = []
    for item in tree.skipped:
        found = theirs.get(str(item.path))
        if isinstance(found, ast.Module):
            _add(tree, item, found, outline=False)
        elif mentions_models(item.source):
            _add(tree, item, outline(item.source), outline=True)
            notices.append((item, _notice(tree.top, item, found, version)))
        else:
            still.append(item)
    tree.skipped[:] = still
    return notices


def _add(tree: Tree, item: Skipped, parsed: ast.Module, *, outline: bool) -> None:
    root, name = tree.place(item.path)
    module = make_module(name, item.path, root, parsed, item.source)
    module.outline = outline
    tree.modules.setdefault(name, module)


def _notice(top: Path, item: Skipped, theirs: ast.Module | str | None, version: str) -> str:
    where = item.path.relative_to(top).as_posix() if top in item.path.parents else str(item.path)
    why = f"{item.why}, line {item.line}" if item.line else item.why
    if theirs is None:  # the project's interpreter is ours, or could not be run
        return (
            f"{where} uses newer Python syntax than {_OURS} ({why}); included from its imports"
            " and class headers (pass --python with the project's interpreter to read it whole)"
        )
    return (
        f"{where} does not parse with {_OURS} ({why}) nor with the project's Python {version}"
        f" ({theirs}); included from its imports and class headers"
    )


def _parse_with(python: str, paths: list[Path]) -> tuple[str, dict[str, ast.Module | str]]:
    """The project interpreter's version, and each file's tree as it parses it (or its
    error); nothing when that interpreter is ours or cannot be run."""
    if Path(python).resolve() == Path(sys.executable).resolve():
        return "", {}
    command = [python, "-I", astjson.__file__, *map(str, paths)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
        answer = json.loads(done.stdout)
        files, version = answer["files"], str(answer["version"])
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        return "", {}
    return version, {
        path: astjson.load(result["tree"]) if "tree" in result else str(result["error"])
        for path, result in files.items()
    }


def outline(source: bytes, limit: int = 200) -> ast.Module:
    """The module with each statement that does not parse blanked out (a method inside a class
    becomes `pass`); an empty module when that does not converge."""
    text = source.decode("utf-8", "replace")
    lines = [_GENERIC_CLASS.sub(r"\1", line) for line in text.splitlines()]
    for _ in range(limit):
        try:
            return ast.parse("\n".join(lines))
        except SyntaxError as exc:
            if not exc.lineno or not _blank(lines, min(exc.lineno, len(lines)) - 1):
                break
    return ast.Module(body=[], type_ignores=[])


def _indent(line: str) -> int | None:
    """The indentation of a line that starts a statement; None for blank and comment lines,
    lines that close a bracket and the clauses of a compound statement (`except:`, `else:`)."""
    stripped = line.lstrip()
    if not stripped or stripped[0] in "#)]}" or _CLAUSE.match(stripped):
        return None
    return len(line) - len(stripped)


def _blank(lines: list[str], index: int) -> bool:
    """Blank the innermost top-level or class-level statement around `lines[index]`."""
    top = next((i for i in range(index, -1, -1) if _indent(lines[i]) == 0), None)
    if top is None:
        return False
    start, level = top, 0
    if lines[top].startswith("class ") and index > top:
        level = next((n for i in range(top + 1, index + 1) if (n := _indent(lines[i]))), 0)
        starts = [i for i in range(top + 1, index + 1) if _indent(lines[i]) == level]
        start = starts[-1] if level and starts else top
        level = level if start != top else 0
    while start > 0 and _indent(lines[start - 1]) == level and lines[start - 1].lstrip()[:1] == "@":
        start -= 1  # its decorators go with it
    end = start + 1
    while end < len(lines) and (_indent(lines[end]) is None or (_indent(lines[end]) or 0) > level):
        end += 1
    replacement = " " * level + "pass" if level else ""
    if lines[start] == replacement and end == start + 1:
        return False  # blanked before and still failing here
    lines[start:end] = [replacement] + [""] * (end - start - 1)
    return True
