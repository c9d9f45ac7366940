"""The questions, asked for real: prompt_toolkit pipe input in-process, and a pseudo-terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from conftest import copy_project, set_env_line, tree_hash, wizard, wizard_process
from wizard.cli import main

ENTER, DOWN, SPACE, CLEAR_LINE = "\r", "\x1b[B", " ", "\x15"


def _answer(keys: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()  # a question without an answer ends the input, it does not hang
        with create_app_session(input=pipe, output=DummyOutput()):
            code = main(["--no-color", *argv], interactive=True)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_answers_through_the_prompts_with_a_custom_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    keys = (
        ENTER  # migration mode: sync, the recommended one
        + ENTER  # model modules: all ticked
        + CLEAR_LINE
        + "db/migrations"
        + ENTER  # a folder other than the default
        + "n"  # do not declare alembic in pyproject.toml
        + "y"  # write the files
    )
    code, out, err = _answer(keys, ["--project", str(project)], capsys)
    assert code == 0, err + out
    assert (project / "db/migrations/env.py").is_file()
    assert "script_location = %(here)s/db/migrations" in (project / "alembic.ini").read_text()
    assert not (project / "migrations").exists()
    pyproject = (project / "pyproject.toml").read_text()
    assert '"alembic>=1.13"' not in pyproject and "add-deps = false" in pyproject  # "n" heard
    assert "ok  tables" in out


def test_unticking_a_model_module_is_caught_by_verification(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    keys = ENTER + SPACE + ENTER + ENTER + "y" + "y"  # untick the first model module
    code, out, err = _answer(keys, ["--project", str(project)], capsys)
    assert code == 1, err + out
    assert "FAILED  tables" in out
    assert "missing from target_metadata: note" in out
    assert "import notes.models.note in env.py" in out


APP_REQUIREMENTS = "sqlmodel>=0.0.22\naiosqlite>=0.20\npydantic-settings>=2.0\n"


@pytest.mark.parametrize("answer", ["y", "n"])
def test_requirements_txt_is_edited_only_after_its_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], answer: str
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    (project / "pyproject.toml").write_text('[project]\nname = "notes"\nversion = "0.1.0"\n')
    (project / "requirements.txt").write_text(APP_REQUIREMENTS)
    keys = ENTER * 3 + answer + "y"  # mode, models, folder; requirements.txt; write
    code, out, err = _answer(keys, ["--project", str(project), "--no-db"], capsys)
    assert code == 0, err + out
    assert (project / "migrations/env.py").is_file()  # the last "y" wrote: both were asked
    added = "alembic>=1.13\n" if answer == "y" else ""
    assert (project / "requirements.txt").read_text() == APP_REQUIREMENTS + added
    assert ("add-deps = false" in (project / "pyproject.toml").read_text()) is (answer == "n")


def test_add_deps_says_nothing_when_requirements_txt_declares_them(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    (project / "pyproject.toml").unlink()
    (project / "requirements.txt").write_text(APP_REQUIREMENTS + "alembic\n")
    done = wizard("--yes", "--add-deps", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "--add-deps" not in done.stderr and "requirements.txt" not in done.stderr
    assert (project / "requirements.txt").read_text() == APP_REQUIREMENTS + "alembic\n"


@pytest.mark.parametrize("answer", ["y", "n"])
def test_d_shows_every_diff_masked_then_asks_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], answer: str
) -> None:
    project = copy_project("pg_app", tmp_path)
    url = "postgresql+asyncpg://postgres:s3cret-pw@127.0.0.1:5432/shop"
    set_env_line(project / ".env", "DATABASE_URL", url)
    before = tree_hash(project)
    keys = ENTER * 5 + "d" + answer  # the defaults; then the diff first, then the answer
    code, out, err = _answer(keys, ["--project", str(project), "--no-db"], capsys)
    assert code == 0, err + out
    assert out.count("+++ b/backend/migrations/env.py") == 1  # shown once, on request
    assert "+DATABASE_URL_SYNC=postgresql+psycopg://postgres:***@127.0.0.1:5432/shop" in out
    assert "s3cret-pw" not in out + err
    assert (project / "backend/migrations/env.py").is_file() is (answer == "y")
    if answer == "n":
        assert "nothing was written" in err and tree_hash(project) == before


def test_no_answer_after_the_diff_is_an_error_not_a_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    code, out, err = _answer(ENTER * 3 + "y" + "d", ["--project", str(project)], capsys)
    assert code == 2 and "input ended" in err
    assert "+++ b/migrations/env.py" in out
    assert tree_hash(project) == before


def test_declining_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    code, _, err = _answer(ENTER * 3 + "y" + "n", ["--project", str(project)], capsys)
    assert code == 0 and "nothing was written" in err
    assert tree_hash(project) == before


def test_missing_answer_is_an_error_not_a_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    code, _, err = _answer(ENTER, ["--project", str(project)], capsys)
    assert code == 2 and "input ended" in err
    assert tree_hash(project) == before


def _spawn(project: Path) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "wizard", "--project", str(project)],
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )


def test_real_terminal_defaults(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    child = _spawn(project)
    child.expect("Which migration mode")
    child.send(ENTER)
    child.expect("Which model modules")
    child.send(ENTER)
    child.expect("migrations folder")
    child.send(ENTER)
    child.expect("Declare alembic>=1.13 in pyproject.toml")
    child.send("y")
    child.expect(r"Write these \d+ file")
    child.send("y")
    child.expect("Next:")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (project / "migrations/env.py").is_file()
    assert '"alembic>=1.13",' in (project / "pyproject.toml").read_text()


def test_ctrl_c_at_a_prompt_exits_130_and_changes_nothing(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    child = _spawn(project)
    child.expect("Which migration mode")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "interrupted" in (child.before or "")
    assert tree_hash(project) == before


def test_no_terminal_and_no_yes_is_a_clear_error(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    done = wizard_process("--project", str(project))
    assert done.returncode == 2
    assert "no terminal" in done.stderr and "--yes" in done.stderr
    assert tree_hash(project) == before


def test_a_url_only_in_a_template_is_asked_prefilled_with_its_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At a terminal the URL a template alone holds is asked, its value offered: Enter takes
    it, and the new .env starts from the template."""
    project = copy_project("urls/env_template_names", tmp_path)
    keys = ENTER * 8 + "y"  # the URL as offered, then every default, then write
    code, out, err = _answer(keys, ["--project", str(project)], capsys)
    assert code == 0, err + out
    assert "DATABASE_URL=sqlite+aiosqlite:///./bookings.db\n" in (project / ".env").read_text()
    assert "SECRET_KEY=change-me" in (project / ".env").read_text()
    assert "ok  env.py imports" in out
