"""A cloned repository may ship its own `.alembic-wizard/`: links where the wizard's folders
and files belong, apply records that name files outside the project. Nothing of it is
trusted as a path: each case below is a real symlink or a crafted record on the real file
system, and after the run the files inside and outside the project are byte for byte as
they were, and the one error line names what was refused."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import copy_project, tree_hash, wizard

OURS = ".alembic-wizard"
RECORD = f"{OURS}/backup-0001-20240101-000000"
SHIPPED = b"echo pwned\n"  # the bytes a hostile record would restore


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _setting(tmp_path: Path) -> tuple[Path, Path]:
    """sqlite_app, and a folder beside it (outside the project) holding files."""
    project = copy_project("sqlite_app", tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_bytes(b"the user's own file\n")
    (outside / "notes").mkdir()
    (outside / "notes/todo.md").write_bytes(b"- keep me\n")
    return project, outside


def _record(project: Path, files: list[dict[str, object]], journal: str = "begun\n") -> Path:
    """A crafted apply record, cut short (no `applied` in its journal) unless told."""
    folder = project / RECORD
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"seq": 1, "files": files, "dirs": []}))
    (folder / "journal").write_text(journal)
    return folder


def _unchanged(project: Path, outside: Path, *args: str) -> str:
    """Run the wizard; it must exit 2 with one error line and leave both trees as they
    were. The error line."""
    before = (tree_hash(project), tree_hash(outside))
    done = wizard(*args, cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr, done.stderr
    assert (tree_hash(project), tree_hash(outside)) == before
    return errors[0]


RUNS = [("undo", "--yes"), ("--yes", "--no-verify"), ()]  # () : no terminal, no --yes


@pytest.mark.parametrize("args", RUNS, ids=["undo", "setup --yes", "setup, no terminal"])
def test_a_tmp_folder_that_is_a_link_out_is_never_cleared(tmp_path: Path, args: tuple[str]) -> None:
    project, outside = _setting(tmp_path)
    (project / OURS).mkdir()
    (project / OURS / "tmp").symlink_to(outside)
    line = _unchanged(project, outside, *args)
    if args == ():  # asked nothing (no terminal) before the lock: the question is refused
        assert "no terminal" in line, line
        return
    assert line.startswith(f"error: {OURS}/tmp: a symlink, where the wizard keeps its own")
    assert sorted(p.name for p in outside.iterdir()) == ["notes", "victim.txt"]


@pytest.mark.parametrize("args", RUNS, ids=["undo", "setup --yes", "setup, no terminal"])
def test_a_record_whose_temp_file_is_an_absolute_path_is_refused(
    tmp_path: Path, args: tuple[str]
) -> None:
    project, outside = _setting(tmp_path)
    target = project / "pyproject.toml"  # a real file of the project; its hash matches
    entry = {"path": "pyproject.toml", "backup": "pyproject.toml", "before": _sha(SHIPPED),
             "after": _sha(target.read_bytes()), "tmp": str(outside / "victim.txt")}  # fmt: skip
    (_record(project, [entry]) / "pyproject.toml").write_bytes(SHIPPED)
    line = _unchanged(project, outside, *args)
    assert line.startswith(f"error: {RECORD}: this apply record cannot be trusted: for ")
    assert f"its temp file `{outside / 'victim.txt'}` is not the one beside it" in line


@pytest.mark.parametrize("args", RUNS, ids=["undo", "setup --yes", "setup, no terminal"])
@pytest.mark.parametrize("shipped", [True, False], ids=["overwrite", "delete"])
def test_a_record_naming_a_file_above_the_project_is_refused(
    tmp_path: Path, args: tuple[str], shipped: bool
) -> None:
    """`../outside/victim.txt` with its hash: restored from bytes inside the record
    (overwrite), or deleted as a file the apply created."""
    project, outside = _setting(tmp_path)
    victim = outside / "victim.txt"
    entry = {"path": "../outside/victim.txt", "backup": "victim.txt" if shipped else None,
             "before": _sha(SHIPPED) if shipped else None, "after": _sha(victim.read_bytes())}  # fmt: skip
    folder = _record(project, [entry])
    if shipped:
        (folder / "victim.txt").write_bytes(SHIPPED)
    line = _unchanged(project, outside, *args)
    assert line.startswith(f"error: {RECORD}: this apply record cannot be trusted: it names ")
    assert "`../outside/victim.txt`, a path that climbs out of the project (`..`)" in line
    assert victim.read_bytes() == b"the user's own file\n"


def test_a_record_naming_an_absolute_path_or_a_link_out_is_refused(tmp_path: Path) -> None:
    project, outside = _setting(tmp_path)
    victim = outside / "victim.txt"
    (project / "docs").mkdir()
    (project / "docs/victim.txt").symlink_to(victim)  # a link inside, leading out
    for name, says in ((str(victim), "an absolute path"), ("docs/victim.txt", "a link out of")):
        entry = {"path": name, "backup": None, "before": None, "after": _sha(victim.read_bytes())}
        _record(project, [entry], journal="begun\napplied\n")  # a finished apply: undo's
        line = _unchanged(project, outside, "undo", "--yes")
        assert f"error: {RECORD}: this apply record cannot be trusted: it names `{name}`" in line
        assert says in line, line
        for path in sorted((project / RECORD).iterdir()):
            path.unlink()
        (project / RECORD).rmdir()


def test_a_backup_that_is_a_link_out_is_never_restored(tmp_path: Path) -> None:
    """The target is inside the project; its "backup" leads to a file outside (its bytes
    would be copied in)."""
    project, outside = _setting(tmp_path)
    target = project / "pyproject.toml"
    victim = outside / "victim.txt"
    entry = {"path": "pyproject.toml", "backup": "pyproject.toml", "before": _sha(victim.read_bytes()),
             "after": _sha(target.read_bytes())}  # fmt: skip
    (_record(project, [entry]) / "pyproject.toml").symlink_to(victim)
    line = _unchanged(project, outside, "--yes", "--no-verify")
    assert "for `pyproject.toml`: its backup `pyproject.toml` is a symlink" in line


def test_a_record_folder_that_is_a_link_out_is_refused(tmp_path: Path) -> None:
    project, outside = _setting(tmp_path)
    victim = outside / "victim.txt"
    entry = {"path": "pyproject.toml", "backup": None, "before": None,
             "after": _sha((project / "pyproject.toml").read_bytes())}  # fmt: skip
    (outside / "manifest.json").write_text(json.dumps({"seq": 1, "files": [entry], "dirs": []}))
    (outside / "journal").write_text("begun\n")
    (project / OURS).mkdir()
    (project / RECORD).symlink_to(outside)
    line = _unchanged(project, outside, "undo", "--yes")
    assert line.startswith(f"error: {RECORD}: this apply record cannot be trusted: ")
    assert "is a symlink" in line and victim.is_file()


@pytest.mark.parametrize("name", [".gitignore", "lock"])
def test_the_wizards_own_files_are_never_written_through_a_link(tmp_path: Path, name: str) -> None:
    project, outside = _setting(tmp_path)
    (project / OURS).mkdir()
    (project / OURS / name).symlink_to(outside / "victim.txt")
    line = _unchanged(project, outside, "--yes", "--no-verify")
    assert line.startswith(f"error: {OURS}/{name}: a symlink, where the wizard keeps its own file")


def test_the_wizards_folder_itself_as_a_link_out_is_refused(tmp_path: Path) -> None:
    project, outside = _setting(tmp_path)
    (project / OURS).symlink_to(outside)
    for args in (("undo",), ("--yes", "--no-verify")):
        line = _unchanged(project, outside, *args)
        assert line.startswith(f"error: {OURS}: a symlink, where the wizard keeps its own folder")


def test_a_written_copy_that_is_a_link_out_is_never_written_through(tmp_path: Path) -> None:
    """`written/` holds the wizard's copy of env.py as last written; a link there would take
    the new env.py's bytes out of the project."""
    project, outside = _setting(tmp_path)
    copies = project / OURS / "written/migrations"
    copies.mkdir(parents=True)
    (copies / "env.py").symlink_to(outside / "victim.txt")
    line = _unchanged(project, outside, "--yes", "--no-verify")
    assert line.startswith(f"error: {OURS}/written/migrations/env.py: a symlink, where the wizard")


