"""Whole-process speed of alembic-wizard against the anchors SPEC.md names.

    python benchmarks/run.py [--repeat N] [--only trees] [--checkout DIR] [--cpu]

Prints one line per comparison: our median, the anchor's median, and the median of the
ratios of runs made in turns (ours, the anchor, ours, ...). Lower is better; the targets are
1/3 for --help, 1.0 for the full run, 2.0 for inspecting a 5,000-module tree and the
2,000-module project with 100 model modules of `large_tree.py`. Times are wall-clock over N
runs of fresh processes; nothing here is a test.

The wizard measured is the one in DIR (this checkout by default), put first on PYTHONPATH and
byte-compiled first, as an installed wizard is (pip compiles on install; with
PYTHONDONTWRITEBYTECODE set, every run would otherwise compile the wizard again).
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = dict(os.environ)  # the wizard's checkout goes first on PYTHONPATH (see main)


def _tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name) or name


Job = tuple[Callable[[], Path | None], Callable[[Path | None], list[list[str]]]]


CPU = False  # --cpu: user + system CPU time of the processes (and those they waited for)


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _once(job: Job) -> float:
    """Wall time (or, with --cpu, CPU time) of running a job's commands (in order) in a
    fresh folder of its setup."""
    setup, commands = job
    folder = setup()
    start, cpu = time.perf_counter(), _cpu()
    for command in commands(folder):
        subprocess.run(command, cwd=folder, check=True, capture_output=True, env=ENV)
    return _cpu() - cpu if CPU else time.perf_counter() - start


def _command(*argv: str) -> Job:
    """A job of one command, run where it is started."""
    return (lambda: None, lambda _: [list(argv)])


def _paired(ours: Job, anchor: Job, repeat: int) -> tuple[float, float, float]:
    """Medians of ours and of the anchor, run in turns (ours, anchor, ours, ...), and the
    median of the turns' ratios: a machine that is busier for a while slows both sides of
    the turns it lasts, so the ratio moves less than either time."""
    pairs = [(_once(ours), _once(anchor)) for _ in range(repeat)]
    return (
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(a / b for a, b in pairs),
    )


def _example_copy() -> Path:
    target = Path(tempfile.mkdtemp(prefix="bench-")) / "blog"
    shutil.copytree(REPO / "examples/blog", target, ignore=shutil.ignore_patterns("*.db"))
    return target


def _anchor_copy() -> Path:
    """The example plus the alembic.ini a user would have after `alembic init` and pointing
    sqlalchemy.url at the database (`alembic init` keeps an existing alembic.ini)."""
    folder = _example_copy()
    scratch = Path(tempfile.mkdtemp(prefix="bench-init-"))
    subprocess.run(
        [_tool("alembic"), "init", "migrations"], cwd=scratch, check=True, capture_output=True
    )
    ini = (scratch / "alembic.ini").read_text()
    ini = ini.replace("driver://user:pass@localhost/dbname", "sqlite:///./blog.db")
    (folder / "alembic.ini").write_text(ini)
    return folder


def _anchor_run(_: Path | None) -> list[list[str]]:
    return [
        [_tool("alembic"), "init", "migrations"],
        [_tool("alembic"), "upgrade", "head", "--sql"],
    ]


def big_tree(modules: int = 5000) -> Path:
    """A tree of `modules` files: a few models and settings, the rest unrelated code."""
    top = Path(tempfile.mkdtemp(prefix="bench-tree-")) / "big"
    shutil.copytree(REPO / "examples/blog", top, ignore=shutil.ignore_patterns("*.db"))
    filler = "\n".join(f"def helper_{i}(x: int) -> int:\n    return x * {i}\n" for i in range(40))
    for i in range(modules):
        package = top / "blog" / f"feature_{i // 100}"
        package.mkdir(exist_ok=True)
        (package / "__init__.py").touch()
        (package / f"module_{i}.py").write_text(f'"""Module {i}."""\n\n{filler}')
    return top


def _read_files(tree: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import pathlib,sys; [p.read_bytes() for p in pathlib.Path(sys.argv[1]).rglob('*.py')]",
        str(tree),
    ]


def _tree_rows(repeat: int) -> list[tuple[str, float, float, float, float | None]]:
    """Inspecting large trees against merely reading their files."""
    sys.path.insert(0, str(Path(__file__).parent))
    from large_tree import make_tree

    rows: list[tuple[str, float, float, float, float | None]] = []
    project = make_tree(Path(tempfile.mkdtemp(prefix="bench-large-")) / "acme", 2000, 100)
    for tree, label in (
        (big_tree(), "inspect {} modules"),
        (project, "inspect {} modules, 100 model modules"),
    ):
        files = sum(1 for _ in tree.rglob("*.py"))
        read = _command(*_read_files(tree))
        inspect = _command(_tool("alembic-wizard"), "inspect", "--project", str(tree))
        found = _paired(inspect, read, repeat)
        rows.append((f"{label.format(files)} / read their files", *found, 2.0))
        dry_run = _command(_tool("alembic-wizard"), "--yes", "--dry-run", "--project", str(tree))
        found = _paired(dry_run, read, repeat)
        rows.append(("  the same tree, --yes --dry-run (inspect + plan) / read", *found, None))
    return rows


def _process_rows(repeat: int) -> list[tuple[str, float, float, float, float | None]]:
    """--help and the full run against Alembic's own commands."""
    rows: list[tuple[str, float, float, float, float | None]] = []
    ours, anchor = _command(_tool("alembic-wizard"), "--help"), _command(_tool("alembic"), "--help")
    found = _paired(ours, anchor, repeat)
    rows.append(("alembic-wizard --help / alembic --help", *found, 1 / 3))
    full: Job = (_example_copy, lambda _: [[_tool("alembic-wizard"), "--yes", "--no-db"]])
    found = _paired(full, (_anchor_copy, _anchor_run), repeat)
    rows.append(("full --yes run, offline verify / alembic init + upgrade head --sql", *found, 1.0))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", choices=["trees", "processes"])
    parser.add_argument("--checkout", type=Path, default=REPO, help="the wizard to measure")
    parser.add_argument("--cpu", action="store_true", help="CPU time instead of wall time")
    args = parser.parse_args()
    global CPU
    CPU = args.cpu
    checkout = args.checkout.resolve()
    compileall.compile_dir(checkout / "wizard", quiet=1)
    ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(checkout), ENV.get("PYTHONPATH")]))
    rows = [] if args.only == "trees" else _process_rows(args.repeat)
    rows += [] if args.only == "processes" else _tree_rows(args.repeat)
    print(f"{'comparison':<72} {'ours':>8} {'anchor':>8} {'ratio':>6} {'target':>7}")
    for name, ours, anchor, ratio, target in rows:
        if target is None:
            print(f"{name:<72} {ours:8.3f} {anchor:8.3f} {ratio:6.2f} {'-':>7}")
            continue
        flag = "" if ratio <= target else "  (over target)"
        print(f"{name:<72} {ours:8.3f} {anchor:8.3f} {ratio:6.2f} {target:7.2f}{flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
