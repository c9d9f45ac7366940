"""What a person reads: short output by default, the diff on request, colour only where the
terminal takes it, --help with exit codes, the project root found from a sub-folder, and
messages that name what went wrong."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from conftest import REPO, copy_project, run, tree_hash, wizard
from wizard.cli import main, use_color

ESC = "\x1b["


def test_default_output_is_status_lines_and_a_summary(tmp_path: Path) -> None:
    project = copy_project("blog", tmp_path)
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "+++" not in done.stdout and "@@" not in done.stdout  # no diff
    assert "    create  migrations/env.py  +" in done.stderr
    assert re.search(r"^    modify  \.env  \+1 -0$", done.stderr, re.M)
    assert "9 files: 4 to create, 5 to modify (--diff shows every change)" in done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert len(lines) < 30, lines  # was about 215 with every diff


def test_diff_flag_and_dry_run_show_every_diff(tmp_path: Path) -> None:
    project = copy_project("blog", tmp_path)
    dry = wizard("--yes", "--dry-run", cwd=project)
    assert "+++ b/migrations/env.py" in dry.stdout and "+DATABASE_URL_SYNC=" in dry.stdout
    assert "--diff shows" not in dry.stderr and ESC not in dry.stdout + dry.stderr
    done = wizard("--yes", "--no-db", "--diff", cwd=project)
    assert "+++ b/migrations/env.py" in done.stdout and done.returncode == 0


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "no_color", "environ", "expected"),
    [
        (True, False, {"TERM": "xterm-256color"}, True),
        (False, False, {"TERM": "xterm-256color"}, False),  # a pipe or a file
        (True, True, {}, False),  # --no-color
        (True, False, {"NO_COLOR": "1"}, False),
        (True, False, {"NO_COLOR": ""}, True),  # only a non-empty NO_COLOR counts
        (True, False, {"TERM": "dumb"}, False),
        (False, False, {"FORCE_COLOR": "1"}, True),  # also when not a terminal
        (False, False, {"FORCE_COLOR": "1", "TERM": "dumb"}, True),
        (True, False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),  # as Python decides
        (False, True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_decision(
    tty: bool, no_color: bool, environ: dict[str, str], expected: bool
) -> None:
    assert use_color(_Stream(tty), no_color=no_color, environ=environ) is expected


def test_force_color_colours_a_pipe(tmp_path: Path) -> None:
    project = copy_project("blog", tmp_path)
    done = run("-m", "wizard", "--yes", "--no-db", cwd=project,
               env={**_env(), "FORCE_COLOR": "1"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{ESC}32m    create{ESC}0m  migrations/env.py" in done.stderr
    assert f"{ESC}32m     ok{ESC}0m  env.py imports" in done.stdout


def _env(**extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "PYTHONPATH": str(REPO), "TERM": "xterm-256color", **extra}


@pytest.mark.parametrize("extra", [{}, {"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_colour_in_a_real_terminal(tmp_path: Path, extra: dict[str, str]) -> None:
    project = copy_project("blog", tmp_path)
    child = pexpect.spawn(sys.executable, ["-m", "wizard", "--yes", "--no-db"], cwd=str(project),
                          env=_env(**extra), encoding="utf-8", timeout=120, dimensions=(40, 120))  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    seen = child.before or ""
    assert child.exitstatus == 0, seen
    assert "ok  env.py imports" in seen.replace(f"{ESC}0m", "").replace(f"{ESC}32m", "")
    if extra:
        assert ESC not in seen and "\x1b" not in seen
    else:  # the status words and the marks are coloured
        assert f"{ESC}32m    create{ESC}0m" in seen and f"{ESC}32m     ok{ESC}0m" in seen


def test_help_lists_exit_codes_and_examples() -> None:
    done = run("-m", "wizard", "--help", cwd=REPO)
    assert done.returncode == 0
    assert "exit status:" in done.stdout and "130  interrupted" in done.stdout
    assert "alembic-wizard verify --json" in done.stdout and "examples:" in done.stdout
    assert "--no-db" in done.stdout and "--offline" not in done.stdout  # the old name is hidden
    assert "--diff" in done.stdout


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def test_each_command_s_help_lists_only_its_own_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    adopt = _help(capsys, "adopt")
    assert adopt.startswith("usage: alembic-wizard adopt [options]\n")
    assert "Baseline revision for the database that exists" in adopt
    assert "--dry-run" in adopt and "--json" in adopt and "exit status:" in adopt
    for other in ("--dialect", "--no-verify", "--online", "--error", "--rails", "setup (default)"):
        assert other not in adopt, other
    doctor = _help(capsys, "--no-color", "doctor")  # the command may come after a flag
    assert "--error TEXT" in doctor and "--online" in doctor and "--dry-run" not in doctor
    undo = _help(capsys, "undo")
    assert "--yes" in undo and "put the files back without the question" in undo
    assert "--python" not in undo and "--diff" not in undo
    general = _help(capsys)  # the commands, one line each, then setup's options
    assert "  runner   write a module that migrates at the app's start-up" in general
    assert "`alembic-wizard COMMAND --help`" in general
    assert "--dialect NAME" in general and "--error TEXT" not in general


def test_an_unknown_dialect_is_told_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--dialect", "foo"])
    assert exited.value.code == 2
    said = capsys.readouterr().err
    assert "argument --dialect: invalid choice: 'foo' (choose from 'postgresql', 'mysql'," in said


def test_the_dialects_flag_takes_are_the_ones_the_wizard_knows() -> None:
    from wizard.options import DIALECTS
    from wizard.urls import DIALECTS as KNOWN

    assert tuple(KNOWN) == DIALECTS


def test_run_from_a_sub_folder_uses_the_project_root(tmp_path: Path) -> None:
    project = copy_project("blog", tmp_path)
    (project / ".git").mkdir()  # a marker of its own does not stop the walk below the root
    inner = project / "blog"
    done = wizard("--yes", "--no-db", cwd=inner)
    assert done.returncode == 0, done.stderr
    assert "note: project root .. (it has pyproject.toml); --project chooses" in done.stderr
    assert (project / "alembic.ini").is_file() and not (inner / "alembic.ini").exists()
    explicit = wizard("verify", "--project", str(inner), cwd=inner)  # --project still wins
    assert "note: project root" not in explicit.stderr
    assert explicit.returncode == 2 and "blog/blog: no SQLAlchemy" in explicit.stderr


def test_a_sub_folder_without_a_root_above_stays_where_it_is(tmp_path: Path) -> None:
    before = tree_hash(tmp_path)
    done = wizard("verify", cwd=tmp_path)
    assert done.returncode == 2 and "no SQLAlchemy or SQLModel tables found" in done.stderr
    assert "note: project root" not in done.stderr and tree_hash(tmp_path) == before


def test_an_internal_import_error_names_the_module(tmp_path: Path) -> None:
    project = copy_project("blog", tmp_path)
    before = tree_hash(project)
    hide = "import sys; sys.modules['jinja2'] = None; from wizard.cli import run; run()"
    done = run("-c", hide, "--yes", "--no-db", cwd=project, env=_env())
    assert done.returncode == 1
    assert "internal error (ModuleNotFoundError: no module named 'jinja2')" in done.stderr
    assert "hint: the wizard's environment lacks jinja2" in done.stderr
    assert tree_hash(project) == before


def _answer(keys: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Answer through prompt_toolkit's pipe; the questions as the terminal showed them."""
    shown = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        with create_app_session(input=pipe, output=PlainTextOutput(shown)):
            code = main(["--no-color", *argv], interactive=True)
    out = capsys.readouterr()
    return code, shown.getvalue() + out.out + out.err


