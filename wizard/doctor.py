"""`alembic-wizard doctor`: read-only diagnosis of an Alembic setup. Each finding has a stable
ID, the file and line, what is wrong, why it breaks, and the fix. Static: nothing is imported
or connected to."""

from __future__ import annotations

import ast
import configparser
import contextlib
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wizard import urls
from wizard.errors import WizardError
from wizard.project import Project
from wizard.textio import read_text

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


@dataclass(frozen=True)
class Rule:
    """One known way an Alembic setup breaks."""

    id: str
    name: str
    why: str  # what the user sees when it breaks
    fix: str
    patterns: tuple[str, ...] = ()  # error messages (lower case) that this rule explains


@dataclass(frozen=True)
class Finding:
    """A rule that applies here."""

    rule: str
    path: str | None
    line: int | None
    what: str
    why: str
    fix: str


RULES = {r.id: r for r in [
    Rule("AW101", "async-url-in-sync-env",
         "a sync engine given an async driver fails with `MissingGreenlet: greenlet_spawn has "
         "not been called`", "give Alembic a sync URL (DATABASE_URL_SYNC): run alembic-wizard",
         ("greenlet_spawn has not been called", "missinggreenlet")),
    Rule("AW102", "sync-url-in-async-env",
         "an async engine given a sync driver fails with `InvalidRequestError: The asyncio "
         "extension requires an async driver to be used`",
         "use the app's async URL in async mode, or switch env.py to the sync-driver mode",
         ("asyncio extension requires an async driver",)),
    Rule("AW103", "models-not-imported",
         "autogenerate does not see these tables and proposes to DROP them",
         "import every model module in env.py (alembic-wizard writes MODEL_MODULES)"),
    Rule("AW104", "target-metadata-none",
         "autogenerate has nothing to compare: `Can't proceed with --autogenerate option; "
         "environment script ... does not provide a MetaData object`",
         "set target_metadata = Base.metadata", ("does not provide a metadata object",)),
    Rule("AW105", "app-not-on-sys-path",
         "`ModuleNotFoundError: No module named 'app'` when env.py imports the models",
         "set prepend_sys_path in alembic.ini to the folder that holds the package",
         ("modulenotfounderror: no module named",)),
    Rule("AW106", "credentials-in-ini", "the password is committed to git with alembic.ini",
         "remove sqlalchemy.url from alembic.ini; read the URL from the environment in env.py"),
    Rule("AW107", "url-through-configparser",
         "`set_main_option` passes the URL through configparser: a '%' in the password "
         "(any URL-encoded character) fails with `ValueError: invalid interpolation syntax`",
         "pass the URL to create_engine / context.configure directly",
         ("invalid interpolation syntax",)),
    Rule("AW108", "str-engine-url",
         "`str(engine.url)` writes `***` instead of the password, so the connection is refused",
         "use engine.url itself, or url.render_as_string(hide_password=False)",
         ('password authentication failed for user', "access denied for user")),
    Rule("AW109", "driverless-url",
         "`postgres://` is not a SQLAlchemy dialect (`NoSuchModuleError: Can't load plugin: "
         "sqlalchemy.dialects:postgres`); a driver-less URL picks a driver that may be missing",
         "write the driver: postgresql+psycopg://...",
         ("can't load plugin: sqlalchemy.dialects:postgres",)),
    Rule("AW110", "asyncpg-sslmode",
         "asyncpg has no sslmode: `TypeError: connect() got an unexpected keyword argument "
         "'sslmode'`", "asyncpg spells it ssl=require",
         ("unexpected keyword argument 'sslmode'",)),
    Rule("AW111", "get-event-loop",
         "`asyncio.get_event_loop()` is deprecated and fails without a running loop in newer "
         "Pythons (`There is no current event loop`)", "use asyncio.run(...)",
         ("there is no current event loop",)),
    Rule("AW112", "no-path-separator",
         "Alembic >= 1.16 warns on every command and splits prepend_sys_path on spaces",
         "add `path_separator = os` under [alembic]"),
    Rule("AW113", "sqlite-without-batch",
         "SQLite cannot ALTER most things: `NotImplementedError: No support for ALTER of "
         "constraints in SQLite dialect`", "pass render_as_batch=True to context.configure",
         ("no support for alter of constraints in sqlite dialect",)),
    Rule("AW114", "sqlmodel-without-import",
         "revisions that use sqlmodel types fail with `NameError: name 'sqlmodel' is not defined`",
         "add `import sqlmodel` to script.py.mako", ("name 'sqlmodel' is not defined",)),
    Rule("AW115", "env-not-ignored", "the .env file with the password can be committed",
         "add .env to .gitignore"),
    Rule("AW116", "several-heads",
         "`Multiple head revisions are present for given argument 'head'`",
         "alembic merge heads -m \"merge\"", ("multiple head revisions are present",)),
    Rule("AW117", "driver-not-installed", "connecting fails with ModuleNotFoundError",
         "install the driver named in the URL"),
    Rule("AW119", "sync-url-missing",
         "env.py reads the sync URL from a variable that is not set: it fails or falls back to "
         "the app's async URL", "add the sync URL to .env (alembic-wizard derives it)"),
    Rule("AW120", "sync-url-other-database",
         "Alembic migrates one database while the app uses another",
         "derive the sync URL from the app's (re-run alembic-wizard)"),
    Rule("AW118", "no-alembic-setup", "there is nothing to run migrations with",
         "run alembic-wizard"),
]}  # fmt: skip


