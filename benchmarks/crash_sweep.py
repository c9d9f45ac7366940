"""Crash sweep: kill `alembic-wizard --yes` at every write and replace of its apply window,
then check what the kill left and that `undo` or a re-run repairs it.

    python benchmarks/crash_sweep.py [--command setup|adopt|guard|runner|undo]
        [--fixture sqlite_app] [--signal KILL|INT|TERM] [--only K,...]

The kill comes from the wizard's test hook: `ALEMBIC_WIZARD_TEST_KILL_AT=k` makes the k-th
write or replace of the apply send the signal to its own process (os.kill), so SIGKILL
really kills it there (`--only` also takes `KIND:n`, e.g. `replace:3`, see
wizard/interrupts.py). After each kill every file of the plan must be all-old (as in the
original tree) or all-new (as in a complete setup): anything else is `torn`. Then, on two
copies of the killed tree, `undo` must give the original tree byte for byte and a re-run
must give the complete setup; a copy that reaches neither is `unrecoverable`. With INT or
TERM the run itself must put every file back (exit 130), or, when the signal comes after
the last replace, keep them all and say so. Prints one line per k and the
totals; exits 1 when anything is torn or unrecoverable.

`--command` sweeps another command the same way, on the project it needs: `guard --yes
--rails test,ci,pre-commit,format` and `runner --yes` on a set-up project (undo must give the
set-up tree, a re-run the complete one); `adopt --yes` on a set-up project whose SQLite
database has the app's tables and no stamp (its kill points include the stamp: under way, and
committed before the journal says so; the database's stamp is part of the state compared: a
stamp naming a revision the scripts do not have is torn; undo may leave the stamp only when it
names `stamp --purge base`); `undo` after a complete setup, killed at each of its own restores
(a second undo must give the original tree, a re-run the set-up one). With INT or TERM every
message is checked against what the run left: "nothing was written" all-old, "written" or
"adopted" all-new, "while stamping" with the revision kept. The wrong ones are counted apart.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
OURS = ".alembic-wizard"


@dataclass
class Counts:
    """What the sweep saw."""

    kills: int = 0
    torn: int = 0
    unrecoverable: int = 0
    wrong: int = 0  # messages that do not say what the run left
    last: str = ""  # k of the last kill (with every k: the apply window's steps)
    problems: list[str] = field(default_factory=list)


DATABASE = "notes.db"  # adopt's SQLite database, in the project's root
REVISION, STAMP = "<revision>", "<stamp>"  # adopt's baseline (its id is random) and stamp


def tree(top: Path) -> dict[str, bytes]:
    """Every file's bytes and mode (the wizard's own folder left out); links as links. A
    baseline revision and the database's stamp are keys of their own: REVISION (present),
    STAMP (`ours`: the revision there; else what the database names)."""
    found = {}
    revisions = []
    for path in sorted(top.rglob("*")):
        rel = path.relative_to(top).as_posix()
        if OURS in path.relative_to(top).parts or "__pycache__" in path.parts:
            continue
        if rel == DATABASE:
            continue
        if path.parent.name == "versions" and path.suffix == ".py" and path.is_file():
            revisions.append(path.read_text())
            found[REVISION] = b"present" if len(revisions) == 1 else b"several"
            continue
        if path.is_symlink():
            found[rel] = b"link -> " + str(path.readlink()).encode()
        elif path.is_file():
            mode = f" {path.stat().st_mode:o}".encode()
            found[rel] = hashlib.sha256(path.read_bytes()).digest() + mode
    stamp = _stamp(top / DATABASE)
    if stamp is not None:
        ours = len(revisions) == 1 and f"revision: str = '{stamp}'" in revisions[0]
        found[STAMP] = b"ours" if ours else stamp.encode()
    return found


def _stamp(database: Path) -> str | None:
    """What `alembic_version` names (None: no database, no table or no row)."""
    if not database.is_file():
        return None
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()
    return ",".join(row[0] for row in rows) or None


def wizard(
    project: Path, *args: str, kill_at: str | None = None, sig: str = "KILL"
) -> subprocess.CompletedProcess[str]:
    """The wizard in a process of its own, this checkout first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALEMBIC_WIZARD_TEST")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    if kill_at is not None:
        env["ALEMBIC_WIZARD_TEST_KILL_AT"] = kill_at
        env["ALEMBIC_WIZARD_TEST_KILL_SIGNAL"] = sig
    return subprocess.run(
        [sys.executable, "-m", "wizard", "--no-color", "--project", str(project), *args],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300,
        check=False, cwd=project,
    )  # fmt: skip


