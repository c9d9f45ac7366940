"""The planner on projects built in memory: it reads no file, every output parses, and a
second plan on its own output is empty (the no-op twin)."""

from __future__ import annotations

import builtins
import io
from pathlib import Path

import pytest

from memory_project import ROOT, after_apply, memory_answers, memory_project, memory_target
from wizard.plan import build
from wizard.plan.render import render

URLS = [
    "postgresql+asyncpg://shop:S3cr%40t@db.internal:5432/shop?ssl=require",
    "mysql+asyncmy://shop:pw@db:3306/shop?charset=utf8mb4",
    "sqlite+aiosqlite:///./shop.db",
]


def _warm_context() -> dict[str, object]:
    project = memory_project(URLS[0])
    answers = memory_answers(project)
    from wizard.plan.migrations import env_context

    folder = ROOT / "migrations"
    return env_context(answers, memory_target(project, answers), folder, ROOT)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("url", URLS, ids=["postgresql", "mysql", "sqlite"])
def test_build_reads_no_file_and_its_second_plan_is_empty(url: str, mode: str) -> None:
    project = memory_project(url)
    answers = memory_answers(project, mode="async" if mode == "async" else "sync")
    target = memory_target(project, answers)
    assert not ROOT.exists()
    with pytest.MonkeyPatch.context() as patch:
        _guard(patch)
        plan = build(project, answers, target)
    written = {c.path.relative_to(ROOT).as_posix(): c.action for c in plan.changes}
    expected = {
        "migrations/env.py": "create",
        "alembic.ini": "create",
        "migrations/script.py.mako": "create",
        "migrations/versions/.gitkeep": "create",
        "pyproject.toml": "modify",
    }
    if mode == "sync":
        expected |= {".env": "modify", "shop/config.py": "modify"}
    assert written == expected
    after = after_apply(project, plan.changes)
    again = build(after, memory_answers(after, mode=answers.mode), target)
    assert [c.path for c in again.pending] == []


def _guard(patch: pytest.MonkeyPatch) -> None:
    import libcst  # noqa: F401
    import tomlkit  # noqa: F401
    from dotenv import dotenv_values  # noqa: F401

    render("env.py.j2", **_warm_context())
    render(
        "alembic.ini.j2",
        script_location="m",
        prepend_sys_path=".",
        sync_env_key="K",
        mode="sync",
    )
    render("script.py.mako", sqlmodel=False)

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError(f"the planner touched the disk: {args[:1]}")

    for name in ("read_text", "read_bytes", "open", "exists", "is_file", "is_dir", "stat"):
        patch.setattr(Path, name, refuse)
    patch.setattr(builtins, "open", refuse)
    patch.setattr(io, "open", refuse)


def test_the_disk_guard_itself_catches_a_read() -> None:
    with pytest.MonkeyPatch.context() as patch:
        _guard(patch)
        with pytest.raises(AssertionError, match="touched the disk"):
            Path(__file__).read_text()


def test_sync_plan_puts_the_derived_url_after_the_apps(tmp_path: Path) -> None:
    project = memory_project(URLS[0])
    answers = memory_answers(project)
    plan = build(project, answers, memory_target(project, answers))
    env = next(c for c in plan.changes if c.path.name == ".env")
    assert env.after == (
        "# the app's database\n"
        "DATABASE_URL=postgresql+asyncpg://shop:S3cr%40t@db.internal:5432/shop?ssl=require\n"
        "DATABASE_URL_SYNC=postgresql+psycopg://shop:S3cr%40t@db.internal:5432/shop?sslmode=require\n"
    )
    settings = next(c for c in plan.changes if c.path.name == "config.py")
    assert "    database_url: str\n    database_url_sync: str | None = None\n" in settings.after
    assert "S3cr@t" in plan.secrets


def test_async_plan_leaves_env_and_settings_alone() -> None:
    project = memory_project(URLS[0])
    answers = memory_answers(project, mode="async")
    plan = build(project, answers, memory_target(project, answers))
    assert {c.path.name for c in plan.changes}.isdisjoint({".env", "config.py"})
    env_py = next(c for c in plan.changes if c.path.name == "env.py").after
    assert "async_engine_from_config" in env_py and "asyncio.run(" in env_py


def test_an_existing_ini_is_edited_in_place() -> None:
    ini = "[alembic]\nscript_location = old\nsqlalchemy.url = postgresql://u:p@h/db\n# mine\n"
    project = memory_project(URLS[0], files={ROOT / "alembic.ini": ini})
    answers = memory_answers(project)
    plan = build(project, answers, memory_target(project, answers))
    change = next(c for c in plan.changes if c.path.name == "alembic.ini")
    assert change.after == (
        "[alembic]\nprepend_sys_path = .\npath_separator = os\n"
        "script_location = %(here)s/migrations\n# mine\n"
    )


USERS_HOOK = """\

def include_name(name, type_, parent_names):
    return type_ != "schema" or name in (None, "billing", "audit")
"""


def test_models_in_named_schemas_get_the_schema_filter_once_and_a_users_own_is_kept() -> None:
    from dataclasses import replace

    project = replace(memory_project(URLS[0]), schemas=True)
    answers = memory_answers(project)
    target = memory_target(project, answers)
    plan = build(project, answers, target)
    env_py = next(c for c in plan.changes if c.path.name == "env.py")
    assert env_py.after.count("include_schemas=True,") == 1
    assert "        include_name=include_models_schemas,\n" in env_py.after
    # on PostgreSQL one hook completes new revisions: the schemas first, the enum types' drops
    assert "        process_revision_directives=complete_downgrades,\n" in env_py.after
    assert "    create_models_schemas(migration_context, revision, directives)\n" in env_py.after
    after = after_apply(project, plan.changes)
    assert list(build(after, memory_answers(after), target).pending) == []  # the no-op twin

    # an env.py with its own include_name: kept, with its include_schemas; ours is not added
    users = env_py.after.replace("include_name=include_models_schemas", "include_name=include_name")
    users = users.replace("\ndef configure(", USERS_HOOK + "\n\ndef configure(", 1)
    path = env_py.path
    mine = replace(after, files={**after.files, path: users})
    again = next(c for c in build(mine, memory_answers(mine), target).changes if c.path == path)
    assert "include_models_schemas" not in again.after
    assert again.after.count("include_name=include_name,") == 1
    assert again.after.count("include_schemas=True,") == 1
    assert 'name in (None, "billing", "audit")' in again.after
    assert again.after.count("process_revision_directives=complete_downgrades,") == 1