def lookup(message: str) -> list[Rule]:
    """The rules whose known error messages appear in `message` (a pasted traceback)."""
    text = message.lower()
    return [r for r in RULES.values() if any(p in text for p in r.patterns)]


@dataclass
class _Setup:
    project: Project
    ini_path: Path | None
    ini: configparser.ConfigParser | None
    env_path: Path | None
    env_text: str
    env_tree: ast.Module | None

    def find(self, rule: str, path: Path | None, line: int | None, what: str) -> Finding:
        r = RULES[rule]
        return Finding(rule, self.project.rel(path) if path else None, line, what, r.why, r.fix)

    def ini_line(self, key: str) -> int | None:
        if self.ini_path is None:
            return None
        for number, line in enumerate(read_text(self.ini_path).splitlines(), 1):
            if re.match(rf"\s*{re.escape(key)}\s*[=:]", line):
                return number
        return None

    def calls(self, name: str) -> Iterator[ast.Call]:
        for node in ast.walk(self.env_tree) if self.env_tree else ():
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    yield node


def _load(project: Project) -> _Setup:
    ini_path = project.alembic_ini
    ini = None
    if ini_path is not None:
        ini = configparser.ConfigParser(interpolation=None)
        ini.read_string(read_text(ini_path), source=str(ini_path))
    location = (project.script_location or "").replace("%(here)s/", "").replace("%(here)s", ".")
    env_path = project.root / location / "env.py" if location else None
    env_text = read_text(env_path) if env_path and env_path.is_file() else ""
    try:
        tree = ast.parse(env_text) if env_text else None
    except SyntaxError as exc:
        raise WizardError(f"cannot parse: {exc.msg}", path=env_path, line=exc.lineno) from exc
    return _Setup(project, ini_path, ini, env_path if env_text else None, env_text, tree)


def _ini_url(setup: _Setup) -> str | None:
    if setup.ini is None:
        return None
    url = setup.ini.get("alembic", "sqlalchemy.url", fallback=None)
    return url if url and "driver://" not in url else None


def _is_async_env(setup: _Setup) -> bool:
    return any(w in setup.env_text for w in ("async_engine_from_config", "create_async_engine"))


def _check_urls(setup: _Setup) -> Iterator[Finding]:
    url_text = _ini_url(setup)
    if url_text is None:
        return
    line = setup.ini_line("sqlalchemy.url")
    try:
        url = urls.parse(url_text)
    except WizardError:
        return
    if url.password:
        yield setup.find("AW106", setup.ini_path, line, "sqlalchemy.url holds a password")
    if _driverless(url):
        yield setup.find("AW109", setup.ini_path, line, f"driver-less URL ({url.drivername}://)")
    if setup.env_path is None:
        return
    try:
        is_async = urls.is_async(url)
    except WizardError:
        return
    if _is_async_env(setup) and not is_async:
        what = f"async env.py, sync driver {url.drivername!r} in alembic.ini"
        yield setup.find("AW102", setup.ini_path, line, what)
    if not _is_async_env(setup) and is_async:
        what = f"sync env.py, async driver {url.drivername!r} in alembic.ini"
        yield setup.find("AW101", setup.ini_path, line, what)


