"""`doctor`: findings with stable IDs on broken setups, error lookup from real tracebacks,
and `setup` repairing what doctor found."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import (
    alembic,
    copy_project,
    mysql_tables,
    run,
    set_env_line,
    tree_hash,
    wizard,
)


def _doctor(project: Path, *args: str) -> tuple[int, str]:
    done = wizard("doctor", *args, cwd=project)
    return done.returncode, done.stdout + done.stderr


def _explain(traceback: str) -> str:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "wizard", "doctor", "--error", "-"],
                          input=traceback, capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout
    return done.stdout


def test_async_template_with_a_sync_url_and_a_missing_model(
    tmp_path: Path, mysql_database: str
) -> None:
    project = copy_project("mysql_app", tmp_path)
    set_env_line(project / ".env", "SHOP_DATABASE_URL",
                 f"mysql+asyncmy://root@127.0.0.1:3306/{mysql_database}?charset=utf8mb4")  # fmt: skip
    # a model package whose __init__ misses one module
    (project / "shop/models/__init__.py").write_text("from shop.models.customer import Customer\n")
    alembic("init", "-t", "async", "migrations", cwd=project)  # Alembic's own async template
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace(
        "driver://user:pass@localhost/dbname", f"mysql+pymysql://root@127.0.0.1:3306/{mysql_database}"))  # fmt: skip
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace(
        "target_metadata = None",
        "from shop.database import Base\nimport shop.models.customer  # invoice forgotten\n\n"
        "target_metadata = Base.metadata"))  # fmt: skip
    alembic("revision", "-m", "first", cwd=project)
    (first,) = (project / "migrations/versions").glob("*.py")
    first_bytes = first.read_bytes()

    code, out = _doctor(project)
    assert code == 1
    assert re.search(r"AW102  alembic.ini:\d+  async env.py, sync driver 'mysql\+pymysql'", out)
    assert re.search(
        r"AW103  migrations/env.py:\d+  shop.models.invoice is not imported \(invoices", out
    )
    findings = json.loads(wizard("doctor", "--json", cwd=project).stdout)["findings"]
    assert {f["rule"] for f in findings} >= {"AW102", "AW103"}

    broken = run("-m", "alembic", "upgrade", "head", cwd=project)  # the real failure
    assert broken.returncode != 0 and "Traceback" in broken.stderr
    assert "AW102 sync-url-in-async-env" in _explain(broken.stderr)

    fixed = wizard("--yes", cwd=project)  # setup repairs: the app's own URL, every model
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "sqlalchemy.url" not in ini.read_text()
    alembic("upgrade", "head", cwd=project)
    assert first.read_bytes() == first_bytes  # the existing revision is kept
    done = alembic("revision", "--autogenerate", "-m", "tables", cwd=project)
    assert "Detected added table 'invoices'" in done.stderr
    alembic("upgrade", "head", cwd=project)
    assert mysql_tables(mysql_database) == {"customers", "invoices", "alembic_version"}
    assert _doctor(project) == (0, "healthy: no findings\n")


GENERIC_ENV_EDIT = (
    "from app.core.config import settings\nfrom app.db.base import Base\n"
    "import app.users.models, app.catalog.models, app.orders.models.order\n"
    "config.set_main_option('sqlalchemy.url', settings.database_url)\n\n"
    "target_metadata = Base.metadata"
)


def _hand_written_sync_setup(repo: Path, url: str) -> Path:
    set_env_line(repo / ".env", "DATABASE_URL", url)
    backend = repo / "backend"
    alembic("init", "migrations", cwd=backend)  # the generic (sync) template
    env_py = backend / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace("target_metadata = None", GENERIC_ENV_EDIT))
    return backend


def test_hand_written_sync_env_with_the_async_url(tmp_path: Path, pg_database: str) -> None:
    repo = copy_project("pg_app", tmp_path)
    backend = _hand_written_sync_setup(
        repo, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}"
    )
    code, out = _doctor(backend)
    assert code == 1
    assert re.search(r"AW101  migrations/env.py:\d+  sync env.py uses the app's async URL", out)
    assert re.search(r"AW107  migrations/env.py:\d+  config.set_main_option", out)
    assert re.search(r"AW103  migrations/env.py:\d+  app.orders.models.line is not imported", out)

    broken = run("-m", "alembic", "upgrade", "head", cwd=backend)
    assert "greenlet_spawn has not been called" in broken.stderr
    assert "AW101 async-url-in-sync-env" in _explain(broken.stderr)


def test_percent_in_the_password_through_set_main_option(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    backend = _hand_written_sync_setup(repo, "postgresql+asyncpg://app:p%40ss@127.0.0.1:1/shop")
    broken = run("-m", "alembic", "upgrade", "head", "--sql", cwd=backend)
    assert "invalid interpolation syntax" in broken.stderr
    explained = _explain(broken.stderr)
    assert "AW107 url-through-configparser" in explained and "p%40ss" not in explained


def test_wizard_output_is_healthy_and_unknown_errors_say_so(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    assert _doctor(project) == (0, "healthy: no findings\n")
    unknown = wizard("doctor", "--error", "KeyError: 'banana'", cwd=project)
    assert unknown.returncode == 1 and "no known rule" in unknown.stdout


def test_no_setup_at_all(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    code, out = _doctor(project)
    assert code == 1 and out.startswith("AW118")


HOOK = '''

IGNORED_TABLES = {"legacy_audit"}


def include_object(obj, name, type_, reflected, compare_to):
    """Leave tables that another tool owns alone."""
    return not (type_ == "table" and name in IGNORED_TABLES)
'''


def test_repair_keeps_include_object_and_the_users_ini_lines(
    tmp_path: Path, pg_database: str
) -> None:
    import psycopg

    repo = copy_project("pg_app", tmp_path)
    backend = _hand_written_sync_setup(
        repo, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{pg_database}"
    )
    env_py = backend / "migrations/env.py"
    text = env_py.read_text().replace(
        "target_metadata = Base.metadata", "target_metadata = Base.metadata" + HOOK
    )
    env_py.write_text(
        text.replace(
            "target_metadata=target_metadata",
            "target_metadata=target_metadata, include_object=include_object",
        )
    )
    ini = backend / "alembic.ini"
    ini.write_text(
        ini.read_text().replace(
            "[alembic]", "[alembic]\n# team note: keep this line\ntruncate_slug_length = 30"
        )
    )
    with psycopg.connect(
        f"host=127.0.0.1 user=postgres dbname={pg_database}", autocommit=True
    ) as conn:
        conn.execute("create table legacy_audit (id int)")

    before_repair = tree_hash(repo)
    fixed = wizard("--yes", "--project", str(repo))
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    new_env = env_py.read_text()
    assert "def include_object(obj, name, type_, reflected, compare_to):" in new_env
    assert 'IGNORED_TABLES = {"legacy_audit"}' in new_env
    assert "        include_object=include_object,\n" in new_env
    assert "set_main_option(" not in new_env  # env.py never calls it
    new_ini = ini.read_text()
    assert "# team note: keep this line\n" in new_ini and "truncate_slug_length = 30" in new_ini
    assert "sqlalchemy.url" not in new_ini and "[logger_alembic]" in new_ini
    assert _doctor(backend)[0] == 0

    done = alembic("revision", "--autogenerate", "-m", "tables", cwd=backend)
    (script,) = (backend / "migrations/versions").glob("*.py")
    assert "legacy_audit" not in script.read_text()  # the hook was honoured
    assert "Detected added table 'order_lines'" in done.stderr
    alembic("upgrade", "head", cwd=backend)
    second = wizard("--yes", "--dry-run", "--project", str(repo))
    assert "nothing to change" in second.stderr, second.stdout

    undone = wizard("undo", "--yes", "--project", str(repo))  # the repair, put back byte for byte
    assert undone.returncode == 0, undone.stderr
    ours = ("backend/.alembic-wizard/", "backend/migrations/versions/")
    assert {k: v for k, v in tree_hash(repo).items() if not k.startswith(ours)} == {
        k: v for k, v in before_repair.items() if not k.startswith(ours)
    }


def test_repair_keeps_the_users_sys_path_entries(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    alembic("init", "migrations", cwd=project)
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text().replace("prepend_sys_path = .", "prepend_sys_path = . vendor"))
    done = wizard("--yes", "--no-db", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    text = ini.read_text()
    assert "prepend_sys_path = . vendor src\n" in text and "path_separator = space\n" in text
    assert "ok  env.py imports" in done.stdout
    again = wizard("--yes", "--dry-run", cwd=project)
    assert "nothing to change" in again.stderr


def test_alembic_inits_placeholder_url_is_named_and_repaired(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    alembic("init", "migrations", cwd=project)  # leaves driver://user:pass@localhost/dbname
    ini_line = next(i for i, line in enumerate((project / "alembic.ini").read_text().splitlines(), 1)
                    if line.startswith("sqlalchemy.url"))  # fmt: skip
    code, out = _doctor(project)
    assert code == 1
    assert re.search(rf"AW122  alembic.ini:{ini_line}  alembic init's placeholder URL, read by "
                     r"env.py:\d+", out)  # fmt: skip
    broken = run("-m", "alembic", "current", cwd=project)
    assert broken.returncode != 0
    assert "AW122 placeholder-url" in _explain(broken.stderr)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    assert "AW122" not in _doctor(project)[1]
    assert run("-m", "alembic", "current", cwd=project).returncode == 0
