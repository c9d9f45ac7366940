"""Where real repositories keep their code: namespace packages, a stray `src/__init__.py`,
Alembic inside `src/`, several candidate import roots, and the code that is not the app's
(tests, docs, examples, vendored packages, virtualenvs, revision scripts)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import alembic, copy_project, wizard


def _tree(top: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text(text)
    return top


def _inspect(project: Path) -> dict[str, object]:
    done = wizard("inspect", "--json", "--project", str(project))
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    return data


def _tables(data: dict[str, object]) -> dict[str, str]:
    """table name -> module, over every metadata."""
    metas = data["metadata"]
    assert isinstance(metas, list)
    return {t["name"]: t["module"] for m in metas for t in m["tables"]}


def _model_modules(env_py: Path) -> list[str]:
    text = env_py.read_text()
    block = text.split("MODEL_MODULES = (", 1)[1].split(")", 1)[0]
    return [line.strip().strip('",') for line in block.splitlines() if line.strip()]


def _sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("select name from sqlite_master where type = 'table'").fetchall()
    return {r[0] for r in rows} - {"alembic_version"}


def _migrate(folder: Path) -> str:
    """Real Alembic: autogenerate the first revision, apply it; the revision's text."""
    alembic("revision", "--autogenerate", "-m", "create tables", cwd=folder)
    alembic("upgrade", "head", cwd=folder)
    versions = next(folder.glob("*/versions"))
    return "\n".join(p.read_text() for p in sorted(versions.glob("*.py")))


def test_top_level_namespace_package(tmp_path: Path) -> None:
    project = copy_project("layout_namespace_app", tmp_path)  # shop/ has no __init__.py
    data = _inspect(project)
    assert (data["root"], data["prepend_sys_path"]) == (".", ".")
    assert _tables(data) == {
        "products": "shop.catalog.models",
        "orders": "shop.orders.models",
        "order_lines": "shop.orders.models",
    }
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "ok  tables: 3 tables in target_metadata" in done.stdout
    env_py = project / "migrations/env.py"
    assert _model_modules(env_py) == ["shop.catalog.models", "shop.orders.models"]
    assert "from shop.core.db import Base" in env_py.read_text()
    _migrate(project)
    assert _sqlite_tables(project / "shop.db") == {"products", "orders", "order_lines"}
    again = wizard("--yes", "--no-db", cwd=project)
    assert "nothing to change" in again.stderr, again.stderr


def test_no_init_file_anywhere(tmp_path: Path) -> None:
    project = copy_project("layout_real_namespace_package", tmp_path)
    data = _inspect(project)
    assert data["prepend_sys_path"] == "."
    assert _tables(data) == {"devices": "service.db.models", "readings": "service.db.models"}
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert _model_modules(project / "migrations/env.py") == ["service.db.models"]


def test_stray_src_init_with_alembic_and_env_inside_src(tmp_path: Path) -> None:
    """`src/__init__.py` is left over; the app imports itself as `api.*` and runs (with its
    Alembic setup in `src/db_migrations`) from `src/`."""
    project = copy_project("layout_src_alembic_inside", tmp_path)
    revision = project / "src/db_migrations/versions/3f2a91c0d7b4_legacy_slugs.py"
    before = revision.read_bytes()
    data = _inspect(project)
    assert (data["root"], data["prepend_sys_path"], data["alembic_ini"]) == (
        "src", ".", "src/alembic.ini")  # fmt: skip
    assert _tables(data) == {"articles": "api.models.article", "authors": "api.models.author"}
    assert [e["path"] for e in data["env_files"]] == ["src/.env"]  # type: ignore[union-attr]

    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert not (project / "alembic.ini").exists() and not (project / "migrations").exists()
    env_py = (project / "src/db_migrations/env.py").read_text()
    assert "from api.db import Base" in env_py and "src.api" not in env_py
    assert "DATABASE_URL_SYNC=sqlite:///./api.db" in (project / "src/.env").read_text()
    assert revision.read_bytes() == before  # versions/ is never touched
    assert "[tool.alembic-wizard]" in (project / "pyproject.toml").read_text()  # the repo's own
    assert not (project / "src/.alembic-wizard.toml").exists()
    again = wizard("--yes", "--no-db", cwd=project)
    assert "nothing to change" in again.stderr, again.stderr

    alembic("upgrade", "head", cwd=project / "src")  # the existing revision first
    script = _migrate(project / "src")
    assert "create_table('authors'" in script and "create_table('articles'" in script
    assert {"authors", "articles"} <= _sqlite_tables(project / "src/api.db")