def _check_env_py(setup: _Setup) -> Iterator[Finding]:
    path = setup.env_path
    for call in setup.calls("set_main_option"):
        escaped = len(call.args) > 1 and "%%" in ast.unparse(call.args[1])  # .replace("%", "%%")
        if call.args and getattr(call.args[0], "value", None) == "sqlalchemy.url" and not escaped:
            yield setup.find(
                "AW107", path, call.lineno, "config.set_main_option('sqlalchemy.url', ...)"
            )
    for call in setup.calls("str"):
        if call.args and isinstance(call.args[0], ast.Attribute) and call.args[0].attr == "url":
            yield setup.find("AW108", path, call.lineno, f"{ast.unparse(call)} hides the password")
    for call in setup.calls("get_event_loop"):
        yield setup.find("AW111", path, call.lineno, "asyncio.get_event_loop()")
    for node in ast.walk(setup.env_tree) if setup.env_tree else ():
        if (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "target_metadata"
                                                 for t in node.targets)
                and isinstance(node.value, ast.Constant) and node.value.value is None):  # fmt: skip
            yield setup.find("AW104", path, node.lineno, "target_metadata = None")
    dialects = {t.metadata for t in setup.project.tables}
    if dialects and "render_as_batch" not in setup.env_text and _sqlite(setup):
        yield setup.find("AW113", path, None, "SQLite without render_as_batch=True")
    if not _is_async_env(setup):
        yield from _check_app_url_in_sync_env(setup)


def _sqlite(setup: _Setup) -> bool:
    for source in setup.project.env_files:
        for piece in source.env.pieces:
            if not isinstance(piece, str) and (piece.value or "").startswith("sqlite"):
                return True
    return (_ini_url(setup) or "").startswith("sqlite")


def _check_app_url_in_sync_env(setup: _Setup) -> Iterator[Finding]:
    """A sync env.py that reads the app's async URL field (settings.database_url)."""
    fields = {s.url_field for s in setup.project.settings if s.url_field}
    if "drivername=" in setup.env_text:  # it swaps the driver (as alembic-wizard's env.py does)
        return
    for node in ast.walk(setup.env_tree) if setup.env_tree else ():
        if isinstance(node, ast.Attribute) and node.attr in fields:
            app_url = _app_url(setup)
            if app_url is not None and urls.is_async(app_url):
                yield setup.find("AW101", setup.env_path, node.lineno,
                                 f"sync env.py uses the app's async URL ({node.attr}, "
                                 f"{app_url.drivername})")  # fmt: skip
                return


def _app_url(setup: _Setup) -> URL | None:
    """The app's URL from the first env file that sets it (None: absent or unreadable)."""
    for settings in setup.project.settings:
        for source in setup.project.env_files:
            binding = source.env.get(settings.env_key or "") if not source.example else None
            if binding and binding.value:
                return _parsed(binding)
    return None


def _check_models(setup: _Setup) -> Iterator[Finding]:
    if setup.env_tree is None:
        return
    imported = _env_imports(setup)
    missing = [t for t in setup.project.tables if t.module not in imported]
    for module in sorted({t.module for t in missing}):
        names = ", ".join(t.name or "?" for t in missing if t.module == module)
        yield setup.find("AW103", setup.env_path, None, f"{module} is not imported ({names})")


