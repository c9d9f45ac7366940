"""Ecosystem check: alembic-wizard on snapshots of real public async-SQLAlchemy repositories.

    python3 benchmarks/ecosystem.py --mirror /work/.mirror [--only NAME] [--jobs N]
                                    [--write-results] [--deps] [--e2e] [--keep] [--details]

Each entry in benchmarks/ecosystem/repos/*.toml names a repository, a commit and what a
correct setup looks like there ([expected]). For each one the script lays the commit out in a
fresh temporary folder (a new git repository with one commit), runs the wizard as a new user
would (`python3 -m wizard --project P --yes --no-db --json`, CI=true, no stdin, no database
URL inherited from the caller) and grades what it reports and what it wrote, one criterion at
a time (GRADING below, and benchmarks/ecosystem/README.md). `--deps` first installs the
project's own dependencies in a venv of its Python (cached across runs, outside this
checkout) and gives the wizard that interpreter (`--python`), as a user who has installed the
project has. `--e2e` then, in the same cached venv, points the app at a fresh database and
runs the wizard with verification, `alembic revision --autogenerate`, `alembic upgrade head`
and a second wizard run that must plan no changes.

Nothing here is a test of the suite; it uses the wizard only through its command line and
its JSON (docs/json.md), and the files it writes.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

REPO = Path(__file__).resolve().parent.parent
HERE = REPO / "benchmarks" / "ecosystem"
ENTRIES = HERE / "repos"
RESULTS = HERE / "results.md"
PYENV = Path.home() / ".pyenv" / "versions"
WIZARD_TIMEOUT = 180
INSTALL_TIMEOUT = 600  # one venv's whole install (--install-timeout)
VENVS = Path(tempfile.gettempdir()) / "ecosystem-venvs"  # the cached venvs (--venvs)
MARKER = ".ecosystem-install.json"  # in a venv: its install finished (ok or not), and how
INSTALL_METHOD = 2  # a venv whose marker has another is made again (2: as of the commit date)
# the Pythons a venv is made with: the wizard's probe runs in the project's Python (>= 3.10)
VENV_PYTHONS = ("3.10", "3.11", "3.12", "3.13")
ALEMBIC_TIMEOUT = 300

# The criteria, in the order they are reported; the first failing one is the FAIL line's.
GRADING: tuple[tuple[str, str], ...] = (
    (
        "exit",
        "setup exits 0 with a JSON report (a verification that failed only because the "
        "project's own dependencies are missing from the wizard's Python does not count)",
    ),
    (
        "refusal",
        "setup = false: a non-zero exit whose message says the app is not async / not for us",
    ),
    ("unchanged", "setup = false: the work tree is exactly the commit (nothing written)"),
    ("verify", "no verification rung failed (env.py imports, tables, upgrade head --sql, ...)"),
    ("tables", "the tables inspect found (all MetaData) equal [expected].tables"),
    (
        "metadata",
        "env.py's target_metadata names [expected].metadata (same `X.metadata`, "
        "one module a prefix of the other)",
    ),
    (
        "models",
        "env.py imports each of [expected].model_modules (the module, a sub-module, or "
        "its package)",
    ),
    (
        "dialect",
        "the sync driver env.py names (or the sync/app URL in the env file) has "
        "[expected].dialect (mariadb = mysql)",
    ),
    (
        "sync_url",
        "a sync URL is written (<KEY>_SYNC with a sync driver in an env file) or "
        "derivable (env.py names a sync driver to make the app's URL sync at run time)",
    ),
    (
        "source",
        "the URL source inspect reports has [expected].source's kind (constant = literal = "
        "engine: a URL written in the code) and names source_where's attribute or its file "
        "(the module path, dotted; the best-matching of several URLs is graded)",
    ),
    ("env_key", "[expected].env_key, when set, is the env key inspect reports for the URL"),
    (
        "alembic_ini",
        "after setup, the Alembic config exists at [expected].alembic_ini (project folder, else "
        'the repository root); "": [tool.alembic] in pyproject.toml, or for existing_alembic = '
        '"none" also an alembic.ini in the project',
    ),
    ("credentials", "no written alembic.ini / pyproject.toml holds a URL with a password"),
    ("rerun", "a second run (--dry-run) plans no change: every file `identical`"),
    # metadata ... rerun grade the written files: "skip" when setup wrote nothing
)
ORDER = [name for name, _ in GRADING]
E2E_STEPS: tuple[tuple[str, str], ...] = (
    (
        "python",
        "the entry's Python X.Y from ~/.pyenv/versions, else the nearest of 3.10-3.13 there",
    ),
    ("venv", "python -m venv, cached across runs (--venvs; shared with --deps)"),
    (
        "install",
        "the project's requirements*.txt, else pyproject's dependencies (deps only), "
        "plus alembic and the dialect's sync and async drivers (cached with the venv)",
    ),
    (
        "database",
        "a fresh database on the local server (SQLite: a file); the env key (or the "
        "URL's parts) set in the env file (copied from the template when missing) and environment",
    ),
    (
        "wizard",
        "setup --python <venv> --yes --install --json, verification with the database: exit 0",
    ),
    ("existing", "alembic upgrade head: the repository's own revisions (none: nothing to do)"),
    ("revision", "alembic revision --autogenerate -m ecosystem"),
    ("upgrade", "alembic upgrade head"),
    ("db_tables", "the database holds every expected table"),
    ("rerun", "setup --dry-run --json: every file `identical`"),
)

# source kinds that are the same for grading: a literal URL, in a constant or in the engine call
KINDS = {"literal": "constant", "engine": "constant"}
ASYNC_DRIVERS = {"asyncpg", "aiomysql", "asyncmy", "aiosqlite", "aioodbc", "psycopg_async"}
DIALECTS = ("postgresql", "postgres", "mysql", "mariadb", "sqlite", "mssql", "oracle")
# the wizard's not-for-us refusals: a sync app, or no SQLAlchemy tables at all (Tortoise ORM,
# raw SQL): both exit 2 with every file untouched, which `unchanged` checks
NOT_FOR_US = re.compile(
    r"not async|not for us|no async (sqlalchemy )?engine|no SQLAlchemy or SQLModel tables",
    re.IGNORECASE,
)
URL_PASSWORD = re.compile(r"([A-Za-z][\w+.-]*://[^\s:/@'\"]*:)([^\s@'\"]+)@")
LEAKING_ENV = re.compile(r"(DATABASE|_DB_|^DB_|POSTGRES|MYSQL|MARIADB|SQLITE|^PG[A-Z]|ALEMBIC)")
PART_KEY = re.compile(
    r"(?:^|_)(?:DB|DATABASE|POSTGRES|POSTGRESQL|PG|MYSQL|MARIADB|SQL)_{1,2}"
    r"(HOST|SERVER|HOSTNAME|PORT|USER|USERNAME|PASSWORD|PASS|DB|NAME|DATABASE|DBNAME)$"
)
COMMENT = re.compile(r"\s*[#;]")
DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
PRINT_LOCK = threading.Lock()


def mask(text: str) -> str:
    """Every URL password as ***."""
    return URL_PASSWORD.sub(r"\1***@", text)


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


# ------------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Expected:
    setup: bool = True
    dialect: str = ""
    async_driver: str = ""
    source: str = ""
    source_where: str = ""
    env_key: str = ""
    env_file: str = ""
    template: str = ""
    url_in_repo: bool = True
    tables: tuple[str, ...] = ()
    metadata: str = ""
    model_modules: tuple[str, ...] = ()
    existing_alembic: str = "none"
    alembic_ini: str = "alembic.ini"


@dataclass(frozen=True)
class Entry:
    repo: str
    commit: str
    project: str = "."
    python: str = "3.11"
    tags: tuple[str, ...] = ()
    notes: str = ""
    expected: Expected = field(default_factory=Expected)
    e2e_env: dict[str, str] = field(default_factory=dict)  # optional [e2e] env = {...}
    e2e_env_file: str = ""  # optional [e2e] env_file: the one a user writes, none in the repo
    # optional [e2e] config = {"config.toml" = {"database.port" = "{port}"}}: dotted keys a
    # user sets in the app's own TOML config file
    e2e_config: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.repo.replace("/", "__")


def parse_entry(data: dict[str, Any]) -> Entry:
    exp = dict(data.get("expected", {}))
    for key in ("tables", "model_modules"):
        exp[key] = tuple(exp.get(key, ()))
    known = Expected.__dataclass_fields__
    return Entry(
        repo=data["repo"],
        commit=data.get("commit", "HEAD"),
        project=data.get("project", ".") or ".",
        python=str(data.get("python", "3.11")),
        tags=tuple(data.get("tags", ())),
        notes=data.get("notes", ""),
        expected=Expected(**{k: v for k, v in exp.items() if k in known}),
        e2e_env=dict(data.get("e2e", {}).get("env", {})),
        e2e_env_file=str(data.get("e2e", {}).get("env_file", "")),
        e2e_config={
            str(f): dict(keys) for f, keys in data.get("e2e", {}).get("config", {}).items()
        },
    )


def load_entries(only: Sequence[str]) -> list[Entry]:
    entries = []
    for path in sorted(ENTRIES.glob("*.toml")):
        try:
            entry = parse_entry(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            print(f"warning: {path.name}: skipped ({exc})", file=sys.stderr)
            continue
        if not only or any(selected(entry, path, name) for name in only):
            entries.append(entry)
    return entries


def selected(entry: Entry, path: Path, name: str) -> bool:
    name = name.lower()
    candidates = (entry.repo.lower(), entry.repo.split("/")[-1].lower(), path.stem.lower())
    return name in candidates or name in entry.repo.lower()


# ------------------------------------------------------------------------------ snapshot


def find_git_dir(mirror: Path, repo: str) -> Path | None:
    """The bare git dir of owner/name: mirror/owner+name or a folder below it."""
    wanted = repo.replace("/", "+").lower()
    tops = [p for p in mirror.iterdir() if p.is_dir() and p.name.lower() == wanted]
    for top in tops:
        for candidate in (top, *sorted(top.glob("*")), *sorted(top.glob("*/*"))):
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                return candidate
    return None


def git(git_dir: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], input=data, capture_output=True, check=False
    )


def resolve_commit(git_dir: Path, commit: str) -> tuple[str, str | None]:
    """The commit to lay out, and a warning when the entry's is missing (HEAD instead)."""
    if git(git_dir, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0:
        return commit, None
    head = git(git_dir, "rev-parse", "HEAD").stdout.decode().strip()
    return head, f"commit {commit[:12]} is not in the mirror: HEAD {head[:12]} instead"


def materialize(git_dir: Path, commit: str, dest: Path) -> list[str]:
    """Write the commit's tree into dest (blobs missing from a partial mirror are left out
    with a warning, where `git archive` would stop)."""
    listing = git(git_dir, "ls-tree", "-r", "-z", commit)
    if listing.returncode:
        raise RuntimeError(f"git ls-tree {commit}: {first_line(listing.stderr.decode())}")
    rows = [r.split(b"\t", 1) for r in listing.stdout.split(b"\0") if r]
    blobs = [(meta.split(), path.decode("utf-8", "surrogateescape")) for meta, path in rows]
    blobs = [(m, p) for m, p in blobs if m[1] == b"blob"]
    wanted = b"".join(m[2] + b"\n" for m, _ in blobs)
    contents = read_blobs(git(git_dir, "cat-file", "--batch", data=wanted).stdout)
    missing = []
    for (meta, path), content in zip(blobs, contents, strict=True):
        if content is None:
            missing.append(path)
            continue
        write_blob(dest / path, meta[0], content)
    return [f"{len(missing)} file(s) missing from the mirror: {', '.join(missing[:3])}"] * bool(
        missing
    )


def read_blobs(stream: bytes) -> list[bytes | None]:
    """The contents `git cat-file --batch` printed, in order (None: missing)."""
    out: list[bytes | None] = []
    pos = 0
    while pos < len(stream):
        end = stream.index(b"\n", pos)
        header = stream[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            out.append(None)
            continue
        size = int(header[2])
        out.append(stream[pos : pos + size])
        pos += size + 1
    return out


def write_blob(path: Path, mode: bytes, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == b"120000":
        path.symlink_to(content.decode("utf-8", "surrogateescape"))
        return
    path.write_bytes(content)
    if mode == b"100755":
        path.chmod(0o755)


def git_init(folder: Path) -> None:
    ident = ["-c", "user.name=ecosystem", "-c", "user.email=ecosystem@example.invalid"]
    for args in (["init", "-q"], ["add", "-A"], [*ident, "commit", "-q", "-m", "snapshot"]):
        subprocess.run(["git", *args], cwd=folder, capture_output=True, check=True)


def work_tree_changes(folder: Path) -> list[str]:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line[3:] for line in status.stdout.splitlines()]


# ------------------------------------------------------------------------- wizard runs


@dataclass(frozen=True)
class Run:
    argv: tuple[str, ...]
    code: int
    report: dict[str, Any] | None
    stdout: str
    stderr: str
    seconds: float

    def message(self) -> str:
        """The wizard's own words for what went wrong: its error, else a failed rung."""
        error = (self.report or {}).get("error")
        if error:
            return first_line(error.get("message", ""))
        for rung in (self.report or {}).get("verification", []):
            if rung.get("status") == "fail":
                return f"{rung['name']}: {first_line(rung.get('detail', ''))}"
        errors = [ln for ln in self.stderr.splitlines() if ln.startswith("error:")]
        tail = [ln.strip() for ln in self.stderr.splitlines() if ln.strip()]
        return (errors or tail[-1:] or [f"exit status {self.code}"])[0]


def clean_env(overrides: dict[str, str] | None = None, venv: Path | None = None) -> dict[str, str]:
    """The caller's environment without any database URL or virtualenv, as in CI."""
    env = {k: v for k, v in os.environ.items() if not LEAKING_ENV.search(k.upper())}
    for key in (
        "VIRTUAL_ENV",
        "PYTHONPATH",
        "PYTHONHOME",
        "CONDA_PREFIX",
        "UV_PROJECT_ENVIRONMENT",
    ):
        env.pop(key, None)
    env.update(CI="true", NO_COLOR="1", TERM="dumb", PYTHONDONTWRITEBYTECODE="1")
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update(overrides or {})
    return env


def run_wizard(args: Sequence[str], env: dict[str, str], log: Log) -> Run:
    argv = (sys.executable, "-m", "wizard", *args)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            argv,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=WIZARD_TIMEOUT,
            check=False,
        )
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = -1, decoded(exc.stdout), f"error: timed out after {WIZARD_TIMEOUT} s"
    seconds = time.perf_counter() - start
    log.command(argv, code, out, err, seconds)
    return Run(argv, code, parse_report(out), out, err, seconds)


def decoded(data: bytes | str | None) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else data or ""


def parse_report(stdout: str) -> dict[str, Any] | None:
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        return None
    return report if isinstance(report, dict) else None


class Log:
    """One file per repository in the log folder; everything in it masked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("", encoding="utf-8")

    def write(self, text: str) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(mask(text) + "\n")

    def command(self, argv: Sequence[object], code: int, out: str, err: str, secs: float) -> None:
        self.write(f"$ {' '.join(map(str, argv))}\n[exit {code}, {secs:.1f} s]")
        self.write(f"--- stdout\n{out[-20000:]}\n--- stderr\n{err[-20000:]}\n")


# ----------------------------------------------------------------------- what was written


@dataclass(frozen=True)
class Outputs:
    """The files the setup wrote (or left), as text; paths relative to the project."""

    env_py: str | None = None
    env_files: dict[str, str] = field(default_factory=dict)
    configs: dict[str, str] = field(default_factory=dict)  # alembic.ini, pyproject.toml
    existing: frozenset[str] = frozenset()  # which candidate config paths exist


def read_outputs(project: Path, setup: dict[str, Any], inspect: dict[str, Any]) -> Outputs:
    changed = [c["path"] for c in setup.get("changes", [])]
    migrations = inspect.get("migrations") or "migrations"
    env_py = next((p for p in changed if p.endswith("env.py")), f"{migrations}/env.py")
    env_names = {e["path"] for e in inspect.get("env_files", [])}
    env_names |= {p for p in changed if Path(p).name.startswith(".env") or p.endswith(".env")}
    configs = {p for p in changed if p.endswith((".ini", "pyproject.toml"))}
    return Outputs(
        env_py=read_text(project / env_py),
        env_files={p: t for p in sorted(env_names) if (t := read_text(project / p)) is not None},
        configs={p: t for p in sorted(configs) if (t := read_text(project / p)) is not None},
    )


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def config_exists(project: Path, repo_root: Path, exp: Expected) -> bool:
    """alembic_ini relative to the project (or, failing that, the repository root); "" is
    [tool.alembic] in pyproject.toml, or, for a repository without Alembic, either."""
    where = exp.alembic_ini
    if where:
        return (project / where).is_file() or (repo_root / where).is_file()
    tool = any(
        "[tool.alembic]" in (read_text(b / "pyproject.toml") or "") for b in (project, repo_root)
    )
    return tool or (exp.existing_alembic == "none" and (project / "alembic.ini").is_file())


# ------------------------------------------------------------------------------ grading


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: not graded (skipped), with the reason in detail
    detail: str = ""


@dataclass(frozen=True)
class Observed:
    """Everything grading looks at; built from the runs and the files, or by hand in tests."""

    setup: Run  # the run as a new user makes it
    inspect: dict[str, Any]
    outputs: Outputs
    graded: Run | None = None  # after a rollback: the same run without verification
    rerun: Run | None = None
    deps_missing: str = ""  # a verification failure caused by the project's own deps
    work_tree: tuple[str, ...] = ()  # changed paths (setup = false)
    wrote: bool = True  # the setup wrote its files (or found them all identical)
    alembic_config: bool = True


def grade(entry: Entry, seen: Observed) -> list[Check]:
    if not entry.expected.setup:
        return [grade_refusal(seen), grade_unchanged(seen)]
    exp = entry.expected
    inspected = [grade_tables(exp, seen.inspect), grade_source(exp, seen.inspect)]
    inspected.append(grade_env_key(exp, seen.inspect))
    written = [
        grade_metadata(exp, seen.outputs),
        grade_models(exp, seen.outputs),
        grade_dialect(exp, seen.outputs, seen.inspect),
        grade_sync_url(seen.outputs, seen.inspect),
        grade_alembic_ini(exp, seen.alembic_config),
        grade_credentials(seen.outputs),
        grade_rerun(seen.rerun),
    ]
    if not seen.wrote:  # what the repository had is not the wizard's work
        written = [Check(c.name, None, "setup wrote nothing") for c in written]
    checks = [grade_exit(seen), grade_verify(seen), *inspected, *written]
    return sorted(checks, key=lambda c: ORDER.index(c.name))


def grade_alembic_ini(exp: Expected, exists: bool) -> Check:
    where = exp.alembic_ini or "pyproject.toml [tool.alembic]"
    return Check("alembic_ini", exists, "" if exists else f"no Alembic config at {where}")


def grade_refusal(seen: Observed) -> Check:
    message = seen.setup.message()
    if seen.setup.code == 0:
        return Check("refusal", False, "set up an app that is not async (exit 0)")
    if NOT_FOR_US.search(message):
        return Check("refusal", True, message)
    return Check("refusal", False, message or f"exit status {seen.setup.code}")


def grade_unchanged(seen: Observed) -> Check:
    written = ", ".join(seen.work_tree[:5])
    return Check("unchanged", not seen.work_tree, f"wrote {written}" if written else "")


def grade_exit(seen: Observed) -> Check:
    run = seen.graded if seen.deps_missing and seen.graded else seen.setup
    if run.report is None:
        return Check("exit", False, run.message() or "no JSON report on stdout")
    if run.code and seen.deps_missing and "error" not in run.report:
        return Check("exit", True, f"exit {run.code}: project dependencies missing here")
    return Check("exit", run.code == 0, "" if run.code == 0 else run.message())


def grade_verify(seen: Observed) -> Check:
    if seen.deps_missing:
        return Check("verify", None, f"project dependencies missing here: {seen.deps_missing}")
    rungs = (seen.setup.report or {}).get("verification", [])
    failed = [r for r in rungs if r.get("status") == "fail"]
    if failed:
        return Check("verify", False, f"{failed[0]['name']}: {first_line(failed[0]['detail'])}")
    return Check("verify", True if rungs else None, "" if rungs else "no verification ran")


def table_name(name: str) -> str:
    """Compared without the schema (inspect's JSON does not give it): `billing.Invoice` ->
    `invoice`."""
    return name.rsplit(".", 1)[-1].lower()


def found_tables(inspect: dict[str, Any]) -> set[str]:
    return {
        table_name(str(t["name"]))
        for m in inspect.get("metadata", [])
        for t in m.get("tables", [])
        if t.get("name")
    }


def grade_tables(exp: Expected, inspect: dict[str, Any]) -> Check:
    if "metadata" not in inspect:
        error = inspect.get("error", {}).get("message", "no JSON report")
        return Check("tables", False, f"inspect: {first_line(error)}")
    found, wanted = found_tables(inspect), {table_name(t) for t in exp.tables}
    missing, extra = sorted(wanted - found), sorted(found - wanted)
    detail = "; ".join(
        part
        for part in (
            f"missing {', '.join(missing)}" if missing else "",
            f"extra {', '.join(extra)}" if extra else "",
        )
        if part
    )
    return Check("tables", not detail, detail)


def env_py_tree(outputs: Outputs) -> ast.Module | None:
    if outputs.env_py is None:
        return None
    try:
        return ast.parse(outputs.env_py)
    except SyntaxError:
        return None


def target_metadata(tree: ast.Module) -> list[str]:
    """The dotted names target_metadata is set to (a list of them, or one)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "target_metadata" for t in node.targets
        ):
            values = (
                node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            )
            return [ast.unparse(v) for v in values]
    return []


def imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted thing it is (`from a.b import Base` -> Base: a.b.Base)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
    return names


def qualify(expr: str, names: dict[str, str]) -> str:
    head, _, rest = expr.partition(".")
    full = names.get(head, head)
    return f"{full}.{rest}" if rest else full


def loosely_same(dotted: str, wanted: str) -> bool:
    """Same final `X.metadata` and one module path a prefix of the other."""
    a, b = dotted.split("."), wanted.split(".")
    if a[-2:] != b[-2:]:
        return False
    ma, mb = a[:-2], b[:-2]
    n = min(len(ma), len(mb))
    return ma[:n] == mb[:n]


def grade_metadata(exp: Expected, outputs: Outputs) -> Check:
    tree = env_py_tree(outputs)
    if tree is None:
        return Check("metadata", False, "no env.py written (or it does not parse)")
    names = imported_names(tree)
    targets = [qualify(t, names) for t in target_metadata(tree)]
    if not exp.metadata:
        return Check("metadata", None, "no expected metadata")
    if any(loosely_same(t, exp.metadata) for t in targets):
        return Check("metadata", True, ", ".join(targets))
    return Check("metadata", False, f"target_metadata is {', '.join(targets) or 'not set'}")


def env_py_modules(tree: ast.Module) -> set[str]:
    """Every module env.py imports: import statements and the strings of MODEL_MODULES /
    importlib.import_module(...)."""
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
            modules |= {f"{node.module}.{a.name}" for a in node.names}
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and DOTTED.fullmatch(node.value)
        ):
            modules.add(node.value)
    return modules