SETUP = ("--yes", "--no-verify")
RAILS = ("guard", "--yes", "--rails", "test,ci,pre-commit,format")


@dataclass(frozen=True)
class Command:
    """One command swept: its arguments; the two ways back from a kill (label, the runs in
    turn, and whether they must reach the tree before the command, else the one after it).
    Only a plain run (setup) rolls back an apply a kill cut short; guard, runner and adopt
    refuse until it has (they say so), so their re-run is a plain run, then the command."""

    args: tuple[str, ...]
    repairs: tuple[tuple[str, tuple[tuple[str, ...], ...], bool], ...]
    prepare: Callable[[Path, Path], None]  # (fixture, project): the project it runs on


def _set_up(fixture: Path, project: Path) -> None:
    done = wizard(project, *SETUP)
    if done.returncode != 0:
        raise SystemExit(f"the setup before the sweep failed: {done.stderr}")


def _startup(project: Path) -> None:
    """The app's start-up module that runs create_all (part of the project before it all)."""
    sys.path[:0] = [str(REPO / "tests")]
    from adopt_apps import SQLITE  # type: ignore[import-not-found]  # noqa: PLC0415

    (project / SQLITE.package / "startup.py").write_text(SQLITE.startup)


def _adoptable(fixture: Path, project: Path) -> None:
    """Set up, then the app's tables made by its own create_all (as tests/adopt_apps.py)."""
    _set_up(fixture, project)
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    module = "notes.startup"
    made = subprocess.run([sys.executable, "-m", module], cwd=project, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    if made.returncode != 0 or _stamp(project / DATABASE) is not None:
        raise SystemExit(f"create_all failed: {made.stderr}")


def _plain(fixture: Path, project: Path) -> None:
    pass


UNDO = ("undo", "--yes")
COMMANDS = {
    "setup": Command(SETUP, (("undo", (UNDO,), True), ("re-run", (SETUP,), False)), _plain),
    "guard": Command(RAILS, (("undo", (UNDO,), True), ("re-run", (SETUP, RAILS), False)), _set_up),
    "runner": Command(
        ("runner", "--yes"),
        (("undo", (UNDO,), True), ("re-run", (SETUP, ("runner", "--yes")), False)),
        _set_up,
    ),
    "adopt": Command(
        ("adopt", "--yes"),
        (("undo", (UNDO,), True), ("re-run", (SETUP, ("adopt", "--yes")), False)),
        _adoptable,
    ),
    # undo's "before" is the set-up tree: a second undo must give the original, a re-run
    # the set-up one
    "undo": Command(UNDO, (("undo", (UNDO,), False), ("re-run", (SETUP,), True)), _set_up),
}


def _torn(now: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]) -> list[str]:
    """Files that are neither as they were nor as a complete run has them (a stamp that
    names no revision of the scripts is never either)."""
    names = set(now) | set(old) | set(new)
    return sorted(n for n in names if now.get(n) not in (old.get(n), new.get(n)))


def _copy(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=True)
    return target


def _reached(now: dict[str, bytes], want: dict[str, bytes], said: str) -> bool:
    """`now` is `want`; a stamp the undo could not take back counts when it says how."""
    if STAMP in now and STAMP not in want and "stamp --purge base" in said:
        now = {k: v for k, v in now.items() if k != STAMP}
    return now == want


