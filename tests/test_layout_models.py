"""Models as real repositories write them: `Base` aliases (annotated or not, re-exported), and
model files in newer Python grammar than the wizard's, which are never silently left out."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_project, wizard

MODEL = (
    "from sqlalchemy.orm import Mapped, mapped_column\nfrom {source} import {name}\n"
    "class Thing({name}):\n    __tablename__ = 'things'\n"
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
)
ROOT_BASE = (
    "from sqlalchemy.orm import DeclarativeBase\nclass ModelBase(DeclarativeBase):\n    pass\n"
)

ALIASES = {
    "plain, same module": {
        "app/db.py": ROOT_BASE + "Base = ModelBase\n",
        "app/models.py": MODEL.format(source="app.db", name="Base"),
    },
    "annotated, re-exported by the package": {
        "app/db/__init__.py": "from app.db.base import Base\n",
        "app/db/base_class.py": ROOT_BASE,
        "app/db/base.py": (
            "from sqlalchemy.orm import DeclarativeBase\nfrom app.db.base_class import ModelBase\n"
            "Base: type[DeclarativeBase] = ModelBase\n"
        ),
        "app/models.py": MODEL.format(source="app.db", name="Base"),
    },
    "typing.Type annotation, star re-export": {
        "app/db/__init__.py": "from .base import *  # noqa: F403\n",
        "app/db/base.py": (
            "import typing\n" + ROOT_BASE + "Base: typing.Type[ModelBase] = ModelBase\n"
        ),
        "app/models.py": MODEL.format(source="app.db", name="Base"),
    },
    "attribute of a module, then an alias of the alias": {
        "app/db/__init__.py": "",
        "app/db/base_class.py": ROOT_BASE,
        "app/db/base.py": "from app.db import base_class\n_Model = base_class.ModelBase\nBase = _Model\n",
        "app/models.py": MODEL.format(source="app.db.base", name="Base"),
    },
    "alias of a declarative_base() result": {
        "app/db.py": "from sqlalchemy.orm import declarative_base\nModelBase = declarative_base()\nBase = ModelBase\n",
        "app/models.py": MODEL.format(source="app.db", name="Base"),
    },
}  # fmt: skip


def _tree(top: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text(text)
    return top


def _inspect(project: Path, *args: str) -> dict[str, object]:
    done = wizard("inspect", "--json", "--project", str(project), *args)
    assert done.returncode == 0, done.stderr
    data: dict[str, object] = json.loads(done.stdout)
    return data


def _tables(data: dict[str, object]) -> dict[str | None, tuple[str, str]]:
    """table name -> (module, metadata)."""
    metas = data["metadata"]
    assert isinstance(metas, list)
    return {t["name"]: (t["module"], m["name"]) for m in metas for t in m["tables"]}


@pytest.mark.parametrize("shape", ALIASES)
def test_an_alias_of_the_base_is_followed(tmp_path: Path, shape: str) -> None:
    project = _tree(tmp_path, {"app/__init__.py": "", **ALIASES[shape]})
    ((name, (module, metadata)),) = _tables(_inspect(project)).items()
    assert (name, module) == ("things", "app.models")
    assert metadata.endswith(".ModelBase.metadata"), metadata


def test_sqlmodel_under_another_name(tmp_path: Path) -> None:
    project = _tree(tmp_path, {
        "app/__init__.py": "",
        "app/base.py": "from sqlmodel import SQLModel\nModel = SQLModel\n",
        "app/models.py": (
            "from sqlmodel import Field\nfrom app.base import Model\n"
            "class Hero(Model, table=True):\n    id: int = Field(primary_key=True)\n"
        ),
    })  # fmt: skip
    assert _tables(_inspect(project)) == {"hero": ("app.models", "sqlmodel.SQLModel.metadata")}


@pytest.mark.parametrize("name", ["layout_real_base_alias", "layout_real_base_alias_plain"])
def test_alias_projects_are_set_up(tmp_path: Path, name: str) -> None:
    project = copy_project(name, tmp_path)
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "ok  tables:" in done.stdout


NEWER = {  # model modules of layout_newer_grammar that need a newer Python than 3.11
    "billing/models/order.py": (3, 12),  # `type Cents = int`, `def first[T](...)`
    "billing/models/ledger.py": (3, 12),  # `class LedgerEntry[K: dict[str, int]](Base)`
    "billing/models/refund.py": (3, 14),  # `except InvalidOperation, ValueError:`
}


def _parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes())
    except SyntaxError:
        return False
    return True


def test_model_files_in_newer_grammar_are_included_with_a_notice(tmp_path: Path) -> None:
    """No project interpreter that reads them: each is read without the statements that do
    not parse, listed in env.py, and named in a notice; nothing is silently dropped."""
    project = copy_project("layout_newer_grammar", tmp_path)
    unreadable = sorted(p for p in NEWER if not _parses(project / p))
    data = _inspect(project)
    tables = _tables(data)
    assert {"customers", "orders", "refunds", "refund_orders"} <= set(tables)
    said = data["notices"]
    assert isinstance(said, list)
    # the fixture asks for 3.14: that the Python found is older is said once, apart
    versions = [n for n in said if n.startswith("pyproject.toml requires Python >=3.14")]
    assert len(versions) == (sys.version_info < (3, 14))
    notices = [n for n in said if n not in versions]
    assert [n.split(" ")[0] for n in notices] == unreadable
    ours = f"Python {sys.version_info.major}.{sys.version_info.minor}"
    assert all(f"uses newer Python syntax than {ours}" in n for n in notices)
    if "billing/models/ledger.py" in unreadable:  # its class header itself does not parse
        assert tables[None] == ("billing.models.ledger", "billing.db.Base.metadata")
    done = wizard("--yes", "--no-verify", cwd=project)
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("note: ")] == [
        f"note: {n}" for n in said
    ]
    env_py = (project / "migrations/env.py").read_text()
    for module in ("customer", "ledger", "order", "refund"):
        assert f'"billing.models.{module}",' in env_py


def _newer_python() -> str | None:
    """An interpreter of 3.12 or later on this machine, if any (3.13 first: it reads 3.12's
    grammar but not 3.14's, so both outcomes are seen)."""
    pyenv = sorted(Path.home().glob(".pyenv/versions/3.1[2-9]*/bin/python3"), reverse=True)
    found = [shutil.which(f"python3.{minor}") for minor in (13, 12, 14)]
    for python in [*(str(p) for p in pyenv), *filter(None, found)]:
        check = [python, "-c", "import sys; print(sys.version_info >= (3, 12))"]
        done = subprocess.run(check, capture_output=True, text=True, check=False)
        if done.stdout.strip() == "True":
            return python
    return None


def test_the_projects_own_newer_python_reads_them_whole(tmp_path: Path) -> None:
    python = _newer_python()
    if python is None:
        pytest.skip("no Python >= 3.12 on this machine")
    project = copy_project("layout_newer_grammar", tmp_path)
    data = _inspect(project, "--python", python)
    tables = _tables(data)
    assert tables["ledger_entries"] == ("billing.models.ledger", "billing.db.Base.metadata")
    assert tables["orders"] == ("billing.models.order", "billing.db.Base.metadata")
    said = data["notices"]
    assert isinstance(said, list)
    notices = [n for n in said if not n.startswith("pyproject.toml requires Python")]
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info >= (3, 14))"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    if version == "True":
        assert notices == []
    else:  # PEP 758 is newer still: read in outline, and the notice says with what it failed
        (notice,) = notices
        assert notice.startswith("billing/models/refund.py does not parse with Python 3.")
        assert "nor with the project's Python 3.1" in notice
        assert "refunds" in tables