def covers(imported: str, wanted: str) -> bool:
    return (
        imported == wanted or imported.startswith(wanted + ".") or wanted.startswith(imported + ".")
    )


def grade_models(exp: Expected, outputs: Outputs) -> Check:
    tree = env_py_tree(outputs)
    if tree is None:
        return Check("models", False, "no env.py written (or it does not parse)")
    modules = env_py_modules(tree)
    missing = [m for m in exp.model_modules if not any(covers(i, m) for i in modules)]
    return Check("models", not missing, f"not imported: {', '.join(missing)}" if missing else "")


def url_dialect(text: str) -> tuple[str, str] | None:
    """(dialect, driver) of a URL or a bare drivername; None when it is neither."""
    match = re.match(r"\s*['\"]?([a-z]+)(?:\+(\w+))?(?::|['\"]?\s*$)", text)
    if not match or match.group(1) not in DIALECTS:
        return None
    dialect = {"postgres": "postgresql", "mariadb": "mysql"}.get(match[1], match[1])
    return dialect, match.group(2) or ""


def sync_literals(outputs: Outputs) -> list[tuple[str, str]]:
    """The sync `dialect+driver` names env.py spells out (what it makes the URL sync with)."""
    tree = env_py_tree(outputs)
    nodes = list(ast.walk(tree)) if tree else []
    assigned = {id(node.value) for node in nodes if isinstance(node, ast.Assign)}
    found = []
    for node in nodes:
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        # `dialect+driver` anywhere; a bare dialect (`sqlite`: its default driver is the sync
        # one) only as an assigned value, not a word of a docstring
        if "+" in node.value or id(node) in assigned:
            parsed = url_dialect(node.value) if "://" not in node.value else None
            if parsed and parsed[1] not in ASYNC_DRIVERS:
                found.append(parsed)
    return found


