"""The .env editor: before/after pairs, every other byte kept, and its no-op twin."""

from __future__ import annotations

from pathlib import Path

import pytest
from dotenv import dotenv_values

from wizard.edits import envfile
from wizard.errors import WizardError

SYNC = "postgresql+psycopg://u:p@h/db"
CASES = [
    pytest.param(
        "# app\nDATABASE_URL=postgresql+asyncpg://u:p@h/db\nDEBUG=1\n",
        f"# app\nDATABASE_URL=postgresql+asyncpg://u:p@h/db\nDATABASE_URL_SYNC={SYNC}\nDEBUG=1\n",
        id="plain",
    ),
    pytest.param(
        'A=1\r\nexport DATABASE_URL="postgresql+asyncpg://u:p@h/db"\r\n\r\n# end\r\n',
        f'A=1\r\nexport DATABASE_URL="postgresql+asyncpg://u:p@h/db"\r\n'
        f'export DATABASE_URL_SYNC="{SYNC}"\r\n\r\n# end\r\n',
        id="crlf-export-double-quotes",
    ),
    pytest.param(
        "DATABASE_URL='postgresql+asyncpg://u:p@h/db'",
        f"DATABASE_URL='postgresql+asyncpg://u:p@h/db'\nDATABASE_URL_SYNC='{SYNC}'",
        id="no-final-newline-single-quotes",
    ),
    pytest.param(
        "\ufeffDATABASE_URL=postgresql+asyncpg://u:p@h/db\nX=1\n",
        f"\ufeffDATABASE_URL=postgresql+asyncpg://u:p@h/db\nDATABASE_URL_SYNC={SYNC}\nX=1\n",
        id="bom-kept",
    ),
    pytest.param(
        "  DATABASE_URL = postgresql+asyncpg://u:p@h/db   # async\nX=2\n",
        "  DATABASE_URL = postgresql+asyncpg://u:p@h/db   # async\n"
        f"  DATABASE_URL_SYNC={SYNC}\nX=2\n",
        id="indent-and-comment",
    ),
]


@pytest.mark.parametrize(("before", "after"), CASES)
def test_insert_after_keeps_every_other_byte(before: str, after: str) -> None:
    env = envfile.parse(before, Path(".env"))
    assert envfile.insert_after(env, before, "DATABASE_URL", "DATABASE_URL_SYNC", SYNC) == after


@pytest.mark.parametrize(("before", "after"), CASES)
def test_pieces_rebuild_the_file_exactly(before: str, after: str) -> None:
    for text in (before, after):
        env = envfile.parse(text, Path(".env"))
        assert "".join(p if isinstance(p, str) else p.text for p in env.pieces) == text


def test_a_value_that_needs_quotes_reads_back_exactly(tmp_path: Path) -> None:
    value = "postgresql+psycopg://u:p%40ss%3A w%25rd%2F%23@h/db"
    text = "DATABASE_URL=x\n"
    out = envfile.insert_after(envfile.parse(text, Path(".env")), text, "DATABASE_URL", "S", value)
    (tmp_path / ".env").write_text(out)
    assert dotenv_values(tmp_path / ".env")["S"] == value


def test_key_lookup_ignores_case_unless_asked() -> None:
    env = envfile.parse("database_url=x\n", Path(".env"))
    assert env.get("DATABASE_URL") is not None
    assert env.get("DATABASE_URL", case_sensitive=True) is None


def test_unparsable_line_names_file_and_line_without_the_value() -> None:
    with pytest.raises(WizardError) as info:
        envfile.parse("A=1\nDATABASE_URL='postgresql://u:secret@h/db\n", Path("app/.env"))
    assert str(info.value).startswith("app/.env:2: ")
    assert "secret" not in str(info.value)