def test_a_written_folder_that_is_a_link_out_is_refused(tmp_path: Path) -> None:
    project, outside = _setting(tmp_path)
    (project / OURS).mkdir()
    (project / OURS / "written").symlink_to(outside)
    line = _unchanged(project, outside, "--yes", "--no-verify")
    assert line.startswith(f"error: {OURS}/written: a symlink, where the wizard keeps its own")


def test_a_record_that_passes_the_checks_is_still_rolled_back(tmp_path: Path) -> None:
    """The twin of the refusals: a crafted cut-short record naming only a plain file inside
    the project is acted on as before (the backup put back, the record removed)."""
    project, _ = _setting(tmp_path)
    target = project / "pyproject.toml"
    original = target.read_bytes()
    target.write_bytes(original + b"# written by the apply\n")
    entry = {"path": "pyproject.toml", "backup": "pyproject.toml", "before": _sha(original),
             "after": _sha(target.read_bytes())}  # fmt: skip
    (_record(project, [entry]) / "pyproject.toml").write_bytes(original)
    done = wizard("--yes", "--no-verify", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "an apply was cut short (backup-0001-20240101-000000)" in done.stderr
    assert not (project / RECORD).exists()
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert target.read_bytes() == original


def test_a_file_above_alembic_ini_but_inside_the_folder_given_is_the_projects(
    tmp_path: Path,
) -> None:
    """pg_app keeps `.env` above `backend/` (where alembic.ini and `.alembic-wizard/` are):
    `../.env` lies outside the project when `--project backend` is given, inside it when
    the repository is (as the apply itself draws the line for links)."""
    repo = copy_project("pg_app", tmp_path)
    before = tree_hash(repo)
    assert wizard("--yes", "--no-verify", "--project", str(repo)).returncode == 0
    written = tree_hash(repo)
    refused = wizard("undo", "--yes", "--project", str(repo / "backend"))
    assert refused.returncode == 2 and "it names `../.env`, a path that climbs" in refused.stderr
    assert tree_hash(repo) == written
    undone = wizard("undo", "--yes", "--project", str(repo))
    assert undone.returncode == 0, undone.stderr
    ours = "backend/.alembic-wizard/"
    assert {k: v for k, v in tree_hash(repo).items() if not k.startswith(ours)} == before
