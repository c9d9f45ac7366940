"""The suite's layers: every test is marked with what it needs, found from what its code
reaches, so a new test file is layered without a mark of its own.

A test (with its fixtures and every function of ours it calls, down through `wizard/`) that
reaches `subprocess`, `pexpect` or a fork is `process`; pexpect is also `terminal`; a process
test whose own code names `venv`, `pip` or a wheel index is `install`; the database fixtures
and table readers are `postgres` and `mariadb`. What reading the code cannot tell is in
EXPLICIT. A test with none of these marks is `fast`: the in-process layer, `pytest -m fast`.
"""

from __future__ import annotations

import contextlib
import dis
import functools
import importlib
import inspect
import sys
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
_OS_SPAWNS = "fork forkpty system popen posix_spawn posix_spawnp execv execve execvp spawnv"
_SPAWNS = {"subprocess", "pexpect", "pty", "multiprocessing", "concurrent.futures.process"}
_SPAWNS |= {f"os.{name}" for name in _OS_SPAWNS.split()}
_SPAWNS |= {"asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell"}
_TERMINAL = {"pexpect", "pty", "os.forkpty"}
_INSTALLS = {"venv", "pip", "--no-index", "build", "PIP_NO_INDEX"}  # words of the test's own code
_POSTGRES = {"pg_database", "pg_tables", "postgres"}
_MARIADB = {"mysql_database", "mysql_tables", "mariadb"}
# what the code does not show: a test file (or `file::test`) and the marks it adds. `slow`:
# 70 s or more in the suite on 3 workers on a loaded 2-core machine (2026-12-07)
EXPLICIT: dict[str, tuple[str, ...]] = {
    "test_packaging.py::test_quickstart_first_command_on_the_example": ("slow",),
    "test_packaging.py::test_wheel_contains_templates_and_works_from_them": ("slow",),
    "test_environment.py::test_next_commands_run_as_printed_in_a_plain_venv_project": ("slow",),
    "test_environment.py::test_sync_is_the_default_and_install_runs_the_one_command_then_verifies": (
        "slow",
    ),
    "test_post_write_hooks.py::test_a_console_script_hook_not_installed_fails_verification_and_install_fixes_it": (
        "slow",
    ),
    "test_post_write_hooks.py::test_at_a_terminal_the_install_is_offered_and_yes_runs_it": (
        "slow",
    ),
    "test_crash.py::test_crash_sweep_leaves_no_torn_file_and_undo_or_a_rerun_repairs_each": (
        "slow",
    ),
    "test_existing_alembic.py::test_alembic_ini_in_a_subfolder": ("slow",),
    "test_adopt.py::test_a_drifted_database_is_not_stamped": ("slow",),
    "test_guard.py::test_guard_on_postgresql_pytest_alembic_passes_on_a_test_database": ("slow",),
}


# a test that names a server's address (in a URL, a DSN) talks to it, with or without the fixture
_SERVERS = {"127.0.0.1:5432": "postgres", "port=5432": "postgres", "127.0.0.1:3306": "mariadb"}
_READERS = _POSTGRES | _MARIADB  # fixtures and helpers, by name
_VOCABULARY = _SPAWNS | _TERMINAL | _READERS


@functools.cache
def _our_module(name: str) -> bool:
    """A module of this repository (the package, the tests, benchmarks/), not a library."""
    if name.split(".")[0] == "wizard":
        return True
    file = getattr(sys.modules.get(name), "__file__", None)
    path = Path(file).resolve() if file else None
    return path is not None and path.is_relative_to(REPO) and "site-packages" not in path.parts


def _modules(code: types.CodeType, env: dict[str, Any]) -> list[types.ModuleType]:
    """The modules a code object uses: its globals that are modules, and what it imports."""
    found = [v for v in map(env.get, code.co_names) if isinstance(v, types.ModuleType)]
    for name in {i.argval for i in dis.get_instructions(code) if i.opname == "IMPORT_NAME"}:
        if name.split(".")[0] == "wizard":
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        if name in sys.modules:
            found.append(sys.modules[name])
    return found