def test_a_newer_grammar_model_package_keeps_every_module(tmp_path: Path) -> None:
    project = copy_project("layout_real_newer_grammar_model", tmp_path)
    data = _inspect(project)
    assert _tables(data) == {
        "accounts": ("ledger.models.account", "ledger.db.Base.metadata"),
        "invoices": ("ledger.models.invoice", "ledger.db.Base.metadata"),
    }


def test_verification_names_a_model_module_env_py_leaves_out(tmp_path: Path) -> None:
    project = copy_project("layout_namespace_app", tmp_path)
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace('    "shop.orders.models",\n', ""))
    done = wizard("verify", "--no-db", cwd=project)
    assert done.returncode == 1
    assert "FAILED  tables: missing from target_metadata: orders, order_lines" in done.stdout
    assert "fix: import shop.orders.models in env.py" in done.stdout


def test_trees_from_a_newer_python_load_into_ours() -> None:
    """What a newer interpreter sends back (node types and fields this Python lacks) still
    becomes a tree the wizard reads: `type X = ...` is an assignment, unknown expressions are
    `...`, unknown fields are dropped."""
    from wizard.inspection.astjson import dump, load

    tree = dump(ast.parse("class Order(Base):\n    __tablename__ = 'orders'\n"))
    cls = tree["body"][0]
    cls["type_params"] = [{"_type": "TypeVar", "name": "T", "bound": None}]
    template = {"_type": "TemplateStr", "values": [], "lineno": 3, "col_offset": 4}
    cls["body"].append({"_type": "Expr", "value": template, "lineno": 3, "col_offset": 4})
    tree["body"].append({
        "_type": "TypeAlias", "name": {"_type": "Name", "id": "Cents", "ctx": {"_type": "Store"}},
        "type_params": [], "value": {"_type": "Name", "id": "int", "ctx": {"_type": "Load"}},
        "lineno": 4, "col_offset": 0, "end_lineno": 4, "end_col_offset": 16,
    })  # fmt: skip
    tree["body"].append({"_type": "FutureStatement", "lineno": 5, "col_offset": 0})
    module = load(tree)
    assert ast.unparse(module).splitlines() == [
        "class Order(Base):", "    __tablename__ = 'orders'", "    ...", "Cents = int", "pass"
    ]  # fmt: skip


