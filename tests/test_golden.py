"""The rendered files, per mode and dialect, compared with tests/golden/: a template change
shows up here as a diff to review. `pytest --update-golden` rewrites them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from memory_project import memory_answers, memory_project, memory_target
from wizard.change import Change
from wizard.inspection.source import UrlSource
from wizard.plan import build
from wizard.plan.render import render

GOLDEN = Path(__file__).parent / "golden"
CASES = {
    "sync-postgresql-asyncpg": ("postgresql+asyncpg://u:p@db/shop?ssl=require", "sync"),
    "sync-postgresql-psycopg": ("postgresql+psycopg://u:p@db/shop", "sync"),
    "sync-mysql-asyncmy": ("mysql+asyncmy://u:p@db/shop?charset=utf8mb4", "sync"),
    "sync-mariadb-aiomysql": ("mariadb+aiomysql://u:p@db/shop", "sync"),
    "sync-sqlite-aiosqlite": ("sqlite+aiosqlite:///./shop.db", "sync"),
    "sync-mssql-aioodbc": ("mssql+aioodbc://u:p@db/shop?driver=ODBC+Driver+18", "sync"),
    "sync-oracle-oracledb_async": ("oracle+oracledb_async://u:p@db/?service_name=X", "sync"),
    "async-postgresql-asyncpg": ("postgresql+asyncpg://u:p@db/shop", "async"),
    "async-mysql-aiomysql": ("mysql+aiomysql://u:p@db/shop", "async"),
    "async-sqlite-aiosqlite": ("sqlite+aiosqlite:///./shop.db", "async"),
}
# the app reads $DATABASE_URL when its config module is imported and loads no env file itself
ENVIRON = UrlSource(
    "environ", "shop.config.DATABASE_URL ($DATABASE_URL)", None, "DATABASE_URL",
    "DATABASE_URL_SYNC", "app_database_url",
    ("from shop.config import DATABASE_URL as app_database_url",),
)  # fmt: skip


def _compare(name: str, text: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"no golden file {name}: run pytest --update-golden and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def _planned(url: str, mode: str, source: UrlSource | None = None) -> dict[str, Change]:
    project = memory_project(url)
    answers = memory_answers(project, mode="async" if mode == "async" else "sync")
    answers = replace(answers, source=source) if source else answers
    plan = build(project, answers, memory_target(project, answers))
    return {c.path.name: c for c in plan.changes}


@pytest.mark.parametrize("case", list(CASES))
def test_env_py(case: str, update_golden: bool) -> None:
    url, mode = CASES[case]
    _compare(f"env.py-{case}.py", _planned(url, mode)["env.py"].after, update_golden)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_env_py_loading_the_env_file_first(mode: str, update_golden: bool) -> None:
    url = CASES[f"{mode}-sqlite-aiosqlite"][0]
    after = _planned(url, mode, ENVIRON)["env.py"].after
    _compare(f"env.py-{mode}-sqlite-aiosqlite-environ.py", after, update_golden)
    # the env file is loaded before the app's config module and the models are imported
    loaded = after.index("\nload_env_file(")
    assert loaded < after.index("\nfrom shop.config import") < after.index("\nMODEL_MODULES")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_alembic_ini(mode: str, update_golden: bool) -> None:
    after = _planned(CASES[f"{mode}-postgresql-asyncpg"][0], mode)["alembic.ini"].after
    _compare(f"alembic.ini-{mode}", after, update_golden)
    # an empty section hides [[tool.alembic.post_write_hooks]] from Alembic (get_hooks_list)
    assert "[post_write_hooks]" not in after


@pytest.mark.parametrize("sqlmodel", [False, True], ids=["sqlalchemy", "sqlmodel"])
def test_script_py_mako(sqlmodel: bool, update_golden: bool) -> None:
    name = "script.py.mako-" + ("sqlmodel" if sqlmodel else "sqlalchemy")
    _compare(name, render("script.py.mako", sqlmodel=sqlmodel), update_golden)


def test_every_golden_file_is_still_produced() -> None:
    expected = {f"env.py-{c}.py" for c in CASES} | {"alembic.ini-sync", "alembic.ini-async"}
    expected |= {f"env.py-{m}-sqlite-aiosqlite-environ.py" for m in ("sync", "async")}
    expected |= {"script.py.mako-sqlalchemy", "script.py.mako-sqlmodel"}
    assert {p.name for p in GOLDEN.iterdir()} == expected