def test_the_database_is_not_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project("blog", tmp_path)
    code, seen = _answer("\r\r" + "y" + "y", ["--project", str(project), "--no-db"], capsys)
    assert code == 0, seen
    assert "Which database" not in seen and "Which model modules" not in seen  # one module
    assert "Which migration mode?" in seen and "the app is untouched" in seen


def test_a_dialect_flag_the_url_contradicts_is_asked_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project("blog", tmp_path)
    argv = ["--project", str(project), "--no-db", "--dialect", "postgresql"]
    code, seen = _answer("n", argv, capsys)
    assert code == 2 and "The URL in DATABASE_URL is sqlite, not postgresql (--dialect)" in seen
    assert not (project / "alembic.ini").exists()
    code, seen = _answer("y" + "\r\r" + "y" + "y", argv, capsys)
    assert code == 0, seen
    assert 'dialect = "sqlite"' in (project / "pyproject.toml").read_text()
    assert wizard("--yes", "--dialect", "mysql", cwd=project).returncode == 2  # no one to ask


def test_an_invalid_flag_value_is_asked_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project("blog", tmp_path)
    argv = ["--project", str(project), "--no-db", "--mode", "fast"]
    code, seen = _answer("\x1b[B\r" + "\r" + "y" + "y", argv, capsys)  # down: async
    assert code == 0, seen
    assert "Which migration mode? (--mode 'fast' is not one of: sync, async)" in seen
    assert 'mode = "async"' in (project / "pyproject.toml").read_text()
    refused = wizard("--yes", "--mode", "fast", cwd=copy_project("sqlite_app", tmp_path))
    assert refused.returncode == 2 and "--mode 'fast' is not one of: sync, async" in refused.stderr


