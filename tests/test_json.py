"""`--json` on every command: one object on stdout, in the shape docs/json.md documents."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, copy_project, set_env_line, tree_hash, wizard

DOC = REPO / "docs/json.md"


def schemas() -> dict[str, Any]:
    """The shapes of docs/json.md, by the name in the comment above each block."""
    blocks = re.findall(r"<!-- schema: (\w+) -->\s*```json\n(.*?)```", DOC.read_text(), re.S)
    return {name: json.loads(body) for name, body in blocks}


def _matches(value: object, alternative: str) -> bool:
    if alternative.startswith("'"):
        return value == alternative.strip("'")
    kinds = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "null": value is None,
        "object": isinstance(value, dict),
    }
    return kinds[alternative]


def conforms(value: object, shape: object, where: str = "$") -> list[str]:
    """What in `value` differs from `shape` (the doc's notation); [] when it conforms."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        errors = [f"{where}: keys {sorted(value)} are not {sorted(shape)}"] if set(value) != set(
            shape
        ) else []  # fmt: skip
        return errors + [e for k in shape if k in value for e in conforms(value[k], shape[k], f"{where}.{k}")]  # fmt: skip
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        return [e for i, v in enumerate(value) for e in conforms(v, shape[0], f"{where}[{i}]")]
    if isinstance(shape, int):
        return (
            [] if value == shape and isinstance(value, int) else [f"{where}: {value!r} != {shape}"]
        )
    assert isinstance(shape, str)
    if any(_matches(value, alt) for alt in shape.split(" | ")):
        return []
    return [f"{where}: {value!r} is not {shape}"]


