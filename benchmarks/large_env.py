"""A large `.env` (issue 10 point 9): the whole `--yes --dry-run --no-verify` run and its
planning stages against merely reading the file.

    python benchmarks/large_env.py [--mb 50] [--width 80] [--checkout DIR]

Writes a project with one async URL and N MB of other bindings (700,000 lines for 50 MB),
then prints, for fresh processes: the time to read the file (`Path.read_text`), the whole
run's time and peak memory, and the stages in-process (inspect, decide, plan, show). The
target is the plan+diff within 2x of reading; nothing here is a test.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETTINGS = """\
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env")
    database_url: str


settings = Settings()
"""
MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
STAGES = """\
import io, sys, time
from pathlib import Path
t = time.perf_counter()
Path(".env").read_text()
read = time.perf_counter() - t
from wizard.decide import decide
from wizard.inspection import inspect, read_folder
from wizard.options import Flags
from wizard.plan import build
from wizard.show import show
t = time.perf_counter()
project = inspect(Path("."))
t1 = time.perf_counter()
answers, target = decide(project, Flags(), yes=True, interactive=False)
t2 = time.perf_counter()
plan = build(read_folder(project, answers.migrations), answers, target)
t3 = time.perf_counter()
labels = {str(c.path): project.rel(c.path) for c in plan.changes}
show(plan.changes, labels, plan.secrets, io.StringIO(), io.StringIO(), color=False)
t4 = time.perf_counter()
print(f"read {read:.2f}s  inspect {t1 - t:.2f}s  decide {t2 - t1:.2f}s  plan {t3 - t2:.2f}s  "
      f"show {t4 - t3:.2f}s  plan+diff (all four) {t4 - t:.2f}s = {(t4 - t) / read:.1f}x read")
"""


def make(top: Path, megabytes: int, width: int = 80) -> None:
    """The project: app/config.py, app/models.py and a .env of `megabytes` MB."""
    (top / "app").mkdir(parents=True)
    (top / "app/__init__.py").write_text("")
    (top / "app/config.py").write_text(SETTINGS)
    (top / "app/models.py").write_text(MODELS)
    rng = random.Random(10)
    lines = ["# a large env file", "DATABASE_URL=sqlite+aiosqlite:///./app.db"]
    size, i = 0, 0
    while size < megabytes * 1024 * 1024:
        lines.append(f"SETTING_{i}=value-{i}-{'x' * rng.randint(width // 8, width)}")
        size += len(lines[-1]) + 1
        i += 1
    (top / ".env").write_text("\n".join(lines) + "\n")


def run(top: Path, checkout: Path, *args: str) -> tuple[float, str]:
    env = {"PYTHONPATH": str(checkout), "PATH": "/usr/bin:/bin"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=top, env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--width", type=int, default=80, help="longest value (bytes)")
    parser.add_argument("--checkout", type=Path, default=Path(__file__).resolve().parent.parent)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        top = Path(folder) / "proj"
        make(top, options.mb, options.width)
        read, _ = run(
            top, options.checkout, "-c", "import pathlib; pathlib.Path('.env').read_text()"
        )
        whole, _ = run(top, options.checkout, "-m", "wizard", "--yes", "--dry-run", "--no-verify")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f".env {options.mb} MB: reading it (a fresh process) {read:.2f}s; "
            f"alembic-wizard --yes --dry-run --no-verify {whole:.2f}s, peak {peak:.0f} MB"
        )
        _, stages = run(top, options.checkout, "-c", STAGES)
        print(stages.strip())


if __name__ == "__main__":
    main()