def _env_imports(setup: _Setup) -> set[str]:
    """Modules env.py loads: its imports, importlib strings, and what those import in turn."""
    assert setup.env_tree is not None
    found: set[str] = set()
    for node in ast.walk(setup.env_tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)  # MODEL_MODULES = ("app.models", ...) / import_module("...")
    from wizard.resolve import Resolver
    from wizard.scan import Tree

    tree = Tree(setup.project.top, {}, [])
    resolver = Resolver(tree, (setup.project.import_root,))
    todo, seen = [m for m in found if m in setup.project.module_paths or resolver.module(m)], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        module = resolver.module(name)
        if module is None:
            continue
        for source, attr in module.imports.values():
            for candidate in (source, f"{source}.{attr}" if attr else source):
                if resolver.module(candidate) is not None:
                    todo.append(candidate)
        todo.extend(module.star_imports)
        parts = name.split(".")  # importing a.b.c runs a/__init__ and a/b/__init__ too
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
    return seen


def _check_ini(setup: _Setup) -> Iterator[Finding]:
    if setup.ini is None:
        return
    if not setup.ini.has_option("alembic", "path_separator"):
        yield setup.find("AW112", setup.ini_path, setup.ini_line("[alembic]") or 1,
                         "no path_separator under [alembic]")  # fmt: skip
    prepend = setup.ini.get("alembic", "prepend_sys_path", fallback="")
    assert setup.ini_path is not None
    here = setup.ini_path.parent
    paths = {(here / p.replace("%(here)s", str(here))).resolve()
             for p in re.split(r"[\s,:;]+", prepend) if p}  # fmt: skip
    if setup.project.import_root.resolve() not in paths and setup.project.import_root != here:
        rel = Path(setup.project.rel(setup.project.import_root))
        yield setup.find("AW105", setup.ini_path, setup.ini_line("prepend_sys_path"),
                         f"prepend_sys_path does not include {rel}")  # fmt: skip


def _check_files(setup: _Setup) -> Iterator[Finding]:
    project = setup.project
    if setup.env_path is not None and project.uses_sqlmodel:
        mako = setup.env_path.with_name("script.py.mako")
        if mako.is_file() and "import sqlmodel" not in read_text(mako):
            yield setup.find("AW114", mako, None, "script.py.mako does not import sqlmodel")
    for source in project.env_files:
        if not source.example and not _git_ignored(source.path):
            yield setup.find("AW115", source.path, None, f"{source.path.name} is not git-ignored")
    yield from _check_heads(setup)


def _git_ignored(path: Path) -> bool:
    """True when git ignores the file, or when it is not in a git work tree at all."""
    try:
        done = subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=path.parent,
                              capture_output=True, timeout=10, check=False)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return True
    return done.returncode != 1  # 0: ignored; 128: not a repository


def _check_heads(setup: _Setup) -> Iterator[Finding]:
    if setup.env_path is None:
        return
    revisions: dict[str, set[str]] = {}
    for script in (setup.env_path.parent / "versions").glob("*.py"):
        try:
            tree = ast.parse(read_text(script))
        except (SyntaxError, WizardError):
            continue
        values = {}
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
                if isinstance(target, ast.Name):
                    with contextlib.suppress(ValueError):
                        values[target.id] = ast.literal_eval(node.value)
        if isinstance(values.get("revision"), str):
            down = values.get("down_revision")
            downs = set(down) if isinstance(down, (tuple, list)) else {down} if down else set()
            revisions[values["revision"]] = downs
    parents = set().union(*revisions.values()) if revisions else set()
    heads = sorted(set(revisions) - parents)
    if len(heads) > 1:
        yield setup.find("AW116", setup.env_path.parent / "versions", None,
                         f"{len(heads)} heads: {', '.join(heads)}")  # fmt: skip


def _check_sync_url(setup: _Setup) -> Iterator[Finding]:
    """The sync URL env.py reads: present (unless env.py can derive it) and its driver
    installed in the project's interpreter."""
    for settings in setup.project.settings[:1]:
        key = settings.sync_env_key
        if not key or key not in setup.env_text:
            continue
        for source in setup.project.env_files:
            if source.example:
                continue
            binding = source.env.get(key, case_sensitive=settings.case_sensitive)
            if binding is None:
                if "drivername=" not in setup.env_text:  # no derivation to fall back on
                    yield setup.find("AW119", source.path, None, f"{key} is not set")
                continue
            try:
                url = urls.parse(binding.value or "")
                dialect = urls.dialect_of(url)
            except WizardError:
                continue
            module = dialect.modules.get(urls.driver_of(url), "")
            if module and module != "sqlite3" and module not in setup.project.installed:
                what = f"{key} needs {module}, which {setup.project.python} lacks"
                yield setup.find("AW117", source.path, binding.line, what)


