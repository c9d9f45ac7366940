"""Symlinked files: the wizard edits what the link leads to and keeps the link (as it always
did for `.env`); undo restores the target. A link out of the project is followed only when
the user says so."""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from conftest import alembic, copy_project, tree_hash, wizard, wizard_process
from wizard.cli import main

LINKED = (
    "alembic.ini",
    "migrations/env.py",
    "src/notes/settings.py",
    "pyproject.toml",
    ".gitignore",
)


def _link_to(target: Path, link: Path) -> None:
    link.symlink_to(os.path.relpath(target, link.parent))


def _linked_project(tmp_path: Path) -> Path:
    """sqlite_app with an Alembic setup of its own, each file the wizard edits moved into
    `shared/` and linked back."""
    project = copy_project("sqlite_app", tmp_path)
    (project / ".gitignore").write_text("__pycache__/\n")
    alembic("init", "migrations", cwd=project)
    for name in LINKED:
        target = project / "shared" / name.replace("/", "_")
        target.parent.mkdir(exist_ok=True)
        (project / name).rename(target)
        _link_to(target, project / name)
    return project


def test_links_stay_links_their_targets_are_edited_and_undo_restores_them(
    tmp_path: Path,
) -> None:
    project = _linked_project(tmp_path)
    before = tree_hash(project)  # what every link leads to, byte for byte
    done = wizard("--yes", "--no-verify", cwd=project)
    assert done.returncode == 0, done.stderr
    after = tree_hash(project)
    for name in LINKED:
        assert (project / name).is_symlink(), name
        assert after[name] != before[name], name  # the target was edited
    assert "database_url_sync" in (project / "shared/src_notes_settings.py").read_text()
    assert sorted(p.name for p in (project / "shared").iterdir()) == sorted(
        n.replace("/", "_") for n in LINKED
    )  # no temp file left beside the targets
    undone = wizard("undo", "--yes", cwd=project)
    assert undone.returncode == 0, undone.stderr
    assert all((project / name).is_symlink() for name in LINKED)
    assert {k: v for k, v in tree_hash(project).items() if not k.startswith(".alembic")} == before


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    tmp_path.mkdir(exist_ok=True)
    project = copy_project("sqlite_app", tmp_path)
    shared = tmp_path / "elsewhere" / "pyproject.toml"
    shared.parent.mkdir()
    (project / "pyproject.toml").rename(shared)
    (project / "pyproject.toml").symlink_to(shared)
    return project, shared


def test_a_link_out_of_the_project_is_refused_without_a_yes(tmp_path: Path) -> None:
    project, shared = _outside(tmp_path)
    before = tree_hash(tmp_path)
    refused = wizard("--yes", "--no-verify", cwd=project)
    assert refused.returncode == 2
    assert (
        f"error: pyproject.toml: a link to {shared}, outside the project; nothing was written"
        in refused.stderr
    )
    assert "hint: pass --follow-outside" in refused.stderr
    assert tree_hash(tmp_path) == before  # not even .alembic-wizard/


def test_follow_outside_edits_the_target_and_undo_restores_it(tmp_path: Path) -> None:
    project, shared = _outside(tmp_path)
    original = shared.read_bytes()
    done = wizard("--yes", "--no-verify", "--follow-outside", cwd=project)
    assert done.returncode == 0, done.stderr
    assert (project / "pyproject.toml").is_symlink()
    assert b'"alembic>=1.13",' in shared.read_bytes()
    assert sorted(p.name for p in shared.parent.iterdir()) == ["pyproject.toml"]
    assert wizard("undo", "--yes", "--follow-outside", cwd=project).returncode == 0
    assert (project / "pyproject.toml").is_symlink() and shared.read_bytes() == original