def test_model_bodies_of_every_shape_are_read(tmp_path: Path) -> None:
    """Model modules are read without their columns and methods: whatever their bodies look
    like, the tables found are the same."""
    project = _tree(tmp_path, {
        "app/__init__.py": "",
        "app/db.py": (
            "from sqlalchemy.orm import DeclarativeBase, declared_attr\n"
            "class Base(DeclarativeBase):\n"
            "    @declared_attr.directive\n"
            "    def __tablename__(cls) -> str:\n"
            "        return cls.__name__.lower()\n"
        ),
        "app/models.py": (
            "from sqlalchemy import Index, String\n"
            "from sqlalchemy.orm import Mapped, mapped_column\n"
            "from sqlmodel import Field, SQLModel\n"
            "from app.db import Base\n\n"
            "class Stamped(Base):\n"
            "    __abstract__ = True\n"
            "    created: Mapped[int] = mapped_column(default=0)\n\n"
            "class Account(Stamped):\n"
            '    """An account.\n\n'
            "Continued at column 0, as some docstrings are.\n"
            '    """\n'
            "    __tablename__ = (\n"
            '        "accounts"\n'
            "    )\n"
            "    __table_args__ = (\n"
            '        Index("ix_accounts_name", "name"),\n'
            "    )\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    name: Mapped[str] = mapped_column(String(50))\n\n"
            "    class Meta:\n"
            "        ordering = ['name']\n\n"
            "    def __repr__(self) -> str:\n"
            "        return self.name\n\n"
            "class Invoice(Base):  # a name computed by the base\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n\n"
            "class Tag(Base): __tablename__ = 'tags'; id: Mapped[int] = mapped_column(primary_key=True)\n\n"
            "class Hero(\n"
            "    SQLModel,\n"
            "    table=True,\n"
            "):\n"
            "    id: int = Field(primary_key=True)\n"
        ),
    })  # fmt: skip
    found = {name: module for name, (module, _) in _tables(_inspect(project)).items()}
    # `invoice`: the name the base computes at run time, as the project's Python makes it
    assert found == {"accounts": "app.models", "invoice": "app.models", "tags": "app.models",
                     "hero": "app.models"}  # fmt: skip


def test_models_of_a_base_that_computes_table_names(tmp_path: Path) -> None:
    """A base with a `declared_attr` `__tablename__`: its models never say `__tablename__`,
    in their own modules, with annotated or with classic columns."""
    project = _tree(tmp_path, {
        "app/__init__.py": "",
        "app/db/__init__.py": "",
        "app/db/base_class.py": (
            "from sqlalchemy.orm import as_declarative, declared_attr\n"
            "@as_declarative()\nclass Base:\n"
            "    @declared_attr\n    def __tablename__(cls) -> str:\n"
            "        return cls.__name__.lower()\n"
        ),
        "app/db/base.py": "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n",
        "app/models/__init__.py": "",
        "app/models/tag.py": (
            "from sqlalchemy.orm import Mapped\nfrom app.db.base_class import Base\n"
            "class Tag(Base):\n    name: Mapped[str]\n"
        ),
        "app/models/item.py": (
            "from sqlalchemy import Column, Integer\nfrom app.db.base_class import Base\n"
            "class Item(Base):\n    id = Column(Integer, primary_key=True)\n"
        ),
    })  # fmt: skip
    found = _inspect(project)["metadata"]
    assert isinstance(found, list)
    assert sorted(t["module"] for m in found for t in m["tables"]) == [
        "app.models.item", "app.models.tag"]  # fmt: skip
