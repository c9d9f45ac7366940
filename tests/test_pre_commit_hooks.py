"""`.pre-commit-hooks.yaml`: it parses, its hook runs one of the package's console scripts,
and the arguments of its entry are a command the CLI knows (run here on real projects)."""

from __future__ import annotations

import re
from pathlib import Path

import tomlkit

from conftest import REPO, copy_project, wizard

HOOKS = REPO / ".pre-commit-hooks.yaml"


def _hooks(text: str) -> list[dict[str, object]]:
    """The flat list of mappings a hooks file is, read without a YAML library (none is a
    dependency): `- key: value` starts a hook, `  key: value` continues it."""
    hooks: list[dict[str, object]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"(- |  )([a-z_]+): (.+)", line)
        assert match, f"{HOOKS.name}:{number}: not a `key: value` line: {line!r}"
        if match.group(1) == "- ":
            hooks.append({})
        value = match.group(3)
        quoted = value[0] == value[-1] == "'"
        hooks[-1][match.group(2)] = value[1:-1] if quoted else {"true": True, "false": False}.get(value, value)  # fmt: skip
    return hooks


def test_the_hooks_file_parses_and_names_a_console_script_of_the_package() -> None:
    text = HOOKS.read_text(encoding="utf-8")
    (hook,) = _hooks(text)
    try:  # the same reading as YAML's, where a YAML library is installed
        import yaml
    except ImportError:
        pass
    else:
        assert yaml.safe_load(text) == [hook]
    assert hook["id"] == "alembic-wizard-doctor" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.search(str(hook["files"]), "app/models/user.py")
    assert re.search(str(hook["files"]), "backend/.env") and re.search(
        str(hook["files"]), "alembic.ini"
    )
    assert not re.search(str(hook["files"]), "README.md")
    script, *args = str(hook["entry"]).split()
    scripts = tomlkit.parse((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert script in scripts  # what `language: python` installs with the package
    module, _, function = str(scripts[script]).partition(":")
    assert callable(getattr(__import__(module, fromlist=[function]), function))
    assert args == ["doctor"]


def test_the_hooks_entry_passes_a_healthy_setup_and_fails_a_broken_one(tmp_path: Path) -> None:
    args = str(_hooks(HOOKS.read_text(encoding="utf-8"))[0]["entry"]).split()[1:]
    project = copy_project("sqlite_app", tmp_path)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    assert wizard(*args, cwd=project).returncode == 0  # what pre-commit runs, from the root
    env_py = project / "migrations/env.py"
    env_py.write_text(env_py.read_text().replace("= SQLModel.metadata", "= None"))
    failed = wizard(*args, cwd=project)
    assert failed.returncode == 1 and "AW104" in failed.stdout  # target_metadata = None