def env_values(outputs: Outputs) -> dict[str, str]:
    """KEY -> value across the env files (later files do not override earlier ones)."""
    values: dict[str, str] = {}
    for text in outputs.env_files.values():
        for line in text.splitlines():
            match = re.match(r"\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*[=:]\s*(.*)$", line)
            if match:
                values.setdefault(match[1], match[2].strip().strip("'\""))
    return values


def url_keys(inspect: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(the app's env keys, the sync keys) inspect names for the URL."""
    urls = inspect.get("urls", [])
    return (
        {u["env_key"] for u in urls if u.get("env_key")},
        {u["sync_key"] for u in urls if u.get("sync_key")},
    )


def grade_dialect(exp: Expected, outputs: Outputs, inspect: dict[str, Any]) -> Check:
    app_keys, sync_keys = url_keys(inspect)
    values = env_values(outputs)
    seen = [d for d, _ in sync_literals(outputs)]
    seen += [
        p[0]
        for k in (*sorted(sync_keys), *sorted(app_keys))
        if (p := url_dialect(values.get(k, "")))
    ]
    if not seen:
        return Check("dialect", False, "no dialect in env.py or the env file")
    wanted = {"mariadb": "mysql", "postgres": "postgresql"}.get(exp.dialect, exp.dialect)
    return Check("dialect", seen[0] == wanted, seen[0])


def grade_sync_url(outputs: Outputs, inspect: dict[str, Any]) -> Check:
    _, sync_keys = url_keys(inspect)
    values = env_values(outputs)
    keys = sync_keys or {k for k in values if k.upper().endswith("_SYNC")}
    written = [
        k
        for k in sorted(keys)
        if (p := url_dialect(values.get(k, ""))) and p[1] not in ASYNC_DRIVERS
    ]
    if written:
        return Check("sync_url", True, f"{written[0]} in the env file")
    derived = sync_literals(outputs)
    if derived:
        return Check("sync_url", True, f"derived in env.py ({'+'.join(derived[0])})")
    return Check("sync_url", False, "no sync URL written, and env.py derives none")


def parse_where(where: str) -> tuple[list[str], str]:
    """('src/app/config.py:Settings.db_url') -> (['src', 'app', 'config'], 'db_url')."""
    path, _, qual = where.partition(":")
    module = [p for p in re.sub(r"\.py$", "", path).replace("\\", "/").split("/") if p]
    return module, (qual.split(".")[-1] if qual else "")


def where_matches(label: str, where: str) -> tuple[bool, bool]:
    """(same attribute, same file) of inspect's URL label and the entry's source_where."""
    module, attr = parse_where(where)
    words = [w.lower() for w in re.findall(r"[A-Za-z_]\w*", label)]
    dotted = "." + ".".join(re.findall(r"[A-Za-z_][\w.]*", label)) + "."
    same_attr = bool(attr) and attr.lower() in words
    suffixes = [module[i:] for i in range(len(module)) if len(module) - i >= 2 or i == 0]
    same_file = any(f".{'.'.join(s)}." in dotted for s in suffixes if s)
    return same_attr, same_file


def grade_source(exp: Expected, inspect: dict[str, Any]) -> Check:
    urls = inspect.get("urls", [])
    if not urls:
        error = inspect.get("error", {}).get("message", "")
        return Check("source", False, f"inspect: {first_line(error) or 'no URL source found'}")
    ranked = sorted(urls, key=lambda u: where_matches(u["url"], exp.source_where), reverse=True)
    url = ranked[0]
    same_attr, same_file = where_matches(url["url"], exp.source_where)
    shown = f"{url['kind']} {url['url']} (expected {exp.source} {exp.source_where})"
    problems = [
        w
        for w, bad in (
            ("kind", KINDS.get(url["kind"], url["kind"]) != KINDS.get(exp.source, exp.source)),
            ("file and attribute", not (same_attr or same_file)),
        )
        if bad
    ]
    return Check(
        "source", not problems, f"{', '.join(problems)} differ: {shown}" if problems else shown
    )


def grade_env_key(exp: Expected, inspect: dict[str, Any]) -> Check:
    if not exp.env_key:
        return Check("env_key", None, "no env key expected")
    keys, _ = url_keys(inspect)
    ok = exp.env_key.lower() in {k.lower() for k in keys}
    return Check("env_key", ok, ", ".join(sorted(keys)) or "no env key found")


def grade_credentials(outputs: Outputs) -> Check:
    leaks = [
        p
        for p, text in outputs.configs.items()
        if any(URL_PASSWORD.search(ln) for ln in text.splitlines() if not COMMENT.match(ln))
    ]
    return Check(
        "credentials", not leaks, f"a URL with a password in {', '.join(leaks)}" if leaks else ""
    )


def grade_rerun(rerun: Run | None) -> Check:
    if rerun is None:
        return Check("rerun", None, "nothing was written")
    changes = (rerun.report or {}).get("changes")
    if rerun.code != 0 or changes is None:
        return Check("rerun", False, rerun.message())
    moved = [f"{c['action']} {c['path']}" for c in changes if c["action"] != "identical"]
    return Check("rerun", not moved, ", ".join(moved))


def failing(checks: Iterable[Check]) -> list[Check]:
    return [c for c in checks if c.ok is False]


# ------------------------------------------------------------------- missing project deps


def deps_missing(run: Run, project: Path, inspect: dict[str, Any]) -> str:
    """The failed `env.py imports` rung's detail when what failed to import is not the
    project's own code (a dependency the wizard's Python lacks): "" otherwise."""
    rungs = (run.report or {}).get("verification", [])
    failed = [r for r in rungs if r.get("status") == "fail"]
    if failed and failed[0]["name"] in ENVIRONMENT_RUNGS:
        return f"{failed[0]['name']}: {first_line(failed[0].get('detail', ''))}"
    if not failed or failed[0]["name"] != "env.py imports":
        return ""
    detail = failed[0].get("detail", "")
    missing = re.search(r"No module named '([\w.]+)'", detail)
    if missing:
        return "" if is_own_module(missing[1], project, inspect) else first_line(detail)
    if re.match(r"(ImportError|AttributeError|TypeError)\b", detail) and "site-packages" in detail:
        return first_line(detail)
    return ""


# rungs that fail when the project's packages are not installed where the wizard runs
ENVIRONMENT_RUNGS = ("packages installed", "driver installed")


def is_own_module(module: str, project: Path, inspect: dict[str, Any]) -> bool:
    top = module.split(".")[0]
    roots = {project, project / (inspect.get("prepend_sys_path") or ".")}
    return any((r / top).is_dir() or (r / f"{top}.py").is_file() for r in roots)


# ----------------------------------------------------------------------- one repository


@dataclass
class Result:
    entry: Entry
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""  # the harness could not run it (no mirror, ...)
    e2e: list[Check] = field(default_factory=list)
    log: Path | None = None
    deps: Deps | None = None  # --deps / --e2e: the project's venv

    @property
    def passed(self) -> bool:
        return not self.error and not failing(self.checks)

    @property
    def e2e_passed(self) -> bool:
        return e2e_state(self)[0] == "PASS"


def check_repo(entry: Entry, opts: argparse.Namespace, logs: Path) -> Result:
    result = Result(entry, log=logs / f"{entry.slug}.log")
    log = Log(result.log)
    git_dir = find_git_dir(opts.mirror, entry.repo)
    if git_dir is None:
        result.error = f"not in the mirror ({entry.repo.replace('/', '+')})"
        return result
    tmp = Path(tempfile.mkdtemp(prefix=f"eco-{entry.slug[:40]}-"))
    try:
        root, result.warnings = lay_out(entry, git_dir, tmp / "repo")
        if opts.deps or (opts.e2e and not e2e_skip(entry)):  # before the wizard writes
            commit, _ = resolve_commit(git_dir, entry.commit)
            as_of = commit_day_after(git_dir, commit)
            result.deps = ensure_venv(entry, root, commit, log, opts, opts.progress, as_of)
            if result.deps.note:
                result.warnings.append(result.deps.note)
        python = result.deps.python if opts.deps and result.deps and result.deps.ok else None
        result.checks = static_checks(entry, root, log, python)
        if opts.e2e:  # from a fresh copy: the static run's files are not a new user's
            lay_out(entry, git_dir, tmp / "e2e")
            result.e2e = end_to_end(entry, tmp, log, result.deps)
    except Exception as exc:  # the harness's own failure: reported, never hides others
        result.error = f"{type(exc).__name__}: {first_line(str(exc))}"
        log.write(f"harness error: {exc!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True) if not opts.keep else log.write(f"kept {tmp}")
    return result


def lay_out(entry: Entry, git_dir: Path, dest: Path) -> tuple[Path, list[str]]:
    """The entry's commit as a new git repository in dest, and what was not as asked."""
    commit, warning = resolve_commit(git_dir, entry.commit)
    dest.mkdir(parents=True)
    warnings = [warning] if warning else []
    warnings += materialize(git_dir, commit, dest)
    git_init(dest)
    return dest, warnings


def static_checks(entry: Entry, root: Path, log: Log, python: Path | None = None) -> list[Check]:
    """The wizard run as a new user runs it, graded; with `python` (--deps: the project's venv,
    its dependencies installed) as the project's interpreter, on PATH as when activated."""
    project = root / entry.project
    env = clean_env(venv=python.parent.parent if python else None)
    base = ["--project", str(project), "--json"]
    base += ["--python", str(python)] if python else []
    inspect = run_wizard(["inspect", *base], env, log).report or {}
    setup = run_wizard(["setup", *base, "--yes", "--no-db"], env, log)
    missing = deps_missing(setup, project, inspect) if entry.expected.setup else ""
    graded = setup
    if (setup.report or {}).get("rolled_back"):  # the files are graded all the same
        graded = run_wizard(["setup", *base, "--yes", "--no-verify"], env, log)
    written = wrote(graded)
    rerun = run_wizard(["setup", *base, "--yes", "--dry-run"], env, log) if written else None
    seen = Observed(
        setup=setup,
        graded=graded,
        inspect=inspect,
        outputs=read_outputs(project, graded.report or {}, inspect),
        rerun=rerun,
        deps_missing=missing,
        work_tree=tuple(work_tree_changes(root)) if not entry.expected.setup else (),
        alembic_config=config_exists(project, root, entry.expected),
        wrote=written,
    )
    checks = [relative(c, root) for c in grade(entry, seen)]
    log.write("\n".join(f"{c.name}: {status(c)} {c.detail}" for c in checks))
    return checks


def wrote(run: Run) -> bool:
    """The run's files are on disk: written now, or every one already identical."""
    report = run.report or {}
    changes = report.get("changes") or []
    return (
        bool(report.get("written"))
        or bool(changes)
        and all(c["action"] == "identical" for c in changes)
    )


def relative(check: Check, root: Path) -> Check:
    """The temporary folder left out of the wizard's messages."""
    detail = check.detail.replace(f"{root}/", "").replace(str(root), ".")
    return Check(check.name, check.ok, detail)


def status(check: Check) -> str:
    return {True: "pass", False: "FAIL", None: "skip"}[check.ok]


# --------------------------------------------------------------- the project's own venv


def pyenv_versions() -> dict[str, Path]:
    """X.Y -> the newest python3 of that version in ~/.pyenv/versions."""
    found: dict[str, tuple[list[int], Path]] = {}
    for folder in PYENV.iterdir() if PYENV.is_dir() else ():
        parts = folder.name.split(".")
        python = folder / "bin" / "python3"
        if len(parts) < 2 or not all(p.isdigit() for p in parts) or not python.exists():
            continue
        key, rank = ".".join(parts[:2]), [int(p) for p in parts]
        if key not in found or rank > found[key][0]:
            found[key] = (rank, python)
    return {k: v[1] for k, v in found.items()}


def choose_python(
    wanted: str, available: dict[str, Path] | None = None
) -> tuple[Path | None, str, str]:
    """(python, its X.Y, a note when it is not the entry's): the entry's X.Y when it is one
    of VENV_PYTHONS and installed, else the nearest installed one of those (the newer on a
    tie)."""
    available = pyenv_versions() if available is None else available
    usable = {v: p for v, p in available.items() if v in VENV_PYTHONS}
    if wanted in usable:
        return usable[wanted], wanted, ""
    if not usable:
        return None, "", f"none of Python {', '.join(VENV_PYTHONS)} is in {PYENV}"

    def minor(version: str) -> int:
        parts = version.split(".")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 11

    used = min(usable, key=lambda v: (abs(minor(v) - minor(wanted)), -minor(v)))
    why = "the wizard's probe needs >= 3.10" if minor(wanted) < 10 else "not in pyenv"
    return usable[used], used, f"Python {wanted} wanted, {used} used ({why})"


@dataclass(frozen=True)
class Deps:
    """The entry's venv with the project's dependencies: made now or found in the cache."""

    venv: Path | None  # None: no Python to make it with
    ok: bool
    detail: str  # what was installed, or the first line of why not
    note: str = ""  # the Python used is not the entry's
    cached: bool = False
    seconds: float = 0.0

    @property
    def python(self) -> Path | None:
        return self.venv / "bin" / "python" if self.venv else None

    def failure(self) -> str:
        """The mark on a result line: "" when the dependencies are installed."""
        return "" if self.ok else f"(deps: install failed: {self.detail})"


class Progress:
    """`deps [k/N] owner/name: ...` lines on stderr, k counting finished installs."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.lock = total, 0, threading.Lock()

    def say(self, repo: str, text: str, finished: bool = False) -> None:
        with self.lock:
            self.done += finished
            count = f"[{self.done}/{self.total}] " if finished else ""
            print(f"deps {count}{repo}: {text}", file=sys.stderr, flush=True)


VENV_LOCKS: dict[Path, threading.Lock] = {}


def venv_path(entry: Entry, commit: str, version: str, venvs: Path) -> Path:
    return venvs / f"{entry.repo.replace('/', '+')}-{commit[:8]}-py{version}"


def ensure_venv(
    entry: Entry,
    root: Path,
    commit: str,
    log: Log,
    opts: argparse.Namespace,
    progress: Progress,
    as_of: str = "",
) -> Deps:
    """The cached venv of the entry's commit, made (and the dependencies installed) when the
    cache has no finished one; one at a time per venv, also across processes."""
    import fcntl

    python, version, note = choose_python(entry.python)
    if note:
        log.write(f"deps: {note}")
    if python is None:
        return Deps(None, False, note, note)
    venvs: Path = opts.venvs
    venvs.mkdir(parents=True, exist_ok=True)
    venv = venv_path(entry, commit, version, venvs)
    lock = VENV_LOCKS.setdefault(venv, threading.Lock())
    with lock, (venvs / f"{venv.name}.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        cached = read_marker(venv)
        if cached is not None and (cached["ok"] or not opts.reinstall):
            deps = Deps(venv, bool(cached["ok"]), cached["detail"], note, True)
            log.write(f"deps: cached {venv} ({'ok' if deps.ok else 'failed'}): {deps.detail}")
            progress.say(entry.repo, f"cached ({'ok' if deps.ok else deps.failure()})", True)
            return deps
        progress.say(
            entry.repo, f"installing into {venv} (Python {version}){f'; {note}' * bool(note)}"
        )
        start = time.perf_counter()
        ok, detail = install_venv(entry, root / entry.project, root, python, venv, log, opts, as_of)
        seconds = time.perf_counter() - start
        marker = {"ok": ok, "detail": detail, "python": str(python), "note": note}
        marker |= {"method": INSTALL_METHOD, "as_of": as_of}
        marker |= {"seconds": round(seconds), "commit": commit, "repo": entry.repo}
        if not detail.startswith("timed out"):  # a timeout is tried again next time
            (venv / MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")
        shown = f"installed in {seconds:.0f} s" if ok else f"FAILED after {seconds:.0f} s: {detail}"
        progress.say(entry.repo, shown, True)
        return Deps(venv, ok, detail, note, False, seconds)


def read_marker(venv: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((venv / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("method") != INSTALL_METHOD:
        return None
    return data if "ok" in data and (venv / "bin").is_dir() else None


def commit_day_after(git_dir: Path, commit: str) -> str:
    """The day after the commit's date (its author's packages were at most that new), as
    uv's --exclude-newer takes it; "" when git does not say."""
    done = git(git_dir, "log", "-1", "--format=%cI", commit)
    try:
        when = datetime.datetime.fromisoformat(done.stdout.decode().strip())
    except ValueError:
        return ""
    day = (when + datetime.timedelta(days=1)).astimezone(datetime.timezone.utc)
    return day.strftime("%Y-%m-%dT00:00:00Z")


def install_venv(
    entry: Entry,
    project: Path,
    root: Path,
    python: Path,
    venv: Path,
    log: Log,
    opts: argparse.Namespace,
    as_of: str = "",
) -> tuple[bool, str]:
    """A new venv with the project's dependencies, alembic and the drivers: (ok, what was
    installed or the first line of what failed)."""
    shutil.rmtree(venv, ignore_errors=True)  # an unfinished one
    deadline = time.monotonic() + opts.install_timeout
    ok, why = run_step([str(python), "-m", "venv", str(venv)], log, 300)
    if not ok:
        return False, f"python -m venv: {why}"
    done = []
    for args, cwd in install_plan(project, root):
        ok, why, note = pip_install(venv, args, cwd, log, deadline, as_of)
        if not ok:
            return False, f"{' '.join(args)[:60]}: {why}"
        done.append(" ".join(args)[:60] + (f" ({note})" if note else ""))
    extras = ["alembic", *drivers_for(entry.expected)]  # today's, as a new user installs them
    ok, why, _ = pip_install(venv, extras, project, log, deadline)
    if not ok:
        return False, f"{' '.join(extras)}: {why}"
    return True, "; ".join([*done, " ".join(extras)])


def uv_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("uv") is not None


def pip_install(
    venv: Path, args: Sequence[str], cwd: Path, log: Log, deadline: float, as_of: str = ""
) -> tuple[bool, str, str]:
    """(ok, why not, a note): `uv pip install` (much faster) when uv is importable here, first
    with `--exclude-newer as_of` (the versions the project's author had: `aiogram>=3`,
    unpinned, is not yet the release that breaks it), then without it; pip of the venv when uv
    is missing or fails; within the install's deadline."""
    python = str(venv / "bin" / "python")
    tries: list[tuple[list[str], str]] = []
    if uv_available():
        uv = [sys.executable, "-m", "uv", "pip", "install", "--python", python]
        if as_of:
            tries.append(([*uv, "--exclude-newer", as_of], ""))
        tries.append((uv, f"newest versions (as of {as_of[:10]} failed)" if as_of else ""))
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    tries.append((pip, "pip" if tries else ""))
    why = ""
    for argv, note in tries:
        left = int(deadline - time.monotonic())
        if left <= 5:
            return False, why or "timed out: the install's time is up", ""
        ok, out = run_install([*argv, *args], log, left, cwd)
        if ok:
            return True, "", note
        why = why or out  # the first attempt's reason: the versions the project asked for
        if out.startswith("timed out"):
            return False, out, ""
    return False, why, ""


def run_install(argv: Sequence[str], log: Log, timeout: int, cwd: Path) -> tuple[bool, str]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
            cwd=cwd,
            env=clean_env(),
        )
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = -1, decoded(exc.stdout), f"timed out after {timeout} s"
    log.command(argv, code, out, err, time.perf_counter() - start)
    return code == 0, install_error(err or out) if code else ""


def install_error(text: str) -> str:
    """The line of pip's or uv's output that says what failed."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("Using Python", "Resolved", "Prepared"))]
    for i, line in enumerate(lines):
        if line.startswith(("×", "error:", "ERROR:")):
            words = re.sub(r"^(×|error:|ERROR:)\s*", "", line)
            if words.endswith(":") and i + 1 < len(lines):  # uv: the reason is on the next
                words += " " + lines[i + 1].lstrip("╰─▶│ ").strip()
            return mask(words)[:300]
    return mask(lines[-1])[:300] if lines else "failed"


# ------------------------------------------------------------------------ end to end


def run_step(argv: Sequence[str], log: Log, timeout: int, **kw: Any) -> tuple[bool, str]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
            **kw,
        )
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = -1, decoded(exc.stdout), f"timed out after {timeout} s"
    log.command(argv, code, out, err, time.perf_counter() - start)
    return code == 0, mask(failure_line(err or out) or f"exit status {code}")


EXCEPTION_LINE = re.compile(r"^(?:[\w.]+\.)?(\w*(?:Error|Exception|Exit))(?::|$)")


def failure_line(text: str) -> str:
    """What a traceback says went wrong: its last `SomeError: ...` line (with the field a
    pydantic ValidationError names, on the next line), else the last line."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    for i in range(len(lines) - 1, -1, -1):
        match = EXCEPTION_LINE.match(lines[i])
        if match:
            line = lines[i][lines[i].index(match[1]) :]
            if match[1] == "ValidationError" and i + 1 < len(lines):
                line += f": {lines[i + 1]}"
            return line
    return lines[-1] if lines else ""


@dataclass
class E2E:
    entry: Entry
    tmp: Path
    log: Log
    steps: list[Check] = field(default_factory=list)
    app_env: dict[str, str] = field(default_factory=dict)  # what points the app at the database
    app_config: list[str] = field(default_factory=list)  # `file:key` set in its config files
    venv: Path = Path()  # the cached venv (ensure_venv)

    @property
    def project(self) -> Path:
        return self.root / self.entry.project

    @property
    def root(self) -> Path:
        return self.tmp / "e2e"

    def step(self, name: str, ok: bool | None, detail: str = "") -> bool:
        """Record a step; True when the next may run."""
        check = relative(Check(name, ok, detail), self.root)
        self.steps.append(check)
        self.log.write(f"e2e {name}: {status(check)} {detail}")
        return bool(ok)


def end_to_end(entry: Entry, tmp: Path, log: Log, deps: Deps | None) -> list[Check]:
    run = E2E(entry, tmp, log)
    why_not = e2e_impossible(entry, deps)
    if why_not:
        run.step("setup", None, why_not)
        return run.steps
    assert deps is not None and deps.venv is not None
    run.venv = deps.venv
    run.step("python", True, deps.note or "the entry's")
    run.step("venv", True, f"{deps.venv}{' (cached)' if deps.cached else ''}")
    if not run.step("install", deps.ok, deps.detail):
        return run.steps
    database = Database.for_entry(entry, tmp, log)
    try:
        if e2e_database(run, database):
            e2e_migrate(run, database)
    finally:
        database.drop()
    return run.steps


def e2e_impossible(entry: Entry, deps: Deps | None) -> str:
    """Why the entry cannot be run end to end here ("" when it can)."""
    if e2e_skip(entry):
        return e2e_skip(entry)
    if deps is None or deps.venv is None:
        return deps.detail if deps else "no venv"
    return ""


def e2e_skip(entry: Entry) -> str:
    """Why the entry is not run end to end whatever is installed ("" when it can be)."""
    exp = entry.expected
    if not exp.setup:
        return "setup = false: nothing to migrate"
    server = exp.dialect not in ("sqlite", "")
    pointed = entry.e2e_env or entry.e2e_config
    if KINDS.get(exp.source, exp.source) == "constant" and server and not pointed:
        return "the URL is hard-coded for a server: it cannot be pointed at a fresh database"
    return ""


def install_plan(project: Path, repo_root: Path) -> list[tuple[list[str], Path]]:
    """What pip installs of the project's own dependencies: its requirements.txt (else every
    requirements*.txt), else pyproject.toml's dependencies, else a Pipfile's packages; the
    project folder first, then each folder up to the repository root."""
    folders = [project, *[f for f in project.parents if f.is_relative_to(repo_root)]]
    for folder in dict.fromkeys(folders):
        reqs = sorted(folder.glob("requirements*.txt"))
        main = [r for r in reqs if r.name == "requirements.txt"] or reqs
        if main:
            return [(["-r", r.name], folder) for r in main]
        deps = pyproject_deps(folder / "pyproject.toml") or pipfile_deps(folder / "Pipfile")
        if deps:
            return [(deps, folder)]
    return []


def pipfile_deps(path: Path) -> list[str]:
    """A Pipfile's [packages] as pip requirements ("*": any version; git/path ones left out)."""
    try:
        packages = tomllib.loads(path.read_text(encoding="utf-8")).get("packages", {})
    except (OSError, tomllib.TOMLDecodeError):
        return []
    deps = []
    for name, spec in packages.items():
        if isinstance(spec, dict):
            if "git" in spec or "path" in spec or "file" in spec:
                continue
            extras = f"[{','.join(spec['extras'])}]" if spec.get("extras") else ""
            spec = spec.get("version", "*")
        else:
            extras = ""
        version = "" if str(spec).strip() in ("", "*") else str(spec).strip()
        deps.append(f"{name}{extras}{version}")
    return deps


def pyproject_deps(path: Path) -> list[str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return []
    deps = list(data.get("project", {}).get("dependencies", []))
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    deps += [
        d for name, spec in poetry.items() if name != "python" and (d := poetry_req(name, spec))
    ]
    return deps


def poetry_req(name: str, spec: Any) -> str:
    """A poetry dependency as a pip requirement (git/path ones: "")."""
    extras = ""
    if isinstance(spec, dict):
        if "git" in spec or "path" in spec or "url" in spec:
            return ""
        extras = f"[{','.join(spec['extras'])}]" if spec.get("extras") else ""
        spec = spec.get("version", "*")
    if isinstance(spec, list):
        spec = "*"
    return f"{name}{extras}{poetry_version(str(spec).strip())}"


def poetry_version(spec: str) -> str:
    """^1.2.3 -> >=1.2.3,<2; ~1.2 -> >=1.2,<1.3; * -> ''; 1.2 -> ==1.2; others as they are."""
    if spec in ("", "*"):
        return ""
    bare = spec.lstrip("^~")
    parts = [int(p) if p.isdigit() else 0 for p in bare.split(".")]
    if spec[0] == "^":
        i = next((n for n, p in enumerate(parts) if p), len(parts) - 1)
        return f">={bare},<{bump(parts, i)}"
    if spec[0] == "~" and not spec.startswith("~="):
        return f">={bare},<{bump(parts, min(1, len(parts) - 1))}"
    return f"=={spec}" if spec[0].isdigit() else spec


def bump(parts: list[int], i: int) -> str:
    return ".".join(map(str, [*parts[:i], parts[i] + 1]))


def drivers_for(exp: Expected) -> list[str]:
    sync = {"postgresql": ["psycopg[binary]"], "mysql": ["pymysql"]}.get(exp.dialect, [])
    async_ = {
        "asyncpg": "asyncpg",
        "aiomysql": "aiomysql",
        "asyncmy": "asyncmy",
        "aiosqlite": "aiosqlite",
        "psycopg": "psycopg[binary]",
    }.get(exp.async_driver)
    return [*sync, "greenlet", *([async_] if async_ else [])]


@dataclass
class Database:
    """A fresh database for one entry: created on the local server, dropped afterwards."""

    dialect: str
    name: str
    log: Log
    url: str = ""
    created: bool = False

    @classmethod
    def for_entry(cls, entry: Entry, tmp: Path, log: Log) -> Database:
        name = f"eco_{re.sub(r'[^a-z0-9]', '_', entry.slug.lower())[:30]}_{uuid.uuid4().hex[:8]}"
        exp = entry.expected
        dialect = {"mariadb": "mysql", "postgres": "postgresql"}.get(exp.dialect, exp.dialect)
        driver = exp.async_driver or {"postgresql": "asyncpg", "mysql": "aiomysql"}.get(
            dialect, "aiosqlite"
        )
        urls = {
            "postgresql": f"postgresql+{driver}://postgres@127.0.0.1:5432/{name}",
            "mysql": f"mysql+{driver}://root@127.0.0.1:3306/{name}",
            "sqlite": f"sqlite+{driver}:///{tmp / (name + '.sqlite3')}",
        }
        return cls(dialect, name, log, urls.get(dialect, ""))

    def admin(self, sql: str) -> tuple[bool, str]:
        argv = {
            "postgresql": [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                sql,
            ],
            "mysql": ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "-N", "-e", sql],
        }[self.dialect]
        return run_step(argv, self.log, 60)

    def create(self) -> tuple[bool, str]:
        if self.dialect == "sqlite":
            self.created = True
            return True, self.url
        if self.dialect not in ("postgresql", "mysql"):
            return False, f"no local server for {self.dialect}"
        quote = '"' if self.dialect == "postgresql" else "`"
        ok, why = self.admin(f"CREATE DATABASE {quote}{self.name}{quote}")
        self.created = ok
        return ok, self.url if ok else why

    def tables(self) -> set[str]:
        """The tables the database holds now (any schema but the system ones)."""
        if self.dialect == "sqlite":
            return sqlite_tables(Path(self.url.split(":///", 1)[1]))
        if self.dialect == "postgresql":
            argv = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", self.name, "-Atc"]
            sql = "SELECT tablename FROM pg_tables WHERE schemaname NOT LIKE 'pg\\_%' "
            sql += "AND schemaname <> 'information_schema'"
        else:
            argv = ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "-N", "-e"]
            sql = "SELECT table_name FROM information_schema.tables "
            sql += f"WHERE table_schema = '{self.name}'"
        done = subprocess.run([*argv, sql], capture_output=True, text=True, check=False)
        return {t.strip().lower() for t in done.stdout.splitlines() if t.strip()}

    def drop(self) -> None:
        if not self.created or self.dialect == "sqlite":
            return
        if self.dialect == "postgresql":
            self.admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            self.admin(f"DROP DATABASE IF EXISTS `{self.name}`")


