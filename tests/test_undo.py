"""`alembic-wizard undo` puts back what the last apply changed, byte for byte."""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from conftest import copy_project, tree_hash, wizard
from wizard.cli import main


def test_undo_restores_every_file_byte_for_byte(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    env = repo / ".env"
    env.write_bytes(env.read_bytes().replace(b"\n", b"\r\n"))  # CRLF must survive the round trip
    env.chmod(0o600)
    before = tree_hash(repo)
    done = wizard("--yes", "--no-verify", "--project", str(repo / "backend"))
    assert done.returncode == 0, done.stderr
    written = tree_hash(repo)
    assert written != before
    # ../.env is outside the project folder: a record naming it is acted on only when the
    # user says the record is theirs (a cloned repository may ship a hostile one)
    refused = wizard("undo", "--yes", "--project", str(repo / "backend"))
    assert refused.returncode == 2 and "names `../.env`" in refused.stderr
    assert "pass --follow-outside" in refused.stderr and tree_hash(repo) == written
    undone = wizard("undo", "--yes", "--follow-outside", "--project", str(repo / "backend"))
    assert undone.returncode == 0, undone.stderr
    assert "restore  migrations/env.py" in undone.stderr
    after = {
        k: v for k, v in tree_hash(repo).items() if not k.startswith("backend/.alembic-wizard/")
    }
    assert after == before  # contents and modes, the .env outside the project folder too
    again = wizard("undo", "--yes", "--follow-outside", "--project", str(repo / "backend"))
    assert again.returncode == 2 and "nothing to undo" in again.stderr


def _undo_at_a_terminal(
    project: Path, keys: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """`undo` with a person to ask (prompt_toolkit's pipe); the question as shown, and the
    messages."""
    shown = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        with create_app_session(input=pipe, output=PlainTextOutput(shown)):
            code = main(["--no-color", "undo", "--project", str(project)], interactive=True)
    return code, shown.getvalue() + capsys.readouterr().err


@pytest.mark.parametrize("answer", ["y", "n"])
def test_undo_asks_first_naming_the_backup_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], answer: str
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    written = tree_hash(project)
    (folder,) = (project / ".alembic-wizard").glob("backup-*")
    code, seen = _undo_at_a_terminal(project, answer, capsys)
    assert code == 0, seen
    said = f"undo: the apply recorded in .alembic-wizard/{folder.name} (8 file(s))\n"
    assert said in seen and "Put its files back as they were before it?" in seen
    if answer == "y":
        assert "restore  migrations/env.py" in seen
        assert {k: v for k, v in tree_hash(project).items() if ".alembic-wizard" not in k} == before
    else:
        assert "nothing was undone" in seen and "restore" not in seen
        assert tree_hash(project) == written


def test_undo_without_a_terminal_asks_for_yes(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    written = tree_hash(project)
    (folder,) = (project / ".alembic-wizard").glob("backup-*")
    for args in [(), ("--json",)]:
        done = wizard("undo", *args, cwd=project)
        assert done.returncode == 2, done.stderr
        assert f"the apply in .alembic-wizard/{folder.name} wrote" in done.stderr
        assert "hint: pass --yes to put them back" in done.stderr
        assert tree_hash(project) == written
    said = json.loads(done.stdout)  # --json: the error object
    assert said["exit_status"] == 2 and "--json asks nothing" in said["error"]["message"]


def test_undo_refuses_a_file_edited_since(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text() + "# my edit\n")
    state = tree_hash(project)
    done = wizard("undo", "--yes", cwd=project)
    assert done.returncode == 2
    assert "migrations/env.py: changed since the wizard wrote it" in done.stderr
    assert tree_hash(project) == state


def test_edits_the_new_env_py_would_drop_are_a_conflict(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace(
        "    text = os.environ.get(SYNC_URL_ENV)", "    print('using my URL')\n    text = os.environ.get(SYNC_URL_ENV)"))  # fmt: skip
    state = tree_hash(project)
    refused = wizard("--yes", "--no-verify", "--sync-driver", "pysqlite", "--migrations", "migrations",
                     "--mode", "async", cwd=project)  # fmt: skip
    assert refused.returncode == 2
    assert (
        "migrations/env.py: your edits would be lost:\n        print('using my URL')"
        in refused.stderr
    )
    assert tree_hash(project) == state
    forced = wizard("--yes", "--no-verify", "--mode", "async", "--force", cwd=project)
    assert forced.returncode == 0, forced.stderr
    assert "using my URL" not in env_py.read_text()


def test_a_hook_added_to_the_wizards_env_py_is_kept(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    env_py = project / "migrations/env.py"
    text = env_py.read_text().replace(
        "        compare_type=True,\n",
        "        compare_type=True,\n        include_schemas=True,\n",
    )
    env_py.write_text(text + "\n\ndef include_name(name, type_, parent_names):\n    return True\n")
    done = wizard("--yes", "--no-verify", "--mode", "async", cwd=project)  # a real change of mode
    assert done.returncode == 0, done.stderr
    new = env_py.read_text()
    assert "async_engine_from_config(" in new  # async mode now
    assert "def include_name(name, type_, parent_names):" in new and "include_schemas=True," in new


def _applied(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """sqlite_app after one apply; its files as they were before it."""
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    done = wizard("--yes", "--no-verify", cwd=project)
    assert done.returncode == 0, done.stderr
    return project, before


def _theirs(project: Path) -> dict[str, str]:
    return {k: v for k, v in tree_hash(project).items() if not k.startswith(".alembic-wizard/")}


@pytest.mark.parametrize(
    ("content", "why"), [("", "empty"), ('{"seq": 1, "fil', "not JSON (line 1)"), ("[]", "not an")]
)
def test_a_corrupt_or_empty_manifest_is_a_one_line_error(
    tmp_path: Path, content: str, why: str
) -> None:
    project, _ = _applied(tmp_path)
    (manifest,) = project.glob(".alembic-wizard/backup-*/manifest.json")
    manifest.write_text(content)
    state = tree_hash(project)
    done = wizard("undo", "--yes", cwd=project)
    assert done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"error: {manifest.relative_to(project)}: ")
    assert f"cannot read this apply record ({why}" in first
    assert tree_hash(project) == state


def test_a_missing_backup_refuses_before_anything_is_restored(tmp_path: Path) -> None:
    project, _ = _applied(tmp_path)
    (saved,) = project.glob(".alembic-wizard/backup-*/pyproject.toml")  # the last one restored
    saved.unlink()
    state = tree_hash(project)
    done = wizard("undo", "--yes", cwd=project)
    assert done.returncode == 2
    assert f"pyproject.toml: its backup {saved} is missing; nothing was undone" in done.stderr
    assert tree_hash(project) == state


def test_undo_picks_the_last_apply_by_its_sequence_not_its_time(tmp_path: Path) -> None:
    project, original = _applied(tmp_path)
    sync_env_py = (project / "migrations/env.py").read_bytes()
    done = wizard("--yes", "--no-verify", "--mode", "async", cwd=project)
    assert done.returncode == 0, done.stderr
    first, second = sorted(project.glob(".alembic-wizard/backup-*"))
    assert (first.name[:11], second.name[:11]) == ("backup-0001", "backup-0002")
    os.utime(first / "manifest.json", (4_000_000_000, 4_000_000_000))  # the first looks newer
    os.utime(first, (4_000_000_000, 4_000_000_000))
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert (project / "migrations/env.py").read_bytes() == sync_env_py  # the second undone
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert _theirs(project) == original


def test_a_failing_restore_puts_back_what_it_restored_and_leaves_no_temp_file(
    tmp_path: Path,
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    pyproject = project / "pyproject.toml"  # restored last: big enough to fail to write
    pyproject.write_text(pyproject.read_text() + "# padding\n" * 20_000)
    original = tree_hash(project)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    state = tree_hash(project)

    def small_files() -> None:  # every write past 100 kB fails (EFBIG): a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    done = subprocess.run(
        [sys.executable, "-m", "wizard", "--no-color", "undo", "--yes"], cwd=project,
        capture_output=True, text=True, preexec_fn=small_files, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "pyproject.toml: cannot restore: File too large; nothing was undone" in done.stderr
    assert tree_hash(project) == state  # .env and the others put back as written
    assert not [p for p in project.rglob("*") if p.name.endswith((".tmp", "-tmp"))]
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert _theirs(project) == original


def test_an_empty_versions_folder_gets_its_gitkeep_again(tmp_path: Path) -> None:
    """A versions folder left empty (an undo killed between deleting the files it created
    and removing their folders, or a user who deleted `.gitkeep`) is a folder git does not
    keep. The re-run writes `.gitkeep` again, as a first setup does, so the result is the
    complete setup."""
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    keep = project / "migrations" / "versions" / ".gitkeep"
    keep.unlink()
    again = wizard("--yes", "--no-verify", cwd=project)
    assert again.returncode == 0, again.stderr
    assert keep.is_file()
    assert wizard("--yes", "--no-verify", "--dry-run", cwd=project).returncode == 0