def _repairs(
    killed: Path, work: Path, command: Command, ref: tuple[dict[str, bytes], ...]
) -> list[str]:
    """`undo` and a re-run must each reach their tree (each on a copy, at the project's own
    path so that every path the wizard writes is the same)."""
    old, new, original = ref
    problems = []
    project = work / "project"
    for how, runs, back in command.repairs:
        want = old if back else new
        _copy(killed, project)
        nothing_yet = tree(project) == old
        for args in runs:
            done = wizard(project, *args)
            undone_nothing = args == UNDO and "nothing to undo" in done.stderr
            if done.returncode != 0 and not undone_nothing:
                break
        if runs == (UNDO,) and nothing_yet and "backup-0001" in done.stderr:
            want = original  # cut short before its manifest: undo undid the setup before it
        if done.returncode != 0 and not undone_nothing:
            problems.append(f"{how} failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        elif not _reached(tree(project), want, done.stderr):
            problems.append(f"{how} left {_torn(tree(project), want, want)}")
    return problems


def told(stderr: str, code: int, now: dict[str, bytes], old: dict[str, bytes],
         new: dict[str, bytes]) -> bool:  # fmt: skip
    """What an interrupted (or finished) run said matches what it left: the classification
    of INT/TERM runs."""
    if code == 0:  # the signal came when it could not stop (an undo's restores): all done
        return now == new
    if "interrupted" not in stderr:
        return False
    if "while stamping" in stderr:  # the stamp may or may not have committed: revision kept
        return _torn(now, old, new) == [] and now.get(REVISION) == new.get(REVISION)
    if "it is adopted" in stderr:
        return now == new
    if "written" in stderr.replace("nothing was written", ""):  # the files; not a stamp
        return {k: v for k, v in now.items() if k != STAMP} == {
            k: v for k, v in new.items() if k != STAMP
        } and STAMP not in now
    return now == old


def classify(line: str) -> tuple[bool, bool, bool]:
    """(torn, unrecoverable, wrong message) of one printed line."""
    torn = "torn=" in line and "torn=[]" not in line
    wrong = "NOT AS TOLD" in line or ": exit " in line
    unrecoverable = not wrong and not line.endswith(("undo ok, re-run ok", "ok torn=[]"))
    return torn, unrecoverable, wrong


def _one(k: str, base: Path, work: Path, sig: str, command: Command,
         ref: tuple[dict[str, bytes], ...]) -> str:  # fmt: skip
    """Kill at step k; the line to print ('' when the run got past its last step)."""
    old, new = ref[:2]
    project = _copy(base, work / "project")
    done = wizard(project, *command.args, kill_at=k, sig=sig)
    want = -signal.SIGKILL if sig == "KILL" else 130
    if done.returncode == 0 and (sig == "KILL" or command.args != UNDO):
        return ""  # past the last step (an undo's restores hold INT back: see `_steps`)
    if done.returncode not in (want, 0):
        return f"k={k}: exit {done.returncode}: {done.stderr.strip()[-300:]}"
    now = tree(project)
    torn = _torn(now, old, new)
    if sig != "KILL":  # the run puts everything back itself, or says what it kept
        ok = told(done.stderr, done.returncode, now, old, new)
        return f"k={k}: {'ok' if ok else 'NOT AS TOLD'} torn={torn}" + (
            "" if ok else f": {done.stderr.strip()[-300:]}"
        )
    killed = _copy(project, work / "killed")
    problems = _repairs(killed, work, command, ref)
    return f"k={k}: torn={torn} " + ("; ".join(problems) if problems else "undo ok, re-run ok")


def _steps(base: Path, work: Path, command: Command) -> int:
    """How many kill points the command has (the last k a SIGKILL stops it at)."""
    for n in range(1, 1000):
        project = _copy(base, work / "project")
        if wizard(project, *command.args, kill_at=str(n)).returncode == 0:
            return n - 1
    return 999


def sweep(fixture: Path, work: Path, sig: str = "KILL", only: list[str] | None = None,
          name: str = "setup") -> Counts:  # fmt: skip
    """Kill `name` at each step k (or the ones in `only`) and count what was left."""
    command = COMMANDS[name]
    base = _copy(fixture, work / "base")
    if name == "adopt":
        _startup(base)
    original = tree(base)
    command.prepare(fixture, base)
    old = tree(base)
    reference = _copy(base, work / "project")
    finished = wizard(reference, *command.args)
    if finished.returncode != 0:
        raise SystemExit(f"the uninterrupted run failed: {finished.stderr}")
    new = tree(reference)
    if old == new:
        raise SystemExit(f"the uninterrupted run changed nothing: {finished.stderr}")
    counts = Counts()
    steps = _steps(base, work, command) if name == "undo" and sig != "KILL" else 999
    for k in only or [str(n) for n in range(1, steps + 1)]:
        line = _one(k, base, work, sig, command, (old, new, original))
        if not line:
            break
        counts.kills += 1
        counts.last = k
        torn, unrecoverable, wrong = classify(line)
        counts.torn += torn
        counts.unrecoverable += unrecoverable
        counts.wrong += wrong
        if torn or unrecoverable or wrong:
            counts.problems.append(line)
        print(line, flush=True)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--command", default="setup", choices=sorted(COMMANDS))
    parser.add_argument("--fixture", default="sqlite_app")
    parser.add_argument("--signal", default="KILL", choices=("KILL", "INT", "TERM"))
    parser.add_argument("--only", help="comma-separated k values")
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    with tempfile.TemporaryDirectory() as work:
        counts = sweep(FIXTURES / args.fixture, Path(work), args.signal, only, args.command)
    print(f"command={args.command} signal={args.signal} kills={counts.kills} (the last at "
          f"step {counts.last}) torn={counts.torn} unrecoverable={counts.unrecoverable} "
          f"wrong messages={counts.wrong}")  # fmt: skip
    return 1 if counts.torn or counts.unrecoverable or counts.wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