def sqlite_tables(path: Path) -> set[str]:
    import sqlite3

    if not path.exists():
        return set()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(r[0]).lower() for r in rows}


def e2e_database(run: E2E, database: Database) -> bool:
    ok, why = database.create()
    if not ok:
        return run.step("database", False, why)
    keys = point_app_at(run, database)
    return run.step("database", True, f"{mask(database.url)} via {', '.join(keys) or 'as is'}")


def url_parts(database: Database) -> dict[str, str]:
    port = {"postgresql": "5432", "mysql": "3306"}.get(database.dialect, "")
    user = {"postgresql": "postgres", "mysql": "root"}.get(database.dialect, "")
    return {
        "HOST": "127.0.0.1",
        "SERVER": "127.0.0.1",
        "HOSTNAME": "127.0.0.1",
        "PORT": port,
        "USER": user,
        "USERNAME": user,
        "PASSWORD": "",
        "PASS": "",
        "DB": database.name,
        "NAME": database.name,
        "DATABASE": database.name,
        "DBNAME": database.name,
    }


def placeholders(database: Database) -> dict[str, str]:
    """What `{url}`, `{database}`, `{host}`, `{port}`, `{user}`, `{password}` ... stand for."""
    fill = url_parts(database)
    return {
        "url": database.url,
        "database": database.name,
        **{k.lower(): v for k, v in fill.items()},
    }