class _Graph:
    """Our functions, what each reaches by itself (module names, `module.attribute`, its own
    name, and for the tests' own code its strings) and which of ours it calls."""

    def __init__(self) -> None:
        self.facts: dict[int, set[str]] = {}
        self.calls: dict[int, set[int]] = {}
        self._todo: list[Any] = []

    def add(self, func: Any) -> int | None:
        """Register a function of ours and all it calls; its node, or None for a library's."""
        node = self._node(inspect.unwrap(func) if callable(func) else func)
        while self._todo:
            self._read(*self._todo.pop())
        return node

    def _node(self, func: Any) -> int | None:
        code = getattr(func, "__code__", None)
        if code is None or not _our_module(getattr(func, "__module__", None) or ""):
            return None
        if id(code) not in self.facts:
            self.facts[id(code)], self.calls[id(code)] = {func.__name__} & _READERS, set()
            self._todo.append((func, code))
        return id(code)

    def _callees(self, value: Any) -> Iterable[Any]:
        if isinstance(value, type) and _our_module(value.__module__):
            for member in vars(value).values():
                yield getattr(member, "__func__", getattr(member, "fget", member))
        elif isinstance(value, types.FunctionType):
            yield value

    def _read(self, func: Any, code: types.CodeType) -> None:
        own = not func.__module__.startswith("wizard")
        node, env = id(code), func.__globals__
        for inner in _nested(code):
            modules = _modules(inner, env)
            attributes = {(m, n): _attribute(m, n) for m in modules for n in inner.co_names}
            attributes = {key: value for key, value in attributes.items() if value is not _NONE}
            self.facts[node] |= {m.__name__ for m in modules}
            self.facts[node] |= {f"{m.__name__}.{n}" for m, n in attributes}
            values = [*map(env.get, inner.co_names), *attributes.values()]
            if own:
                self.facts[node] |= _words([*inner.co_consts, *values])
            for callee in (c for v in values for c in self._callees(v)):
                if (callee_node := self._node(callee)) is not None:
                    self.calls[node].add(callee_node)

    def settle(self) -> None:
        """Give each function what the functions it calls reach, until nothing changes."""
        for facts in self.facts.values():
            facts &= _VOCABULARY | _INSTALLS
        changed = True
        while changed:
            changed = False
            for node, calls in self.calls.items():
                before = len(self.facts[node])
                for callee in calls:
                    self.facts[node] |= self.facts[callee]
                changed = changed or len(self.facts[node]) != before


_NONE = object()


def _attribute(module: types.ModuleType, name: str) -> Any:
    """`module.name`, or _NONE: a module's own `__getattr__` may raise anything."""
    try:
        return getattr(module, name)
    except Exception:
        return _NONE


def _words(values: Iterable[Any]) -> set[str]:
    """What the tests' own strings say: a venv, pip or a wheel index; a server's address."""
    words = {v for v in values if isinstance(v, str)}
    found = words & _INSTALLS
    for word in words:
        found |= {layer for address, layer in _SERVERS.items() if address in word}
    return found


def _nested(code: types.CodeType) -> Iterable[types.CodeType]:
    """A code object and those of the functions, lambdas and comprehensions inside it."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _nested(const)


def _explicit(item: pytest.Item) -> Iterable[str]:
    name = Path(item.path).name
    yield from EXPLICIT.get(name, ())
    yield from EXPLICIT.get(f"{name}::{getattr(item, 'originalname', item.name)}", ())


def _marks(found: set[str]) -> set[str]:
    marks = set()
    if found & _SPAWNS:
        marks.add("process")
    if found & _TERMINAL:
        marks.add("terminal")
    if "process" in marks and found & _INSTALLS:
        marks.add("install")
    if found & _POSTGRES:
        marks.add("postgres")
    if found & _MARIADB:
        marks.add("mariadb")
    return marks


def mark_layers(items: list[pytest.Item]) -> None:
    """Add each test's layer marks (`fast` when it needs nothing but this process)."""
    graph = _Graph()
    roots = []
    for item in items:
        defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        funcs = [getattr(item, "obj", None)]
        funcs += [d.func for name in getattr(item, "fixturenames", ()) for d in defs.get(name, ())]
        names = set(getattr(item, "fixturenames", ())) & _VOCABULARY
        roots.append((names, [n for n in map(graph.add, funcs) if n is not None]))
    graph.settle()
    for item, (names, nodes) in zip(items, roots, strict=True):
        found = names.union(*(graph.facts[n] for n in nodes))
        for name in sorted(_marks(found) | set(_explicit(item)) or {"fast"}):
            item.add_marker(name)