def test_stray_src_init_beside_a_root_level_setup(tmp_path: Path) -> None:
    """The same stray file, but the project (pyproject, .env) lives at the repository root:
    Alembic runs there with `src` on sys.path."""
    project = copy_project("layout_real_src_stray_init", tmp_path)
    data = _inspect(project)
    assert (data["root"], data["prepend_sys_path"]) == (".", "src")
    assert set(_tables(data).values()) == {"app.models"}
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "prepend_sys_path = src" in (project / "alembic.ini").read_text()
    _migrate(project)
    assert _sqlite_tables(project / "meetups.db") == {"events", "attendees"}


def test_src_is_the_package_when_the_app_imports_it_so(tmp_path: Path) -> None:
    project = _tree(tmp_path, {
        "pyproject.toml": "[project]\nname = 'svc'\nversion = '1'\n",
        "src/__init__.py": "",
        "src/db/__init__.py": "",
        "src/db/base.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "src/billing/__init__.py": "",
        "src/billing/invoice.py": (
            "from sqlalchemy.orm import Mapped, mapped_column\nfrom src.db.base import Base\n"
            "class Invoice(Base):\n    __tablename__ = 'invoices'\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        ),
    })  # fmt: skip
    data = _inspect(project)
    assert (data["root"], data["prepend_sys_path"]) == (".", ".")
    assert _tables(data) == {"invoices": "src.billing.invoice"}


def test_the_apps_own_imports_outvote_a_script(tmp_path: Path) -> None:
    """Code at the repository root imports `backend.app`, the app imports `app`: the app is
    imported as `app` with `backend/` on sys.path."""
    model = (
        "from sqlalchemy.orm import Mapped, mapped_column\nfrom app.db import Base\n"
        "class {cls}(Base):\n    __tablename__ = '{table}'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    )
    project = _tree(tmp_path, {
        "backend/pyproject.toml": "[project]\nname = 'api'\nversion = '1'\n",
        "backend/app/__init__.py": "",
        "backend/app/db.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "backend/app/users.py": model.format(cls="User", table="users"),
        "backend/app/teams.py": model.format(cls="Team", table="teams"),
        "backend/scripts/seed.py": "from app.users import User\nrows: list[Mapped[int]] = []\n",
        "tasks.py": "from backend.app.db import Base\nschema: Mapped[int]\n",
    })  # fmt: skip
    data = _inspect(project)
    assert (data["root"], data["prepend_sys_path"]) == ("backend", ".")
    assert _tables(data) == {"teams": "app.teams", "users": "app.users"}


def test_a_folder_name_with_a_hyphen_is_an_import_root(tmp_path: Path) -> None:
    project = _tree(tmp_path, {
        "services/billing-api/pyproject.toml": "[project]\nname = 'billing'\nversion = '1'\n",
        "services/billing-api/billing/__init__.py": "",
        "services/billing-api/billing/models.py": (
            "from sqlmodel import Field, SQLModel\n"
            "class Charge(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
        ),
    })  # fmt: skip
    data = _inspect(project)
    assert (data["root"], data["prepend_sys_path"]) == ("services/billing-api", ".")
    assert _tables(data) == {"charge": "billing.models"}


def test_two_applications_in_one_tree_is_a_clear_refusal(tmp_path: Path) -> None:
    app = {
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "app/models.py": (
            "from sqlalchemy.orm import Mapped, mapped_column\nfrom app.db import Base\n"
            "class Row(Base):\n    __tablename__ = 'rows'\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        ),
    }  # fmt: skip
    project = _tree(tmp_path, {f"services/{svc}/{name}": text
                               for svc in ("orders", "users") for name, text in app.items()})  # fmt: skip
    done = wizard("--yes", "--dry-run", "--project", str(project))
    assert done.returncode == 2
    assert "models live under several import roots: services/orders, services/users" in done.stderr
    assert "--project services/orders" in done.stderr


def test_tests_docs_examples_vendored_code_and_revisions_never_count(tmp_path: Path) -> None:
    """Tables in tests (a folder, `test_*.py`, `*_test.py`, conftest.py), docs, examples,
    node_modules, a virtualenv under any name and Alembic revision scripts (under any folder)
    are not the app's: env.py imports only the app's model modules."""
    project = copy_project("layout_not_app_code", tmp_path)
    data = _inspect(project)
    assert _tables(data) == {
        "items": "inventory.models.item",
        "stock_levels": "inventory.models.stock",
    }
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    modules = _model_modules(project / "migrations/env.py")
    assert modules == ["inventory.models.item", "inventory.models.stock"]
    script = _migrate(project)
    assert script.count("op.create_table(") == 2
    assert _sqlite_tables(project / "inventory.db") == {"items", "stock_levels"}


def test_a_docs_feature_inside_the_app_is_the_apps(tmp_path: Path) -> None:
    """`docs/` beside pyproject.toml is documentation; `app/docs/` is a feature of the app."""
    model = (
        "from sqlalchemy.orm import Mapped, mapped_column\nfrom app.db import Base\n"
        "class {cls}(Base):\n    __tablename__ = '{table}'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    )
    project = _tree(tmp_path, {
        "pyproject.toml": "[project]\nname = 'dms'\nversion = '1'\n",
        "app/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "app/docs/__init__.py": "",
        "app/docs/models.py": model.format(cls="Document", table="documents"),
        "app/tests/test_docs.py": model.format(cls="Scratch", table="scratch"),
        "docs/howto/extend.py": model.format(cls="Extra", table="extras"),
    })  # fmt: skip
    assert _tables(_inspect(project)) == {"documents": "app.docs.models"}


def test_test_models_and_a_test_engine_are_not_the_apps(tmp_path: Path) -> None:
    project = copy_project("layout_real_tests_models", tmp_path)
    assert _tables(_inspect(project)) == {"authors": "library.models", "books": "library.models"}


def test_helper_modules_are_never_parsed(tmp_path: Path) -> None:
    """Services that mention SQLAlchemy and call helpers with two arguments (the shape that
    made inspection parse every helper): neither is read beyond its bytes."""
    from wizard.inspection import inspect

    files = {
        "app/__init__.py": "",
        "app/helpers/__init__.py": "",
        "app/services/__init__.py": "",
        "app/db.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "app/models.py": (
            "from sqlalchemy.orm import Mapped, mapped_column\nfrom app.db import Base\n"
            "class Row(Base):\n    __tablename__ = 'rows'\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        ),
    }  # fmt: skip
    for i in range(30):
        files[f"app/helpers/h{i}.py"] = f"def shorten(text, size):\n    return text[:size]  # {i}\n"
        files[f"app/services/s{i}.py"] = (
            "from sqlalchemy import select\nfrom sqlalchemy.ext.asyncio import AsyncSession\n"
            f"from app.helpers.h{i} import shorten\nfrom app.models import Row\n\n"
            "async def titles(session: AsyncSession) -> list[str]:\n"
            "    rows = await session.scalars(select(Row))\n"
            "    return [shorten(str(r.id), 80) for r in rows]\n"
        )
    project = inspect(_tree(tmp_path, files))
    assert [t.name for t in project.tables] == ["rows"]
    read = set(project.module_paths)
    assert not {m for m in read if m.startswith(("app.helpers.", "app.services."))}, sorted(read)


def test_a_file_this_python_cannot_parse_still_votes_with_its_import_lines(
    tmp_path: Path,
) -> None:
    """Namespace folders above the models, whose only absolute import is in a file written
    for a newer Python (PEP 701 f-strings on a 3.11 wizard): its import lines still say
    where the import root is, else the models would be named from their packages alone."""
    from wizard.inspection.scan import scan

    project = _tree(
        tmp_path,
        {
            "bot/backend/db/__init__.py": "",
            "bot/backend/db/models.py": (
                "from .base import Base\nfrom sqlalchemy import Column, Integer\n\n"
                "class File(Base):\n    __tablename__ = 'files'\n"
                "    id = Column(Integer, primary_key=True)\n"
            ),
            "bot/backend/db/base.py": "from sqlalchemy.orm import DeclarativeBase\n"
            "class Base(DeclarativeBase):\n    pass\n",
            "migrations/env.py": (
                "from alembic import context\n"
                "from bot.backend.db.models import File, Base  # noqa: E402\n"
                "url = f'{'not parsed by this Python'}' +\n"
            ),
        },
    )
    tree = scan(project)
    models = next(m for m in tree.modules.values() if m.path.name == "models.py")
    assert (models.name, models.root) == ("bot.backend.db.models", project)


def test_when_no_parsed_file_names_a_root_the_files_read_past_do(tmp_path: Path) -> None:
    """`src/` without an `__init__.py`, models that import each other relatively, and the
    only absolute imports (`from src.profiles.models import Profile`) in files the scan
    reads past (routes): those lines still say the project folder is the import root."""
    from wizard.inspection.scan import scan
    from wizard.inspection.words import can_matter, models_only

    project = _tree(
        tmp_path,
        {
            "src/profiles/__init__.py": "",
            "src/profiles/models.py": (
                "from .base import Base\nfrom sqlalchemy import Column, Integer\n\n"
                "class Profile(Base):\n    __tablename__ = 'profiles'\n"
                "    id = Column(Integer, primary_key=True)\n"
            ),
            "src/profiles/base.py": "from sqlalchemy.orm import DeclarativeBase\n"
            "class Base(DeclarativeBase):\n    pass\n",
            "src/profiles/routes.py": "from src.profiles.models import Profile\n\n"
            "def show(profile_id: int) -> str:\n    return str(profile_id)\n",
        },
    )
    tree = scan(project, prefilter=can_matter, skimmable=models_only)
    assert any(name.endswith("routes.py") for name, _ in tree.unparsed)  # read past
    models = next(m for m in tree.modules.values() if m.path.name == "models.py")
    assert (models.name, models.root) == ("src.profiles.models", project)