def app_env(run: E2E, database: Database) -> dict[str, str]:
    """The keys that point the app at the database: the entry's [e2e] env, its env key, and
    the parts (DB_HOST, POSTGRES_DB, ...) named in its env files."""
    exp, fill = run.entry.expected, url_parts(database)
    values = placeholders(database)
    env = {k: v.format(**values) for k, v in run.entry.e2e_env.items()}
    if exp.env_key:
        env.setdefault(exp.env_key, database.url)
    if database.dialect != "sqlite" and not exp.env_key:  # a URL assembled from parts
        for key in template_keys(run.project, exp):
            part = PART_KEY.search(key.upper())
            if part and key not in env:
                env[key] = fill[part[1]]
    return env


def template_keys(project: Path, exp: Expected) -> list[str]:
    """The keys the env files and templates assign, and those a template has commented out
    (`#POSTGRES_USER=...`: the optional database lines a new user uncomments)."""
    template = exp.template if made_from(exp.template) is None else ""  # not a TOML one
    names = [n for n in (exp.env_file, template, ".env", ".env.example") if n]
    keys: list[str] = []
    for name in dict.fromkeys(names):
        text = read_text(project / name) or ""
        keys += re.findall(r"^\s*(?:#\s*)?(?:export\s+)?([A-Za-z_]\w*)=", text, re.MULTILINE)
        keys += re.findall(r"^\s*(?:export\s+)?([A-Za-z_]\w*)\s+=", text, re.MULTILINE)
    return list(dict.fromkeys(keys))