def _output(done: Any, schema: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(done.stdout)  # stdout is the object and nothing else
    assert conforms(data, schemas()[schema]) == [], data
    assert data["version"] == 1 and data["exit_status"] == done.returncode
    return data


def test_the_doc_has_a_shape_per_command_each_with_version_1() -> None:
    found = schemas()
    assert set(found) == {"setup", "inspect", "doctor", "explain", "undo", "adopt", "error"}
    assert all(shape["version"] == 1 for shape in found.values())


def test_the_checker_refuses_what_the_doc_does_not_say() -> None:
    shape = schemas()["undo"]
    good = {"version": 1, "command": "undo", "exit_status": 0, "restored": ["a"],
            "backup": "b", "kept": "k", "stamped": None}  # fmt: skip
    assert conforms(good, shape) == []
    assert conforms({**good, "version": 2}, shape) == ["$.version: 2 != 1"]
    assert conforms({**good, "command": "setup"}, shape) == ["$.command: 'setup' is not 'undo'"]
    assert conforms({**good, "restored": [1]}, shape) == ["$.restored[0]: 1 is not string"]
    assert conforms({**good, "extra": 1}, shape)  # no key the doc does not list
    assert conforms({k: v for k, v in good.items() if k != "kept"}, shape)


def test_setup_verify_undo_json(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    done = wizard("--yes", "--json", cwd=project)
    data = _output(done, "setup")
    assert data["command"] == "setup" and done.returncode == 0, done.stderr
    assert {"action": "create", "path": "migrations/env.py"} in data["changes"]
    assert data["written"] and data["backup"].startswith(".alembic-wizard/backup-")
    rungs = {r["name"]: r["status"] for r in data["verification"]}
    assert rungs["env.py imports"] == rungs["tables"] == "pass"
    assert data["next"][-1] == "alembic upgrade head"
    assert "create  migrations/env.py" in done.stderr  # the human status stays on stderr

    verified = _output(wizard("verify", "--json", cwd=project), "setup")
    assert verified["command"] == "verify" and verified["changes"] == []
    assert [r["name"] for r in verified["verification"]] == [
        r["name"] for r in data["verification"]
    ]

    undone = _output(wizard("undo", "--yes", "--json", cwd=project), "undo")
    assert "migrations/env.py" in undone["restored"] and undone["kept"].startswith("undone-")


def test_dry_run_json_names_files_not_contents(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    url = "postgresql+asyncpg://app:s3cr%40t-pw@db.internal:5432/shop"
    set_env_line(repo / ".env", "DATABASE_URL", url)
    before = tree_hash(repo)
    done = wizard("--yes", "--dry-run", "--json", "--project", str(repo))
    data = _output(done, "setup")
    assert not data["written"] and data["verification"] == [] and data["next"] == []
    assert {"action": "modify", "path": ".env"} in data["changes"]
    assert "s3cr" not in done.stdout + done.stderr and "DATABASE_URL_SYNC" not in done.stdout
    assert tree_hash(repo) == before


def test_verify_json_masks_the_password(tmp_path: Path) -> None:
    repo = copy_project("pg_app", tmp_path)
    set_env_line(repo / ".env", "DATABASE_URL", "postgresql+asyncpg://app:pw-9x7@127.0.0.1:1/shop")
    assert wizard("--yes", "--no-db", "--project", str(repo)).returncode == 0
    done = wizard("verify", "--json", "--project", str(repo))  # port 1: nobody answers
    data = _output(done, "setup")
    assert "pw-9x7" not in done.stdout
    assert data["verification"][-1]["name"] == "database"
    assert data["verification"][-1]["status"] == "skip"


@pytest.mark.parametrize("flag", ["--no-db", "--offline"])  # --offline: the old name, hidden
def test_no_db_skips_the_database(tmp_path: Path, flag: str) -> None:
    repo = copy_project("pg_app", tmp_path)
    set_env_line(repo / ".env", "DATABASE_URL", "postgresql+asyncpg://app:pw@127.0.0.1:1/shop")
    done = wizard("--yes", flag, "--json", "--project", str(repo))
    data = _output(done, "setup")
    assert done.returncode == 0, done.stderr
    assert "database" not in {r["name"] for r in data["verification"]}  # not even tried
    assert ("is now --no-db" in done.stderr) == (flag == "--offline")


def test_inspect_and_doctor_json(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    data = _output(wizard("inspect", "--json", cwd=project), "inspect")
    assert data["metadata"][0]["tables"]
    doctor = _output(wizard("doctor", "--json", cwd=project), "doctor")
    assert [f["rule"] for f in doctor["findings"]] == ["AW118"] and doctor["exit_status"] == 1
    pasted = "sqlalchemy.exc.MissingGreenlet: greenlet_spawn has not been called"
    explained = _output(wizard("doctor", "--error", pasted, "--json", cwd=project), "explain")
    assert [r["rule"] for r in explained["rules"]] == ["AW101", "AW125"]  # the two causes
    unknown = _output(wizard("doctor", "--error", "nothing known", "--json"), "explain")
    assert unknown["rules"] == [] and unknown["exit_status"] == 1


def test_an_error_is_json_too(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'empty'\n")
    done = wizard("verify", "--json", cwd=tmp_path)
    data = _output(done, "error")
    assert done.returncode == 2 and data["command"] == "verify"
    assert "no SQLAlchemy or SQLModel tables found" in data["error"]["message"]
    assert data["error"]["hint"] and "error: " in done.stderr


def test_guard_and_runner_json(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    runner = _output(wizard("runner", "--yes", "--json", cwd=project), "setup")
    assert runner["changes"] == [{"action": "create", "path": "src/notes/migrate.py"}]
    assert runner["written"] and runner["next"] == ["python -m notes.migrate"]
    guard = _output(wizard("guard", "--yes", "--dry-run", "--json", cwd=project), "setup")
    assert guard["command"] == "guard" and not guard["written"] and guard["changes"]


def test_adopt_json(tmp_path: Path) -> None:
    """Nothing to adopt, then a database made by create_all: adopted and stamped; the words
    go to stderr, stdout is the object alone."""
    from adopt_apps import SQLITE, prepare

    project = copy_project("sqlite_app", tmp_path / "none")
    assert wizard("--yes", "--no-db", cwd=project).returncode == 0
    nothing = _output(wizard("adopt", "--json", cwd=project), "adopt")
    assert (nothing["state"], nothing["written"], nothing["stamped"]) == (
        "no database",
        False,
        None,
    )
    assert nothing["next"][-1].endswith("alembic upgrade head")
    assert "Nothing to adopt" in wizard("adopt", "--json", cwd=project).stderr
    adoptable = prepare(SQLITE, tmp_path / "made", "notes.db")
    done = _output(wizard("adopt", "--yes", "--json", cwd=adoptable.where), "adopt")
    assert (done["state"], done["written"], done["differences"]) == ("unversioned", True, [])
    assert sorted(done["tables"]) == ["note", "notebook", "notetaglink", "tag"]
    assert [c["action"] for c in done["changes"]] == ["create"]
    assert done["stamped"] and done["next"][-1].endswith("alembic check")
    again = _output(wizard("adopt", "--json", cwd=adoptable.where), "adopt")
    assert (again["state"], again["current"]) == ("versioned", [done["stamped"]])
