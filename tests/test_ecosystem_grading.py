"""The grading of benchmarks/ecosystem.py on a made-up entry: in-process, no git, no wizard."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "ecosystem.py"


@pytest.fixture(scope="module")
def eco() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ecosystem_check", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


ENTRY = {
    "repo": "someone/shop",
    "commit": "0" * 40,
    "project": ".",
    "python": "3.11",
    "tags": ["fastapi"],
    "expected": {
        "setup": True,
        "dialect": "postgresql",
        "async_driver": "asyncpg",
        "source": "field",
        "source_where": "src/shop/config.py:Settings.DATABASE_URL",
        "env_key": "DATABASE_URL",
        "env_file": ".env",
        "tables": ["billing.invoice", "user"],
        "metadata": "shop.models.Base.metadata",
        "model_modules": ["shop.models.user", "shop.models.invoice"],
        "existing_alembic": "none",
        "alembic_ini": "alembic.ini",
    },
}

INSPECT = {
    "metadata": [
        {
            "name": "shop.models.base.Base.metadata",
            "tables": [
                {"name": "user", "module": "shop.models.user", "line": 5, "class": "User"},
                {"name": "invoice", "module": "shop.models.invoice", "line": 5, "class": "I"},
            ],
        }
    ],
    "urls": [
        {
            "url": "shop.config.Settings.DATABASE_URL",
            "kind": "field",
            "env_key": "DATABASE_URL",
            "sync_key": "DATABASE_URL_SYNC",
        }
    ],
    "env_files": [{"path": ".env", "example": False, "keys": ["DATABASE_URL"]}],
}

ENV_PY = """
import importlib
from shop.models.base import Base
MODEL_MODULES = (
    "shop.models.user",
    "shop.models.invoice",
)
for _module in MODEL_MODULES:
    importlib.import_module(_module)