def point_app_at(run: E2E, database: Database) -> list[str]:
    """Set the app's keys in its env file (copied from the template when it has none, as a new
    user does) and its TOML config files ([e2e] config), and remember the env keys for the
    environment of every later step."""
    exp = run.entry.expected
    env = app_env(run, database)
    target = run.project / (run.entry.e2e_env_file or exp.env_file or ".env")
    template = run.project / exp.template if exp.template else None
    if template is not None and made_from(exp.template) is None:  # an env file's template
        copy_missing(template, target)
    if env:
        set_env_keys(target, env)
    run.log.write(f"app env: {sorted(env)} in {target.name}")
    run.app_env = env
    values = placeholders(database)
    keys = []
    for name, settings in run.entry.e2e_config.items():
        path = run.project / name
        copy_missing(next(template_of(path), path), path)
        set_toml_keys(path, {k: v.format(**values) for k, v in settings.items()})
        keys += [f"{name}:{k}" for k in settings]
    run.log.write(f"app config: {keys}")
    run.app_config = keys
    return [*sorted(env), *keys]


TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl")


def made_from(template: str) -> str | None:
    """The config file a template is copied to (`config.toml.example` -> `config.toml`);
    None for an env file's template (`.env.example`, `.env.dist`, `app.env.sample`), which
    is copied to the env file the entry names."""
    name = Path(template).name
    for suffix in TEMPLATE_SUFFIXES:
        stem = name.removesuffix(suffix)
        if stem != name and not (stem.startswith(".env") or stem.endswith(".env")):
            return str(Path(template).with_name(stem))
    return None


