"""The wheel ships the templates, and the README's Quickstart and CI agree and work."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


def _quickstart() -> list[str]:
    block = re.search(r"## Quickstart.*?```bash\n(.*?)```", (REPO / "README.md").read_text(), re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_quickstart_is_two_commands_and_ci_runs_the_second() -> None:
    commands = _quickstart()
    assert len(commands) == 2
    assert commands[1] in (REPO / ".ci/run").read_text().splitlines()


def _clean_env() -> dict[str, str]:
    """This environment without what would put the checkout (or another venv) on the path."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _venv_with_our_dependencies(venv: Path) -> Path:
    """A venv of its own (never `--system-site-packages`: run from a virtualenv, that is the
    base interpreter's, without our dependencies) that sees the site-packages of the
    interpreter running the tests through a .pth: the dependencies `.[test]` installed, with
    no network. Plain path lines, so the editable install's own .pth there is not processed
    and the wheel installed into the venv is the `wizard` it imports. Returns its python."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=_clean_env())
    python = venv / "bin/python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True, env=_clean_env(),
    ).stdout.strip()  # fmt: skip
    ours = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    (Path(purelib) / "running_interpreter.pth").write_text("\n".join(ours) + "\n")
    return python


def test_wheel_contains_templates_and_works_from_them(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("alembic_wizard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("env.py.j2", "alembic.ini.j2", "script.py.mako", "runner.py.j2"):
        assert f"wizard/templates/{template}" in names
    for module in ("__init__", "protocol", "verify", "adopt", "channel"):  # run in the project
        assert f"wizard/in_project/{module}.py" in names
    venv = tmp_path / "venv"
    python = _venv_with_our_dependencies(venv)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        env=_clean_env(),
    )
    where = subprocess.run(
        [str(python), "-c", "import wizard.plan.render as r; print(r.templates_dir())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env=_clean_env(),
    ).stdout.strip()
    assert where.startswith(str(venv)), where
    project = tmp_path / "blog"
    shutil.copytree(REPO / "examples/blog", project)
    done = subprocess.run(
        [str(venv / "bin/alembic-wizard"), "--yes", "--dry-run"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=_clean_env(),
    )
    assert done.returncode == 0, done.stderr
    assert "+target_metadata = Base.metadata" in done.stdout


def test_quickstart_first_command_on_the_example(tmp_path: Path) -> None:
    """The command as printed, with `python3` a venv of the test's own (the running
    environment's packages seen through a .pth): its `pip install -e` installs there, never
    into the interpreter running the tests (whose editable install would then point here)."""
    command = _quickstart()[0].replace("$(mktemp -d)", str(tmp_path))
    python = _venv_with_our_dependencies(tmp_path / "venv")
    path = os.pathsep.join(
        [str(python.parent), str(Path(sys.executable).parent), os.environ["PATH"]]
    )
    done = subprocess.run(
        ["bash", "-c", command], cwd=REPO, capture_output=True, text=True, check=False,
        timeout=600, env={**_clean_env(), "PATH": path},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    blog = tmp_path / "blog"
    (revision,) = (blog / "migrations/versions").glob("*.py")
    assert revision.read_text().count("op.create_table(") == 3
    assert "Running upgrade  -> " in done.stderr
    assert (blog / "blog.db").is_file()
    assert (tmp_path / "venv/bin/alembic-wizard").is_file()  # installed there, and only there
