"""`alembic-wizard guard`: the migration test (pytest-alembic, run for real on a generated
project), the CI workflow, the pre-commit entry and the formatter hook; planned, shown,
applied atomically, undone."""

from __future__ import annotations

import configparser
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from conftest import alembic, copy_project, run, set_env_line, tree_hash, wizard
from wizard.guard import formatter, precommit

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{}"


def _pytest(project: Path, env: dict[str, str]) -> str:
    done = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "tests/test_migrations.py",
               cwd=project, env={**os.environ, **env})  # fmt: skip
    return done.stdout + done.stderr


@contextlib.contextmanager
def _test_database(name: str) -> Iterator[str]:
    """A second throwaway database beside the development one."""
    import psycopg

    admin = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_URL.format(name)
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_guard_on_postgresql_pytest_alembic_passes_on_a_test_database(
    tmp_path: Path, pg_database: str
) -> None:
    """Sync mode: the fixture hands pytest-alembic an Engine on $TEST_DATABASE_URL_SYNC."""
    project = copy_project("pg_app", tmp_path)
    (project / "backend/pyproject.toml").write_text(
        (project / "backend/pyproject.toml").read_text() + "\n[tool.ruff]\nline-length = 100\n"
    )
    set_env_line(project / ".env", "DATABASE_URL", f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}")  # fmt: skip
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    before = tree_hash(project)
    assert wizard("guard", "--yes", "--dry-run", cwd=project).returncode == 0
    assert tree_hash(project) == before

    done = wizard("guard", "--yes", cwd=project)
    assert done.returncode == 0, done.stderr
    backend = project / "backend"
    for line in ("create  backend/tests/test_migrations.py",
                 "create  .github/workflows/migrations.yml", "create  .pre-commit-config.yaml",
                 "modify  backend/alembic.ini"):  # fmt: skip
        assert line in done.stderr
    assert 'test "$(alembic heads | wc -l)" -le 1' in done.stderr  # the commands for other CI
    ini = configparser.ConfigParser()
    ini.read(backend / "alembic.ini")
    assert ini["post_write_hooks"]["hooks"] == "ruff"
    assert ini["post_write_hooks"]["ruff.options"] == "format REVISION_SCRIPT_FILENAME"

    alembic("revision", "--autogenerate", "-m", "create tables", cwd=backend)
    with _test_database(f"{pg_database}_test") as test_url:
        out = _pytest(backend, {"TEST_DATABASE_URL_SYNC": test_url})
    assert "4 passed" in out, out  # single head, upgrade, models match, up/down consistency
    # the development database (DATABASE_URL in ../.env, the sync URL derived) is refused
    refused = _pytest(backend, {"TEST_DATABASE_URL_SYNC": PG_URL.format(pg_database)})
    assert "TEST_DATABASE_URL_SYNC names the database in DATABASE_URL" in refused, refused
    skipped = _pytest(backend, {})
    assert (
        "set TEST_DATABASE_URL_SYNC to an empty test database" in skipped and "4 skipped" in skipped
    )