def _check_env_urls(setup: _Setup) -> Iterator[Finding]:
    """The URLs in .env: asyncpg given sslmode, a driver-less sync URL, a sync URL naming
    another database, and the app's URL as an async env.py would use it."""
    settings = next((s for s in setup.project.settings if s.url_field), None)
    if settings is None:
        return
    for source in setup.project.env_files:
        if source.example:
            continue
        app = source.env.get(settings.env_key or "", case_sensitive=settings.case_sensitive)
        sync = source.env.get(settings.sync_env_key or "", case_sensitive=settings.case_sensitive)
        app_url, sync_url = _parsed(app), _parsed(sync)
        if app and app_url is not None:
            if app_url.get_driver_name() == "asyncpg" and "sslmode" in app_url.query:
                yield setup.find("AW110", source.path, app.line, f"{app.key} has sslmode")
            uses_app_url = bool(settings.url_field) and f".{settings.url_field}" in setup.env_text
            sync_driver = (
                not urls.is_async(app_url, async_engine=True) and "+" in app_url.drivername
            )
            if _is_async_env(setup) and uses_app_url and sync_driver:
                what = f"async env.py, sync driver {app_url.drivername!r} in {app.key}"
                yield setup.find("AW102", source.path, app.line, what)
        if sync and sync_url is not None:
            if _driverless(sync_url):
                yield setup.find("AW109", source.path, sync.line, f"{sync.key} has no driver")
            if app_url is not None and _place(app_url) != _place(sync_url):
                yield setup.find("AW120", source.path, sync.line,
                                 f"{sync.key} and {app.key if app else 'the app URL'} differ in "
                                 "host, port, user or database")  # fmt: skip


def _driverless(url: URL) -> bool:
    """`postgres://`, `postgresql://`, `mysql://`: the driver left to SQLAlchemy's default
    (plain `sqlite://` is fine: the standard library's driver is always there)."""
    return "+" not in url.drivername and url.get_backend_name() != "sqlite"


def _parsed(binding: object) -> URL | None:
    value = getattr(binding, "value", None)
    if not value or "${" in value:
        return None
    try:
        url = urls.parse(value)
        urls.dialect_of(url)
    except WizardError:
        return None
    return url


def _place(url: URL) -> tuple[object, ...]:
    return (url.get_backend_name(), url.host, url.port, url.username, url.database)


CHECKS: list[Callable[[_Setup], Iterator[Finding]]] = [
    _check_urls, _check_env_py, _check_models, _check_ini, _check_files, _check_sync_url,
    _check_env_urls,
]  # fmt: skip


def diagnose(project: Project) -> list[Finding]:
    """Every finding, in a stable order."""
    setup = _load(project)
    if setup.ini is None and setup.env_path is None:
        return [setup.find("AW118", project.root, None, "no alembic.ini and no env.py")]
    found = [f for check in CHECKS for f in check(setup)]
    return sorted(found, key=lambda f: (f.rule, f.path or "", f.line or 0))


def report(findings: list[Finding]) -> str:
    """The findings for a person."""
    if not findings:
        return "healthy: no findings"
    lines = []
    for f in findings:
        where = f"{f.path}:{f.line}" if f.path and f.line else (f.path or "")
        lines += [f"{f.rule}  {where}  {f.what}", f"       why: {f.why}", f"       fix: {f.fix}"]
    return "\n".join(lines)


def explain(message: str) -> str | None:
    """What `doctor --error` prints for a pasted error, or None when no rule knows it."""
    rules = lookup(message)
    if not rules:
        return None
    return "\n".join(f"{r.id} {r.name}\n       why: {r.why}\n       fix: {r.fix}" for r in rules)


def as_dicts(findings: list[Finding]) -> list[dict[str, object]]:
    """For --json."""
    return [asdict(f) for f in findings]
