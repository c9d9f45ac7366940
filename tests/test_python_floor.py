"""The wizard runs on Python 3.10 (pyproject's requires-python): no regular expression or
syntax that only 3.11 reads. A `(?>...)` in a module-level pattern made every run on 3.10 an
`internal error (error)`, and the suite, on 3.11, never saw it."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

WIZARD = Path(__file__).resolve().parents[1] / "wizard"
REGEX_CALLS = {"compile", "match", "fullmatch", "search", "sub", "subn", "split", "findall"}
NEWER_THAN_310 = {"ATOMIC_GROUP", "POSSESSIVE_REPEAT"}  # both came with Python 3.11


def _patterns() -> list[tuple[str, int, str]]:
    """Every literal pattern handed to `re.<function>` in the wizard: (file:line, flags, text).
    Flags are kept when they are spelled `re.X` (or several joined by `|`)."""
    found = []
    for path in sorted(WIZARD.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in REGEX_CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                continue
            flags = 0
            for arg in [*node.args[1:], *(k.value for k in node.keywords if k.arg == "flags")]:
                for name in re.findall(r"re\.([A-Z]+)", ast.unparse(arg)):
                    flags |= getattr(re, name)
            where = f"{path.relative_to(WIZARD.parent)}:{node.lineno}"
            found.append((where, flags, node.args[0].value))
    return found


def _opcodes(parsed: object) -> set[str]:
    """The names of every opcode in a parsed pattern (`re._parser`'s tree), nested ones too."""
    if isinstance(parsed, (tuple, list)):
        return set().union(*(_opcodes(part) for part in parsed)) if parsed else set()
    if not hasattr(parsed, "data"):  # a number, a group name, a literal
        return set()
    names: set[str] = set()
    for op, argument in parsed.data:
        names |= {str(op)} | _opcodes(argument)
    return names


def test_the_wizard_has_patterns_to_check() -> None:
    assert len(_patterns()) > 30  # the collector finds them (an empty list would pass below)


def test_no_pattern_needs_python_311() -> None:
    parser = pytest.importorskip("re._parser")
    newer = [
        (where, sorted(_opcodes(parser.parse(text, flags)) & NEWER_THAN_310))
        for where, flags, text in _patterns()
    ]
    assert [n for n in newer if n[1]] == []


def _python_310() -> str | None:
    """A Python 3.10 that runs: on PATH, or one pyenv installed (its shim runs only the
    versions pyenv is told to)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [shutil.which("python3.10"), *map(str, sorted(pyenv.glob("3.10*/bin/python3.10")))]
    for found in filter(None, candidates):
        run = subprocess.run(
            [found, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
            capture_output=True,
            text=True,
        )
        if run.stdout.strip() == "True":
            return found
    return None


def test_python_310_compiles_every_module_and_pattern() -> None:
    python = _python_310()
    if python is None:
        if os.environ.get("CI"):
            pytest.fail("no Python 3.10 on this machine: the floor of requires-python is untested")
        pytest.skip("no Python 3.10 (python3.10 on PATH, or in pyenv)")
    job = {
        "files": [str(p) for p in sorted(WIZARD.rglob("*.py"))],
        "patterns": [[w, f, t] for w, f, t in _patterns()],
    }
    check = (
        "import json, re, sys\n"
        "job = json.load(sys.stdin)\n"
        "bad = []\n"
        "for name in job['files']:\n"
        "    try: compile(open(name, encoding='utf-8').read(), name, 'exec')\n"
        "    except SyntaxError as e: bad.append(f'{name}:{e.lineno}: {e.msg}')\n"
        "for where, flags, text in job['patterns']:\n"
        "    try: re.compile(text, flags)\n"
        "    except re.error as e: bad.append(f'{where}: {e}')\n"
        "print('\\n'.join(bad))\n"
    )
    run = subprocess.run(
        [python, "-I", "-c", check], input=json.dumps(job), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "", run.stdout