def test_a_typed_folder_that_cannot_be_is_refused_with_the_reason(tmp_path: Path) -> None:
    project = copy_project("blog", tmp_path)
    child = pexpect.spawn(sys.executable, ["-m", "wizard", "--no-db"], cwd=str(project),
                          env=_env(), encoding="utf-8", timeout=120, dimensions=(40, 120))  # fmt: skip
    child.expect("Which migration mode")
    child.send("\r")
    child.expect("migrations folder")
    child.send("\x15../elsewhere\r")  # ctrl-U clears the default
    child.expect("not a folder inside the project")  # said under the question, still open
    child.send("\x15db/migrations\r")
    child.expect("Declare alembic")
    child.send("y")
    child.expect(r"Write these \d+ file")
    child.send("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert (project / "db/migrations/env.py").is_file() and not (tmp_path / "elsewhere").exists()


def test_a_dumb_terminal_is_asked_line_by_line_without_escape_codes(tmp_path: Path) -> None:
    project = copy_project("blog", tmp_path)
    seen = io.StringIO()
    child = pexpect.spawn(sys.executable, ["-m", "wizard", "--no-db"], cwd=str(project),
                          env=_env(TERM="dumb"), encoding="utf-8", timeout=120)  # fmt: skip
    child.logfile_read = seen
    child.expect(r"choose 1-2 \[1\]: ")
    child.sendline("3")
    child.expect("'3' is not a number from 1 to 2")
    child.expect(r"choose 1-2 \[1\]: ")
    child.sendline("")  # the default: sync
    child.expect(r"The migrations folder\? \[migrations\] ")
    child.sendline("")
    child.expect(r"Declare alembic>=1.13 in pyproject.toml\? \[Y/n\] ")
    child.sendline("n")
    child.expect(r"Write these 9 file\(s\)\? \[Y/n/d: show the diff first\] ")
    child.sendline("d")  # the diff, then the question again
    child.expect(r"\+\+\+ b/migrations/env.py")
    child.expect(r"Write these 9 file\(s\)\? \[Y/n/d: show the diff first\] ")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, seen.getvalue()
    assert "\x1b" not in seen.getvalue() and "ok  tables" in seen.getvalue()
    assert "add-deps = false" in (project / "pyproject.toml").read_text()