def template_of(path: Path) -> Iterator[Path]:
    """The committed templates a user copies to `path`."""
    return (p for s in TEMPLATE_SUFFIXES if (p := path.with_name(path.name + s)).is_file())


def copy_missing(template: Path, target: Path) -> None:
    """A new user's copy of the template, when the file is not there yet."""
    if not target.exists() and template != target and template.is_file():
        shutil.copyfile(template, target)


def set_toml_keys(path: Path, values: dict[str, str]) -> None:
    """Set dotted keys (`database.port`) in a TOML file, each in the type the file gives it
    (an int stays an int, a bool a bool, a float a float); a new key is a string."""
    import tomlkit

    doc = tomlkit.parse(read_text(path) or "")
    for dotted, value in values.items():
        *tables, key = dotted.split(".")
        table: Any = doc
        for name in tables:
            table = table.setdefault(name, tomlkit.table())
        table[key] = typed(table.get(key), value)
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def typed(old: object, value: str) -> object:
    """`value` in the type of the value it replaces."""
    old = old.unwrap() if hasattr(old, "unwrap") else old
    if isinstance(old, bool):
        return value.lower() in ("1", "true", "yes", "on")
    if isinstance(old, int):
        return int(value)
    if isinstance(old, float):
        return float(value)
    return value


def set_env_keys(path: Path, values: dict[str, str]) -> None:
    lines = (read_text(path) or "").splitlines()
    left = dict(values)
    for i, line in enumerate(lines):
        match = re.match(r"\s*(export\s+)?([A-Za-z_]\w*)\s*=", line)
        if match and match[2] in left:
            lines[i] = f"{match[1] or ''}{match[2]}={left.pop(match[2])}"
    lines += [f"{k}={v}" for k, v in left.items()]
    path.parent.mkdir(parents=True, exist_ok=True)  # `.envs/.local`: its folder too
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def e2e_migrate(run: E2E, database: Database) -> None:
    env = clean_env(run.app_env, venv=run.venv)
    python = str(run.venv / "bin" / "python")
    base = ["--project", str(run.project), "--python", python, "--yes", "--json"]
    wizard = run_wizard(["setup", *base, "--install"], env, run.log)  # a user's yes to it
    if not run.step("wizard", wizard.code == 0, wizard.message() if wizard.code else ""):
        return
    alembic = [str(run.venv / "bin" / "alembic"), *alembic_config_args(run)]
    # a history with several heads: merged first, as the wizard's Next says
    merge = any("merge heads" in c for c in (wizard.report or {}).get("next", []))
    for name, args in (
        *([("merge", ["merge", "heads", "-m", "merge heads"])] if merge else []),
        ("existing", ["upgrade", "head"]),  # the repository's own revisions, if any, first
        ("revision", ["revision", "--autogenerate", "-m", "ecosystem"]),
        ("upgrade", ["upgrade", "head"]),
    ):
        ok, why = run_step([*alembic, *args], run.log, ALEMBIC_TIMEOUT, cwd=run.project, env=env)
        if not run.step(name, ok, "" if ok else why):
            return
    e2e_tables(run, database)
    again = run_wizard(["setup", *base, "--dry-run"], env, run.log)
    run.step("rerun", *rerun_verdict(again))


