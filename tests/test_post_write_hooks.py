"""Post-write hooks: what Alembic runs on each new revision (`console_scripts`, `exec`,
`module`) must be there in the project's interpreter, else `alembic revision` writes the
file and stops (`Could not find entrypoint console_scripts.pre-commit`). Verification
fails a rung naming the package, the one install command includes it (`--install` runs
it), and doctor reports it. The hook's tool here is a tiny local package installed with
pip from a folder, offline."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import copy_project, wizard
from wizard.inspection.alembic_setup import AlembicSetup
from wizard.inspection.hooks import declared

pytestmark = pytest.mark.skipif(os.name == "nt", reason="venv layout")

HOOK = """
[post_write_hooks]
hooks = revfmt
revfmt.type = console_scripts
revfmt.entrypoint = revfmt
revfmt.options = REVISION_SCRIPT_FILENAME
"""


def _wheel(folder: Path) -> Path:
    """A wheel of `revfmt`, whose console script `revfmt` marks the file it is given."""
    folder.mkdir()
    info = "revfmt-1.0.dist-info"
    files = {
        "revfmt.py": "import sys\n\ndef main():\n"
        "    with open(sys.argv[1], 'a') as f:\n        f.write('# revfmt was here\\n')\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: revfmt\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{info}/entry_points.txt": "[console_scripts]\nrevfmt = revfmt:main\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    wheel = folder / "revfmt-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def _project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """sqlite_app set up by the wizard, in a venv that sees the test interpreter's packages
    (offline) but not revfmt; then a console_scripts hook added to its alembic.ini. pip
    finds revfmt only in a local folder (PIP_NO_INDEX, PIP_FIND_LINKS)."""
    project = copy_project("sqlite_app", tmp_path)
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", str(project / ".venv")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env |= {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(_wheel(tmp_path / "wheels").parent)}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    done = wizard("--yes", "--no-db", "--python", ".venv/bin/python", cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace("[loggers]\n", HOOK.lstrip() + "\n[loggers]\n"))
    return project, env


def test_a_console_script_hook_not_installed_fails_verification_and_install_fixes_it(
    tmp_path: Path,
) -> None:
    project, env = _project(tmp_path)
    verify = ("verify", "--yes", "--no-db", "--python", ".venv/bin/python")

    done = wizard(*verify, cwd=project, env=env)
    assert done.returncode == 1
    assert (
        "FAILED  packages installed: revfmt is not installed in .venv/bin/python (post-write "
        "hook revfmt runs the console script revfmt: `alembic revision` writes the file, then "
        'stops with "Could not find entrypoint console_scripts.revfmt"; a script is usually '
        "named after its distribution)" in done.stdout
    )
    assert "fix: install: .venv/bin/python -m pip install 'revfmt'" in done.stdout
    assert (project / "migrations" / "env.py").is_file()  # an install fixes it: kept

    doctor = wizard("doctor", "--python", ".venv/bin/python", cwd=project, env=env)
    assert "AW124  alembic.ini:" in doctor.stdout
    assert "post-write hook revfmt runs revfmt (console_scripts), which is not found" in (
        doctor.stdout
    )

    done = wizard(*verify, "--install", cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installing: .venv/bin/python -m pip install 'revfmt'" in done.stderr
    assert "ok  post-write hooks: revfmt (revfmt): found in .venv/bin/python" in done.stdout
    assert "AW124" not in wizard("doctor", "--python", ".venv/bin/python", cwd=project).stdout

    python = str(project / ".venv" / "bin" / "python")
    ran = subprocess.run(
        [python, "-m", "alembic", "revision", "-m", "first"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    (written,) = (project / "migrations" / "versions").glob("*first.py")
    assert written.read_text().endswith("# revfmt was here\n")  # the hook ran


def test_a_program_at_a_path_no_install_provides_fails_its_own_rung(tmp_path: Path) -> None:
    project, env = _project(tmp_path)
    ini = project / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "revfmt.type = console_scripts\nrevfmt.entrypoint = revfmt",
            "revfmt.type = exec\nrevfmt.executable = %(here)s/tools/fmt",
        )
    )

    done = wizard(
        "verify",
        "--yes",
        "--no-db",
        "--python",
        ".venv/bin/python",
        "--install",
        cwd=project,
        env=env,
    )
    assert done.returncode == 1
    assert "installing" not in done.stderr
    assert (
        f"FAILED  post-write hooks: post-write hook revfmt runs the program {project}/tools/fmt"
        in (done.stdout)
    )
    assert "fix: install it where the hook finds it, or remove the hook" in done.stdout
    assert "packages installed" not in done.stdout
    assert (project / "migrations" / "env.py").is_file()  # not the setup's failure: kept


def test_hooks_are_read_as_alembic_reads_them(tmp_path: Path) -> None:
    """alembic.ini's section wins over [tool.alembic]'s list; `%(here)s` is the ini's
    folder; a hook of another type (a custom runner) names nothing to look for."""
    ini = tmp_path / "alembic.ini"
    text = (
        "[alembic]\nscript_location = migrations\n\n[post_write_hooks]\n"
        "hooks = black, fmt custom\nblack.type = console_scripts\nblack.entrypoint = black\n"
        "fmt.type = exec\nfmt.executable = %(here)s/bin/fmt\ncustom.type = mine\n"
    )
    toml = {"post_write_hooks": [{"name": "ruff", "type": "module", "module": "ruff"}]}
    setup = AlembicSetup(
        ini, text, "migrations", None, toml_path=tmp_path / "pyproject.toml", toml=toml
    )
    found = declared(setup)
    assert [(h.name, h.key, h.line) for h in found] == [
        ("black", "console_scripts:black", 7),
        ("fmt", f"exec:{tmp_path}/bin/fmt", 9),
    ]
    only_toml = AlembicSetup(
        ini, None, None, None, toml_path=tmp_path / "pyproject.toml", toml=toml
    )
    assert [h.key for h in declared(only_toml)] == ["module:ruff"]


def test_at_a_terminal_the_install_is_offered_and_yes_runs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19, point 2: at a terminal the one install command is offered after the
    verification that found something missing; yes runs it and the same run verifies again
    and ends green (real prompts: prompt_toolkit pipe input)."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from wizard.cli import main

    project, env = _project(tmp_path)
    for key in ("PIP_NO_INDEX", "PIP_FIND_LINKS", "PIP_DISABLE_PIP_VERSION_CHECK"):
        monkeypatch.setenv(key, env[key])
    monkeypatch.chdir(project)
    capsys.readouterr()
    with create_pipe_input() as pipe:
        pipe.send_text("y")  # the install question, the only one: the answers are remembered
        pipe.close()
        with create_app_session(input=pipe, output=DummyOutput()):
            argv = ["--no-color", "verify", "--no-db", "--python", ".venv/bin/python"]
            code = main(argv, interactive=True)
    out = capsys.readouterr()
    assert code == 0, out.out + out.err
    assert "installing: .venv/bin/python -m pip install 'revfmt'" in out.err
    assert "FAILED" not in out.out and "ok  post-write hooks" in out.out
    ran = subprocess.run([str(project / ".venv/bin/python"), "-c", "import revfmt"], check=False)
    assert ran.returncode == 0
