"""Crash sweep: kill `alembic-wizard --yes` at every write and replace of its apply window,
then check what the kill left and that `undo` or a re-run repairs it.

    python benchmarks/crash_sweep.py [--fixture sqlite_app] [--signal KILL|INT|TERM] [--only K,...]

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
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
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
    last: str = ""  # k of the last kill (with every k: the apply window's steps)
    problems: list[str] = field(default_factory=list)


def tree(top: Path) -> dict[str, bytes]:
    """Every file's bytes and mode (the wizard's own folder left out); links as links."""
    found = {}
    for path in sorted(top.rglob("*")):
        rel = path.relative_to(top).as_posix()
        if OURS in path.relative_to(top).parts or "__pycache__" in path.parts:
            continue
        if path.is_symlink():
            found[rel] = b"link -> " + str(path.readlink()).encode()
        elif path.is_file():
            mode = f" {path.stat().st_mode:o}".encode()
            found[rel] = hashlib.sha256(path.read_bytes()).digest() + mode
    return found


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
        check=False,
    )  # fmt: skip


SETUP = ("--yes", "--no-verify")


def _torn(now: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]) -> list[str]:
    """Files that are neither as they were nor as a complete setup has them."""
    names = set(now) | set(old) | set(new)
    return sorted(n for n in names if now.get(n) not in (old.get(n), new.get(n)))


def _copy(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, symlinks=True)
    return target


def _repairs(killed: Path, work: Path, old: dict[str, bytes], new: dict[str, bytes]) -> list[str]:
    """`undo` must give the original tree, a re-run the complete one (each on a copy, at the
    project's own path so that every path the wizard writes is the same)."""
    problems = []
    project = work / "project"
    for how, args, want in (("undo", ("undo",), old), ("re-run", SETUP, new)):
        _copy(killed, project)
        done = wizard(project, *args)
        undone_nothing = how == "undo" and "nothing to undo" in done.stderr
        if done.returncode != 0 and not undone_nothing:
            problems.append(f"{how} failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        elif tree(project) != want:
            problems.append(f"{how} left {_torn(tree(project), want, want)}")
    return problems


def _one(k: str, fixture: Path, work: Path, sig: str, ref: tuple[dict[str, bytes], ...]) -> str:
    """Kill at step k; the line to print ('' when the run got past its last step)."""
    old, new = ref
    project = _copy(fixture, work / "project")
    done = wizard(project, *SETUP, kill_at=k, sig=sig)
    want = -signal.SIGKILL if sig == "KILL" else 130
    if done.returncode == 0:
        return ""
    if done.returncode != want:
        return f"k={k}: exit {done.returncode}: {done.stderr.strip()[-300:]}"
    torn = _torn(tree(project), old, new)
    if sig != "KILL":  # the run puts everything back itself, or says it wrote every file
        written = "the files were written: undo with" in done.stderr
        back = tree(project) == (new if written else old) and "interrupted" in done.stderr
        return f"k={k}: {'ok' if back else 'NOT AS TOLD'} torn={torn}"
    killed = _copy(project, work / "killed")
    problems = _repairs(killed, work, old, new)
    return f"k={k}: torn={torn} " + ("; ".join(problems) if problems else "undo ok, re-run ok")


def sweep(fixture: Path, work: Path, sig: str = "KILL", only: list[str] | None = None) -> Counts:
    """Kill at each step k (or the ones in `only`) and count what was left."""
    old = tree(fixture)
    reference = _copy(fixture, work / "project")
    finished = wizard(reference, *SETUP)
    if finished.returncode != 0:
        raise SystemExit(f"the uninterrupted run failed: {finished.stderr}")
    new = tree(reference)
    counts = Counts()
    for k in only or [str(n) for n in range(1, 1000)]:
        line = _one(k, fixture, work, sig, (old, new))
        if not line:
            break
        counts.kills += 1
        counts.last = k
        counts.torn += "torn=[]" not in line
        counts.unrecoverable += not line.endswith(("undo ok, re-run ok", "ok torn=[]"))
        if "torn=[]" not in line or not line.endswith(("re-run ok", "ok torn=[]")):
            counts.problems.append(line)
        print(line, flush=True)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", default="sqlite_app")
    parser.add_argument("--signal", default="KILL", choices=("KILL", "INT", "TERM"))
    parser.add_argument("--only", help="comma-separated k values")
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    with tempfile.TemporaryDirectory() as work:
        counts = sweep(FIXTURES / args.fixture, Path(work), args.signal, only)
    print(f"signal={args.signal} kills={counts.kills} (the last at step {counts.last}) "
          f"torn={counts.torn} unrecoverable={counts.unrecoverable}")  # fmt: skip
    return 1 if counts.torn or counts.unrecoverable else 0


if __name__ == "__main__":
    raise SystemExit(main())