def e2e_tables(run: E2E, database: Database) -> None:
    if not run.app_env and not run.app_config:
        run.step("db_tables", None, "the app's own URL was used: its database is not checked")
        return
    missing = {table_name(t) for t in run.entry.expected.tables} - database.tables()
    run.step("db_tables", not missing, f"missing {', '.join(sorted(missing))}" if missing else "")


def rerun_verdict(run: Run) -> tuple[bool, str]:
    check = grade_rerun(run)
    return bool(check.ok), check.detail


def alembic_config_args(run: E2E) -> list[str]:
    where = run.entry.expected.alembic_ini
    if where and where != "alembic.ini" and (run.project / where).is_file():
        return ["-c", where]
    return []


# --------------------------------------------------------------------------- reporting


def verdict_line(result: Result) -> str:
    repo = result.entry.repo
    if result.error:
        return f"ERROR {repo}: {result.error}"
    bad = failing(result.checks)
    mark = f" {result.deps.failure()}" if result.deps and result.deps.failure() else ""
    if not bad:
        return f"PASS {repo}{mark}"
    return mask(f"FAIL {repo}: {bad[0].name}: {bad[0].detail}{mark}")


def e2e_state(result: Result) -> tuple[str, Check | None]:
    """PASS, FAIL (the first failed step), SKIP (could not be run here) or ERROR."""
    if not result.e2e:
        return "ERROR", None
    bad = [c for c in result.e2e if c.ok is False]
    if bad:
        return "FAIL", bad[0]
    first = result.e2e[0]
    return ("SKIP", first) if first.name == "setup" else ("PASS", None)


def e2e_line(result: Result) -> str:
    state, step = e2e_state(result)
    repo = result.entry.repo
    if state == "ERROR":
        return f"E2E ERROR {repo}: {result.error or 'not run'}"
    if step is None:
        return f"E2E {state} {repo}"
    where = "" if state == "SKIP" else f"{step.name}: "
    return mask(f"E2E {state} {repo}: {where}{step.detail}")


def print_result(result: Result, details: bool, e2e: bool) -> None:
    with PRINT_LOCK:
        for warning in result.warnings:
            print(f"  warning: {result.entry.repo}: {warning}", file=sys.stderr)
        print(verdict_line(result), flush=True)
        if details:
            for c in result.checks:
                print(mask(f"    {status(c):4} {c.name}: {c.detail}"))
        if e2e:
            print(e2e_line(result), flush=True)
        if details and e2e:
            for c in result.e2e:
                print(mask(f"    {status(c):4} e2e {c.name}: {c.detail}"))


def summary(results: Sequence[Result], e2e: bool) -> list[str]:
    graded = [r for r in results if not r.error]
    lines = [f"set up correctly: {sum(r.passed for r in graded)} of {len(graded)}"]
    if len(graded) < len(results):
        lines.append(
            f"not graded (harness error / not in the mirror): {len(results) - len(graded)}"
        )
    with_deps = [r for r in graded if r.deps is not None]
    if with_deps:
        broken = [r for r in with_deps if r.deps and not r.deps.ok]
        lines.append(
            f"project dependencies installed: {len(with_deps) - len(broken)} of {len(with_deps)}"
            + (f" (install failed: {', '.join(r.entry.repo for r in broken)})" if broken else "")
        )
    tally: dict[str, int] = {}
    for r in graded:
        for c in failing(r.checks):
            tally[c.name] = tally.get(c.name, 0) + 1
    if tally:
        lines.append(
            "failing criteria: "
            + ", ".join(f"{k} {v}" for k, v in sorted(tally.items(), key=lambda x: -x[1]))
        )
    if e2e:
        ran = [r for r in results if r.e2e and r.e2e[0].ok]
        lines.append(
            f"end to end: {sum(r.e2e_passed for r in ran)} of {len(ran)} "
            f"(with their Python available)"
        )
    return lines


def wizard_commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "wizard", "templates"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{head}{' (+ uncommitted changes in wizard/ or templates/)' if dirty else ''}"


def cell(text: str) -> str:
    return mask(text).replace("|", "\\|").replace("\n", " ")[:300]


def results_markdown(results: Sequence[Result], e2e: bool, argv: Sequence[str]) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = ["repo", "shape tags", "result", "failing criterion and message", "also failing"]
    head += ["end to end"] if e2e else []
    rows = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in results:
        rows.append(" | ".join(result_row(r, e2e)))
    return "\n".join(
        [
            "# Ecosystem check: latest results",
            "",
            f"- date: {now}",
            f"- wizard commit: {wizard_commit()}",
            f"- command: `python3 benchmarks/ecosystem.py {' '.join(argv)}`",
            "",
            *[f"**{line}**  " for line in summary(results, e2e)],
            "",
            "Criteria: see [README.md](README.md). Generated by `--write-results`; do not edit.",
            "",
            *[f"| {row} |" for row in rows],
            "",
        ]
    )


def result_row(r: Result, e2e: bool) -> list[str]:
    bad = failing(r.checks)
    result = "ERROR" if r.error else ("PASS" if not bad else "FAIL")
    why = r.error or (f"{bad[0].name}: {bad[0].detail}" if bad else "")
    if r.deps and r.deps.failure():
        why = f"{why} {r.deps.failure()}".strip()
    row = [
        r.entry.repo,
        ", ".join(r.entry.tags[:6]),
        result,
        cell(why),
        ", ".join(c.name for c in bad[1:]),
    ]
    if e2e:
        row.append(cell(e2e_line(r).removeprefix("E2E ").replace(f" {r.entry.repo}", "", 1)))
    return row


# --------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mirror",
        type=Path,
        default=Path("/work/.mirror"),
        help="folder of bare git snapshots, owner+name/",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="owner/name, name, or the entry's file name (repeatable)",
    )
    parser.add_argument("--jobs", type=int, default=4, help="repositories at once (--e2e: 2 max)")
    parser.add_argument(
        "--deps",
        action="store_true",
        help="install the project's dependencies in a cached venv and give the wizard its Python",
    )
    parser.add_argument(
        "--e2e", action="store_true", help="also install, migrate a fresh database, re-run"
    )
    parser.add_argument(
        "--venvs",
        type=Path,
        default=VENVS,
        help=f"where the venvs are cached (default {VENVS})",
    )
    parser.add_argument(
        "--install-timeout",
        type=int,
        default=INSTALL_TIMEOUT,
        metavar="S",
        help=f"seconds for one venv's install (default {INSTALL_TIMEOUT})",
    )
    parser.add_argument(
        "--reinstall", action="store_true", help="make again the venvs whose install failed"
    )
    parser.add_argument("--write-results", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--details", action="store_true", help="every criterion per repository")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--logs", type=Path, help="log folder (default: a new temporary one)")
    parser.add_argument("--criteria", action="store_true", help="print the grading rules")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    opts = parse_args(argv)
    if opts.criteria:
        for name, rule in (*GRADING, *(("e2e " + n, r) for n, r in E2E_STEPS)):
            print(f"{name:14} {rule}")
        return 0
    entries = load_entries(opts.only)
    if not entries:
        print(f"no entries in {ENTRIES} match", file=sys.stderr)
        return 2
    logs = opts.logs or Path(tempfile.mkdtemp(prefix="ecosystem-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    print(f"logs: {logs}", file=sys.stderr)
    jobs = max(1, min(opts.jobs, 2) if opts.e2e else opts.jobs)
    opts.progress = Progress(
        sum(1 for e in entries if opts.deps or not e2e_skip(e)) if opts.deps or opts.e2e else 0
    )
    results = run_all(entries, opts, logs, jobs)
    for line in summary(results, opts.e2e):
        print(line)
    print(f"logs: {logs}", file=sys.stderr)
    if opts.write_results:
        RESULTS.write_text(results_markdown(results, opts.e2e, argv), encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(REPO)}", file=sys.stderr)
    return 0 if all(r.passed for r in results) else 1


def run_all(
    entries: Sequence[Entry], opts: argparse.Namespace, logs: Path, jobs: int
) -> list[Result]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(check_repo, e, opts, logs): e for e in entries}
        for future in concurrent.futures.as_completed(futures):
            print_result(future.result(), opts.details, opts.e2e)
    by_repo = {f.result().entry.repo: f.result() for f in futures}
    return [by_repo[e.repo] for e in entries]


if __name__ == "__main__":
    sys.exit(main())