def test_an_env_file_linked_out_of_the_project_asks_like_any_other_link(tmp_path: Path) -> None:
    """`.env` is read at the link's target (as the app reads it): the refusal must see the link
    all the same (it used to write a secrets file outside the project without asking)."""
    project = copy_project("sqlite_app", tmp_path)
    shared = tmp_path / "secrets" / "notes.env"
    shared.parent.mkdir()
    (project / ".env").rename(shared)
    (project / ".env").symlink_to(shared)
    before = tree_hash(tmp_path)
    refused = wizard("--yes", "--no-verify", cwd=project)
    assert refused.returncode == 2
    assert f"error: .env: a link to {shared}, outside the project" in refused.stderr
    assert tree_hash(tmp_path) == before
    done = wizard("--yes", "--no-verify", "--follow-outside", cwd=project)
    assert done.returncode == 0, done.stderr
    assert (project / ".env").is_symlink()
    assert "DATABASE_URL_SYNC=" in shared.read_text()
    assert sorted(p.name for p in shared.parent.iterdir()) == ["notes.env"]
    assert wizard("undo", "--yes", "--follow-outside", cwd=project).returncode == 0
    assert {k: v for k, v in tree_hash(tmp_path).items() if ".alembic-wizard" not in k} == {
        k: v for k, v in before.items() if ".alembic-wizard" not in k
    }


ANSWERS = ("--mode", "sync", "--migrations", "migrations", "--add-deps")  # no question but ours


def _answer(keys: str, project: Path) -> int:
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        with create_app_session(input=pipe, output=DummyOutput()):
            argv = ["--no-color", "--no-verify", "--project", str(project), *ANSWERS]
            return main(argv, interactive=True)


def test_the_prompt_asks_before_following_a_link_out_of_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = "\r"  # the model modules, all of them; the others are answered by flags
    project, shared = _outside(tmp_path / "no")
    before = tree_hash(tmp_path / "no")
    assert _answer(questions + "n", project) == 2  # no to the link: nothing is written
    assert "outside the project; nothing was written" in capsys.readouterr().err
    assert tree_hash(tmp_path / "no") == before
    project, shared = _outside(tmp_path / "yes")
    assert _answer(questions + "y" + "y", project) == 0  # yes to the link, yes to write
    assert (project / "pyproject.toml").is_symlink()
    assert b'"alembic>=1.13",' in shared.read_bytes()


SHM = Path("/dev/shm")


@pytest.mark.skipif(
    not SHM.is_dir() or SHM.stat().st_dev == Path(tempfile.gettempdir()).stat().st_dev,
    reason="needs /dev/shm on another filesystem than the temp folder",
)
def test_a_target_on_another_filesystem_gets_its_temp_file_beside_it_cleaned_after_a_kill(
    tmp_path: Path,
) -> None:
    elsewhere = Path(tempfile.mkdtemp(dir=SHM))
    try:
        reference = copy_project("sqlite_app", tmp_path / "reference")
        project = copy_project("sqlite_app", tmp_path)
        for top in (reference, project):
            shared = elsewhere / top.parent.name / "pyproject.toml"
            shared.parent.mkdir()
            shutil.move(top / "pyproject.toml", shared)
            (top / "pyproject.toml").symlink_to(shared)
        assert wizard("--yes", "--no-verify", "--follow-outside", cwd=reference).returncode == 0
        manifest = json.loads(
            next(reference.glob(".alembic-wizard/backup-*/manifest.json")).read_text()
        )
        (index,) = [i for i, e in enumerate(manifest["files"]) if e["tmp"]]  # only that one
        shared = elsewhere / tmp_path.name / "pyproject.toml"
        original = shared.read_bytes()
        env = {**os.environ, "ALEMBIC_WIZARD_TEST_KILL_AT": f"replace:{index + 1}"}
        killed = wizard_process("--yes", "--no-verify", "--follow-outside", cwd=project, env=env)
        assert killed.returncode == -signal.SIGKILL
        beside = shared.with_name(".pyproject.toml.alembic-wizard-tmp")
        assert beside.is_file() and shared.read_bytes() == original  # the kill came before it
        again = wizard("--yes", "--no-verify", "--follow-outside", cwd=project)
        assert again.returncode == 0, again.stderr
        assert sorted(p.name for p in shared.parent.iterdir()) == ["pyproject.toml"]
        assert shared.read_bytes() == (elsewhere / "reference" / "pyproject.toml").read_bytes()
        assert wizard("undo", "--yes", "--follow-outside", cwd=project).returncode == 0
        assert (project / "pyproject.toml").is_symlink() and shared.read_bytes() == original
    finally:
        shutil.rmtree(elsewhere)