def test_guard_on_sqlite_is_undoable_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    before = tree_hash(project)
    done = wizard("guard", "--yes", "--rails", "test,ci,pre-commit,format", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "no ruff or black configuration found: no post_write_hooks entry" in done.stderr
    out = _pytest(project, {"PYTHONPATH": "src"})  # a fresh SQLite file, no variable needed
    assert "4 passed" in out, out

    workflow = yaml.safe_load((project / ".github/workflows/migrations.yml").read_text())
    job = workflow["jobs"]["migrations"]
    assert "services" not in job  # SQLite needs no server
    assert job["env"]["NOTES_DATABASE_URL_SYNC"] == "sqlite:///ci-app.db"
    steps = [s.get("run", "") for s in job["steps"]]
    assert "alembic upgrade head && alembic check" in steps
    assert not any("alembic-wizard" in s for s in steps)  # not declared: not installable in CI
    hooks = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert hooks["repos"][0]["hooks"][0]["entry"] == "alembic-wizard doctor"

    again = tree_hash(project)
    second = wizard("guard", "--yes", cwd=project)
    assert "nothing to change" in second.stderr and tree_hash(project) == again
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    restored = {k: v for k, v in tree_hash(project).items() if not k.startswith(".alembic-wizard/")}
    assert restored == {k: v for k, v in before.items() if not k.startswith(".alembic-wizard/")}


@pytest.mark.parametrize(
    ("lock", "setup", "install", "run"),
    [("uv.lock", "astral-sh/setup-uv@v6", "uv sync && uv pip install 'alembic>=1.13'", "uv run "),
     ("poetry.lock", None, "pipx install poetry && poetry install && poetry run python -m pip "
      "install 'alembic>=1.13'", "poetry run ")],
)  # fmt: skip
def test_the_workflow_installs_and_runs_through_the_projects_manager(
    tmp_path: Path, lock: str, setup: str | None, install: str, run: str
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    (project / lock).write_text("")  # the manager is told by its lock file
    with (project / "pyproject.toml").open("a") as f:  # the wizard comes with the lock's dev group
        f.write('\n[dependency-groups]\ndev = ["alembic-wizard"]\n')
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    done = wizard("guard", "--yes", "--rails", "ci,test", cwd=project)
    assert done.returncode == 0, done.stderr
    steps = yaml.safe_load((project / ".github/workflows/migrations.yml").read_text())["jobs"][
        "migrations"
    ]["steps"]
    assert [s["uses"] for s in steps if "uses" in s] == [
        "actions/checkout@v4", "actions/setup-python@v5", *([setup] if setup else [])
    ]  # fmt: skip
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[0].startswith(install) and "-e ." not in runs[0] and "wizard" not in runs[0]
    assert runs[1:] == [
        f"{run}alembic-wizard doctor",
        f'test "$({run}alembic heads | wc -l)" -le 1',
        f"{run}python -m pytest tests/test_migrations.py",
        f"{run}alembic upgrade head && {run}alembic check",
    ]


@pytest.mark.postgres
def test_the_workflow_for_postgresql_has_a_service_and_a_test_database(tmp_path: Path) -> None:
    project = copy_project("pg_app", tmp_path)
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    assert wizard("guard", "--yes", "--rails", "ci,test", cwd=project).returncode == 0
    job = yaml.safe_load((project / ".github/workflows/migrations.yml").read_text())["jobs"][
        "migrations"
    ]
    assert job["services"]["database"]["image"] == "postgres:16"
    assert job["defaults"]["run"]["working-directory"] == "backend"
    assert job["env"] == {
        "POSTGRES_LOG_LEVEL": "info",  # what .env.example gives the app at import
        "SECRET_KEY": "changeme",
        "DATABASE_URL": "postgresql+asyncpg://postgres:postgres@127.0.0.1:5432/app",
        "DATABASE_URL_SYNC": "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/app",
        "TEST_DATABASE_URL_SYNC": "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/app_test",
    }
    runs = [s.get("run", "") for s in job["steps"]]
    assert "python -m pytest tests/test_migrations.py" in runs
    assert any("create database app_test" in r for r in runs)
    assert not (project / ".pre-commit-config.yaml").exists()


# --- the editors: before/after, and the no-op twin -------------------------------------

EXISTING = """\
# our hooks
repos:
- repo: https://github.com/astral-sh/ruff-pre-commit
  rev: v0.5.0
  hooks:
  - id: ruff

# trailing comment
ci:
  autofix_prs: false
"""


def test_pre_commit_entry_is_merged_into_repos_keeping_every_line() -> None:
    after = precommit.merged(EXISTING)
    assert after.startswith(EXISTING.split("\n\n# trailing")[0] + "\n- repo: local\n")
    assert after.endswith("\n# trailing comment\nci:\n  autofix_prs: false\n")
    loaded = yaml.safe_load(after)
    assert [r["repo"] for r in loaded["repos"]] == [
        "https://github.com/astral-sh/ruff-pre-commit",
        "local",
    ]
    assert loaded["repos"][1]["hooks"][0]["pass_filenames"] is False
    assert precommit.merged(after) == after  # no-op twin
    crlf = precommit.merged(EXISTING.replace("\n", "\r\n"))
    assert "\r\n- repo: local\r\n" in crlf and "\n" not in crlf.replace("\r\n", "")
    created = precommit.merged("", " --project backend")
    assert (
        yaml.safe_load(created)["repos"][0]["hooks"][0]["entry"]
        == "alembic-wizard doctor --project backend"
    )


def test_pre_commit_flow_list_is_refused() -> None:
    from wizard.errors import WizardError

    with pytest.raises(WizardError, match="written on one line"):
        precommit.merged("repos: []\n")


INI = "[alembic]\nscript_location = migrations\n\n[loggers]\nkeys = root\n"


def test_post_write_hook_in_alembic_ini_and_tool_alembic() -> None:
    after = formatter.in_ini(INI, "black")
    parsed = configparser.ConfigParser()
    parsed.read_string(after)
    assert dict(parsed["post_write_hooks"]) == {
        "hooks": "black", "black.type": "console_scripts", "black.entrypoint": "black",
        "black.options": "REVISION_SCRIPT_FILENAME",
    }  # fmt: skip
    assert after.index("[post_write_hooks]") < after.index("[loggers]")
    assert formatter.in_ini(after, "ruff") == after  # the user's hook is kept
    empty_section = INI.replace("[loggers]", "[post_write_hooks]\n# comment\n\n[loggers]")
    assert "[post_write_hooks]\nhooks = ruff\nruff.type = exec\n" in formatter.in_ini(
        empty_section, "ruff"
    )
    toml = '[project]\nname = "x"\n\n[tool.alembic]\nscript_location = "migrations"\n'
    import tomlkit

    hooks = tomlkit.parse(formatter.in_toml(toml, "ruff")).unwrap()["tool"]["alembic"][
        "post_write_hooks"
    ]
    assert hooks == [{"name": "ruff", "type": "exec", "executable": "ruff",
                      "options": "format REVISION_SCRIPT_FILENAME"}]  # fmt: skip
    assert formatter.in_toml(formatter.in_toml(toml, "ruff"), "black") == formatter.in_toml(
        toml, "ruff"
    )


@pytest.mark.parametrize(
    ("files", "found"),
    [
        ({"pyproject.toml": "[tool.ruff]\nline-length = 99\n"}, "ruff"),
        (
            {"pyproject.toml": "[tool.black]\n", ".pre-commit-config.yaml": "ruff-pre-commit"},
            "black",
        ),
        ({"ruff.toml": "line-length = 99\n"}, "ruff"),
        ({"pyproject.toml": '[dependency-groups]\ndev = ["black>=24"]\n'}, "black"),
        ({"pyproject.toml": '[project]\nname = "x"\n'}, None),
    ],
)
def test_the_formatter_the_project_uses(files: dict[str, str], found: str | None) -> None:
    root = Path("/p")
    snapshot: dict[Path, str | None] = {root / name: text for name, text in files.items()}
    assert formatter.detect(snapshot, root, root) == found


def test_setup_with_rails_adds_them_and_the_test_passes_in_async_mode(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    done = wizard("--yes", "--no-db", "--mode", "async", "--rails", "test", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "create  tests/test_migrations.py" in done.stderr
    assert "connection.run_sync(run_migrations_with)" in (project / "migrations/env.py").read_text()
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=project)
    out = _pytest(project, {"PYTHONPATH": "src"})  # env.py runs on the connection handed in
    assert "4 passed" in out, out


@pytest.mark.postgres
def test_the_migration_test_in_async_mode_on_postgresql(tmp_path: Path, pg_database: str) -> None:
    """Async mode: an AsyncEngine on $TEST_DATABASE_URL (asyncpg, the app's own driver)."""
    project = copy_project("pg_app", tmp_path)
    set_env_line(project / ".env", "DATABASE_URL", f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}")  # fmt: skip
    done = wizard("--yes", "--no-db", "--mode", "async", "--rails", "test", cwd=project)
    assert done.returncode == 0, done.stderr
    backend = project / "backend"
    assert "create_async_engine" in (backend / "tests/test_migrations.py").read_text()
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=backend)
    with _test_database(f"{pg_database}_test") as test_url:
        async_url = test_url.replace("+psycopg", "+asyncpg")
        out = _pytest(backend, {"TEST_DATABASE_URL": async_url})
    assert "4 passed" in out, out
    refused = _pytest(
        backend,
        {"TEST_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}"},
    )
    assert "TEST_DATABASE_URL names the database in DATABASE_URL" in refused, refused


def test_tool_alembic_gets_the_ruff_hook_and_alembic_runs_it(tmp_path: Path) -> None:
    project = copy_project("alembic_pyproject", tmp_path)  # [tool.alembic] and [tool.ruff]
    assert wizard("--yes", "--no-db", "--mode", "sync", cwd=project).returncode == 0
    done = wizard("guard", "--yes", "--rails", "format", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "modify  pyproject.toml" in done.stderr and not (project / "alembic.ini").exists()
    revision = alembic("revision", "-m", "empty", cwd=project)
    assert "Running post write hook 'ruff'" in revision.stdout + revision.stderr


def test_the_rails_checkbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from wizard.cli import main

    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    # untick the first two rails (test, ci); no naming convention; write: yes
    keys = " " + "\x1b[B" + " " + "\r" + "n" + "y"
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        with create_app_session(input=pipe, output=DummyOutput()):
            code = main(["--no-color", "guard", "--project", str(project)], interactive=True)
    out = capsys.readouterr()
    assert code == 0, out.err
    assert (project / ".pre-commit-config.yaml").is_file()
    assert not (project / "tests/test_migrations.py").exists()
    assert not (project / ".github").exists()
