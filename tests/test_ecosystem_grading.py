"""The grading of benchmarks/ecosystem.py on a made-up entry: in-process, no git, no wizard."""

from __future__ import annotations

import importlib.util
import sys
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