target_metadata = Base.metadata
SYNC_DRIVERNAME = "postgresql+psycopg"
"""

ENV = (
    "DATABASE_URL=postgresql+asyncpg://app:s3cret@db/shop\n"
    "DATABASE_URL_SYNC=postgresql+psycopg://app:s3cret@db/shop\n"
)


def run(eco: ModuleType, code: int, report: dict) -> object:
    return eco.Run(("wizard",), code, report, "", "", 0.1)


def observed(eco: ModuleType, **changes: object) -> object:
    setup = {"changes": [{"action": "create", "path": "migrations/env.py"}], "written": True}
    rerun = {"changes": [{"action": "identical", "path": "migrations/env.py"}]}
    outputs = eco.Outputs(
        env_py=ENV_PY, env_files={".env": ENV}, configs={"alembic.ini": "[alembic]\n"}
    )
    values = {
        "setup": run(eco, 0, setup),
        "inspect": INSPECT,
        "outputs": outputs,
        "rerun": run(eco, 0, rerun),
    }
    values.update(changes)
    return eco.Observed(**values)


def verdicts(eco: ModuleType, entry: dict, seen: object) -> dict[str, bool | None]:
    return {c.name: c.ok for c in eco.grade(eco.parse_entry(entry), seen)}


def test_a_correct_setup_passes_every_criterion(eco: ModuleType) -> None:
    result = verdicts(eco, ENTRY, observed(eco))
    assert result.pop("verify") is None  # the made-up run reported no verification
    assert all(result.values()), result
    assert list(result) == [n for n in eco.ORDER if n in result]


def test_missing_tables_and_models_are_named(eco: ModuleType) -> None:
    entry = {**ENTRY, "expected": {**ENTRY["expected"], "tables": ["user", "cart"]}}
    entry["expected"]["model_modules"] = ["shop.models.user", "shop.cart"]
    checks = {c.name: c for c in eco.grade(eco.parse_entry(entry), observed(eco))}
    assert checks["tables"].ok is False
    assert checks["tables"].detail == "missing cart; extra invoice"
    assert checks["models"].detail == "not imported: shop.cart"


def test_an_error_fails_exit_with_the_wizards_message(eco: ModuleType) -> None:
    error = {"error": {"message": "several database URL candidates: a, b\nmore"}}
    seen = observed(eco, setup=run(eco, 2, error), wrote=False, rerun=None)
    checks = eco.grade(eco.parse_entry(ENTRY), seen)
    first = eco.failing(checks)[0]
    assert (first.name, first.detail) == ("exit", "several database URL candidates: a, b")
    assert {c.name for c in checks if c.ok is None} >= {"metadata", "dialect", "rerun"}


def test_missing_project_dependencies_do_not_fail(eco: ModuleType) -> None:
    report = {
        "changes": [],
        "verification": [{"name": "packages installed", "status": "fail", "detail": "x"}],
    }
    seen = observed(eco, setup=run(eco, 1, report), deps_missing="packages installed: x")
    result = verdicts(eco, ENTRY, seen)
    assert result["exit"] is True and result["verify"] is None


def test_deps_missing_tells_the_projects_own_module_apart(eco: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "src" / "shop").mkdir(parents=True)
    rung = {"name": "env.py imports", "status": "fail"}

    def missing(module: str) -> str:
        detail = f"ModuleNotFoundError: No module named '{module}' (migrations/env.py:3)"
        report = {"verification": [{**rung, "detail": detail}]}
        return eco.deps_missing(run(eco, 1, report), tmp_path, {"prepend_sys_path": "src"})

    assert missing("fastapi_users.db")
    assert missing("shop.models") == ""


def test_sync_url_dialect_and_source_rules(eco: ModuleType) -> None:
    derived = eco.Outputs(env_py='SYNC_DRIVERNAME = "mysql+pymysql"\n', env_files={})
    assert eco.grade_sync_url(derived, INSPECT).ok is True
    assert eco.grade_dialect(eco.Expected(dialect="mariadb"), derived, INSPECT).ok is True
    # SQLite's sync driver is the dialect's default: a bare name, set as a value, not prose
    sqlite = eco.Outputs(
        env_py='"""Runs through sqlite."""\nSYNC_DRIVERNAME = "sqlite"\n', env_files={}
    )
    assert eco.grade_sync_url(sqlite, INSPECT).ok is True
    assert eco.grade_dialect(eco.Expected(dialect="sqlite"), sqlite, INSPECT).ok is True
    prose = eco.Outputs(env_py='"""sqlite"""\n', env_files={})
    assert eco.grade_sync_url(prose, {}).ok is False
    assert eco.grade_sync_url(eco.Outputs(env_py=None, env_files={}), {}).ok is False  # none
    nothing = eco.Outputs(env_py='SYNC_DRIVERNAME = "postgresql+asyncpg"\n', env_files={})
    assert eco.grade_sync_url(nothing, {}).ok is False
    exp = eco.Expected(source="constant", source_where="app/db.py:engine")
    literal = {"urls": [{"url": "the URL written in app.db (line 4)", "kind": "literal"}]}
    assert eco.grade_source(exp, literal).ok is True
    computed = {"urls": [{"url": "other.Settings.dsn", "kind": "computed"}]}
    assert eco.grade_source(exp, computed).detail.startswith("kind, file and attribute")


def test_refusal_and_credentials(eco: ModuleType) -> None:
    entry = {**ENTRY, "expected": {"setup": False}}
    refused = run(eco, 2, {"error": {"message": "the app is not async: no async engine"}})
    assert all(verdicts(eco, entry, observed(eco, setup=refused)).values())
    set_up = verdicts(eco, entry, observed(eco, work_tree=("alembic.ini",)))
    assert set_up == {"refusal": False, "unchanged": False}
    ini = "[alembic]\n# sqlalchemy.url = driver://user:pass@localhost/db\n"
    assert eco.grade_credentials(eco.Outputs(configs={"alembic.ini": ini})).ok is True
    ini += "sqlalchemy.url = postgresql://u:hunter2@h/db\n"
    check = eco.grade_credentials(eco.Outputs(configs={"alembic.ini": ini}))
    assert check.ok is False and "hunter2" not in check.detail
    assert eco.mask("postgresql+asyncpg://u:p%40ss@h/db") == "postgresql+asyncpg://u:***@h/db"


def test_poetry_versions(eco: ModuleType) -> None:
    assert eco.poetry_version("^1.2.3") == ">=1.2.3,<2"
    assert eco.poetry_version("^0.4") == ">=0.4,<0.5"
    assert eco.poetry_version("~2.1") == ">=2.1,<2.2"
    assert eco.poetry_version("2.0.1") == "==2.0.1"
    assert eco.poetry_req("pydantic", {"version": "^2", "extras": ["email"]}) == (
        "pydantic[email]>=2,<3"
    )


def test_the_venv_python_is_the_entrys_else_the_nearest_the_wizard_runs(
    eco: ModuleType,
) -> None:
    pythons = {v: Path(f"/py/{v}/bin/python3") for v in ("2.7", "3.9", "3.10", "3.12", "3.13")}
    assert eco.choose_python("3.12", pythons) == (pythons["3.12"], "3.12", "")
    python, used, note = eco.choose_python("3.9", pythons)  # installed, but the probe needs 3.10
    assert (python, used) == (pythons["3.10"], "3.10") and "needs >= 3.10" in note
    assert eco.choose_python("3.14", pythons)[1] == "3.13"
    assert eco.choose_python("3.11", pythons)[1] == "3.12"  # a tie: the newer
    assert eco.choose_python("3.11", {"3.9": pythons["3.9"]})[0] is None


def test_a_failed_install_marks_the_result_line(eco: ModuleType) -> None:
    entry = eco.parse_entry(ENTRY)
    deps = eco.Deps(Path("/v"), False, "asyncpg==0.22.0: Failed to build `asyncpg==0.22.0`")
    failed = eco.Result(entry, checks=[eco.Check("exit", False, "boom")], deps=deps)
    assert eco.verdict_line(failed) == (
        "FAIL someone/shop: exit: boom "
        "(deps: install failed: asyncpg==0.22.0: Failed to build `asyncpg==0.22.0`)"
    )
    passed = eco.Result(
        entry, checks=[eco.Check("exit", True)], deps=eco.Deps(Path("/v"), True, "")
    )
    assert eco.verdict_line(passed) == "PASS someone/shop"
    lines = eco.summary([failed, passed], e2e=False)
    assert "project dependencies installed: 1 of 2 (install failed: someone/shop)" in lines


def test_install_errors_are_told_in_one_line(eco: ModuleType) -> None:
    uv = "Using Python 3.12.1\n  × Failed to build `asyncpg==0.22.0`\n  ╰─▶ exit status 1\n"
    assert eco.install_error(uv) == "Failed to build `asyncpg==0.22.0`"
    uv = "  × No solution found when resolving dependencies:\n  ╰─▶ Because aiogram==9 ...\n"
    assert (
        eco.install_error(uv)
        == "No solution found when resolving dependencies: Because aiogram==9 ..."
    )
    pip = "Collecting x\nERROR: No matching distribution found for x==9\n"
    assert eco.install_error(pip) == "No matching distribution found for x==9"


def test_the_install_plan_looks_from_the_project_up_to_the_root(
    eco: ModuleType, tmp_path: Path
) -> None:
    project = tmp_path / "backend" / "bot" / "src"
    project.mkdir(parents=True)
    (tmp_path / "backend" / "bot" / "requirements.txt").write_text("aiogram\n")
    (tmp_path / "requirements-dev.txt").write_text("pytest\n")
    assert eco.install_plan(project, tmp_path) == [(["-r", "requirements.txt"], project.parent)]
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["sqlalchemy"]\n'
    )
    assert eco.install_plan(project, tmp_path) == [(["sqlalchemy"], project)]


def test_a_finished_venv_is_reused(eco: ModuleType, tmp_path: Path, monkeypatch) -> None:
    import argparse

    entry = eco.parse_entry(ENTRY)
    monkeypatch.setattr(eco, "choose_python", lambda v: (Path("/py"), "3.11", ""))
    venv = eco.venv_path(entry, "abcdef1234", "3.11", tmp_path)
    (venv / "bin").mkdir(parents=True)
    marker = {"ok": True, "detail": "-r requirements.txt", "method": eco.INSTALL_METHOD}
    (venv / eco.MARKER).write_text(json.dumps(marker))
    opts = argparse.Namespace(venvs=tmp_path, reinstall=False, install_timeout=1)
    log = eco.Log(tmp_path / "log")
    deps = eco.ensure_venv(entry, tmp_path, "abcdef1234", log, opts, eco.Progress(1))
    assert (deps.venv, deps.ok, deps.cached) == (venv, True, True)
    assert venv.name == "someone+shop-abcdef12-py3.11"
    (venv / eco.MARKER).write_text(json.dumps({**marker, "method": 1}))  # an older install
    assert eco.read_marker(venv) is None


def test_pipfile_packages(eco: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text(
        '[packages]\nfastapi = "*"\ntoml = "==0.10.2"\n'
        'uvicorn = {version = ">=0.20", extras = ["standard"]}\nlib = {git = "https://x"}\n'
    )
    assert eco.install_plan(tmp_path, tmp_path) == [
        (["fastapi", "toml==0.10.2", "uvicorn[standard]>=0.20"], tmp_path)
    ]


def test_a_failed_steps_message_is_the_exception(eco: ModuleType) -> None:
    pydantic = (
        'Traceback (most recent call last):\n  File "x.py", line 1\n'
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings\n"
        "MAIL_PORT\n  Input should be a valid integer [type=int_parsing]\n"
        "    For further information visit https://errors.pydantic.dev/2.8/v/int_parsing\n"
    )
    assert eco.failure_line(pydantic) == (
        "ValidationError: 1 validation error for Settings: MAIL_PORT"
    )
    assert eco.failure_line("boom\nModuleNotFoundError: No module named 'app'\n") == (
        "ModuleNotFoundError: No module named 'app'"
    )
    assert eco.failure_line("FAILED: x\nlast words\n") == "last words"


def test_e2e_points_the_app_at_the_database_lines_a_template_comments_out(
    eco: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / ".env.dist").write_text(
        "BOT_TOKEN=x\nAPP_DB_PORT = 5432\n#POSTGRES_USER=someone\n# DB_HOST=pg_database\n"
        "# REDIS_DB=1\n# the database: set DB_NAME below\n"
    )
    keys = eco.template_keys(tmp_path, eco.Expected(template=".env.dist"))
    assert keys == ["BOT_TOKEN", "POSTGRES_USER", "DB_HOST", "REDIS_DB", "APP_DB_PORT"]
    entry = eco.parse_entry({**ENTRY, "expected": {**ENTRY["expected"], "env_key": ""}})
    log = eco.Log(tmp_path / "log.txt")
    run = eco.E2E(
        replace(entry, expected=replace(entry.expected, template=".env.dist")), tmp_path, log
    )
    (tmp_path / "e2e").mkdir()
    (tmp_path / "e2e" / ".env.dist").write_text((tmp_path / ".env.dist").read_text())
    database = eco.Database("postgresql", "eco_shop", log, url="postgresql+asyncpg://postgres@h/x")
    assert eco.app_env(run, database) == {
        "POSTGRES_USER": "postgres",
        "DB_HOST": "127.0.0.1",
        "APP_DB_PORT": "5432",
    }


def test_e2e_writes_the_env_file_the_entry_names(eco: ModuleType, tmp_path: Path) -> None:
    entry = eco.parse_entry({**ENTRY, "e2e": {"env_file": ".env.test"}})
    assert entry.e2e_env_file == ".env.test"
    log = eco.Log(tmp_path / "log.txt")
    run = eco.E2E(entry, tmp_path, log)
    (tmp_path / "e2e").mkdir()
    database = eco.Database("postgresql", "eco_shop", log, url="postgresql+asyncpg://p@h/x")
    assert eco.point_app_at(run, database) == ["DATABASE_URL"]
    assert (
        tmp_path / "e2e" / ".env.test"
    ).read_text() == "DATABASE_URL=postgresql+asyncpg://p@h/x\n"
    assert not (tmp_path / "e2e" / ".env").exists()


def test_e2e_sets_dotted_keys_in_a_toml_config_made_from_its_template(
    eco: ModuleType, tmp_path: Path
) -> None:
    """[e2e] config: the app's config.toml, copied from config.toml.example as a new user
    does, gets the database's values, each in its TOML type (the port stays an int); the
    TOML template is never copied to .env, nor its keys read as env keys."""
    entry = eco.parse_entry(
        {
            **ENTRY,
            "expected": {**ENTRY["expected"], "env_key": "", "template": "config.toml.example"},
            "e2e": {
                "config": {
                    "config.toml": {
                        "database.host": "{host}",
                        "database.port": "{port}",
                        "database.user": "{user}",
                        "database.name": "{database}",
                        "database.debug": "false",
                        "cache.url": "{url}",
                    }
                }
            },
        }
    )
    project = tmp_path / "e2e"
    project.mkdir()
    (project / "config.toml.example").write_text(
        '[database]\n# where\nhost = "db"\nport = 5433\nuser = "<user>"\nname = "<name>"\n'
        "debug = true\n"
    )
    run = eco.E2E(entry, tmp_path, eco.Log(tmp_path / "log.txt"))
    database = eco.Database("postgresql", "eco_shop", run.log, url="postgresql+asyncpg://p@h/x")
    keys = eco.point_app_at(run, database)
    assert keys[0] == "config.toml:database.host" and len(keys) == 6
    text = (project / "config.toml").read_text()
    assert text == (
        '[database]\n# where\nhost = "127.0.0.1"\nport = 5432\nuser = "postgres"\n'
        'name = "eco_shop"\ndebug = false\n\n[cache]\nurl = "postgresql+asyncpg://p@h/x"\n'
    )
    assert not (project / ".env").exists() and run.app_env == {}
    assert eco.made_from("config.toml.example") == "config.toml"
    assert eco.made_from(".env.example") is None and eco.made_from("app.env.dist") is None
    assert eco.e2e_skip(replace(entry, expected=replace(entry.expected, source="constant"))) == ""
