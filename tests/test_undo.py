"""`alembic-wizard undo` puts back what the last apply changed, byte for byte."""

from __future__ import annotations

from pathlib import Path

from conftest import copy_project, tree_hash, wizard


def test_undo_restores_every_file_byte_for_byte(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    env = repo / ".env"
    env.write_bytes(env.read_bytes().replace(b"\n", b"\r\n"))  # CRLF must survive the round trip
    env.chmod(0o600)
    before = tree_hash(repo)
    done = wizard("--yes", "--no-verify", "--project", str(repo / "backend"))
    assert done.returncode == 0, done.stderr
    assert tree_hash(repo) != before
    undone = wizard("undo", "--project", str(repo / "backend"))
    assert undone.returncode == 0, undone.stderr
    assert "restore  migrations/env.py" in undone.stderr
    after = {
        k: v for k, v in tree_hash(repo).items() if not k.startswith("backend/.alembic-wizard/")
    }
    assert after == before  # contents and modes, the .env outside the project folder too
    again = wizard("undo", "--project", str(repo / "backend"))
    assert again.returncode == 2 and "nothing to undo" in again.stderr


def test_undo_refuses_a_file_edited_since(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text() + "# my edit\n")
    state = tree_hash(project)
    done = wizard("undo", cwd=project)
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
