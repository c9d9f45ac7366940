"""Passwords never printed, and nothing but passwords masked: values, not words."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import APP_MODELS as MODELS
from conftest import APP_SETTINGS as SETTINGS
from conftest import alembic, wizard
from wizard.secrets import in_bindings, mask

PASSWORD = "S3cr3t%40p@ss:w/rd#1 x"
ENCODED = quote(PASSWORD, safe="")
KNOWN = frozenset({PASSWORD, ENCODED, "svc", "password", "changeme"})
LEAKS = ("S3cr3t", "2540p", "p@ss:w", "rd%231")

MASKED = [  # (printed text, what is shown)
    (f"url = postgresql://app:{ENCODED}@db/x", "url = postgresql://app:***@db/x"),
    (
        f"url = postgresql://app:{ENCODED.replace('%', '%%')}@db/x",
        "url = postgresql://app:***@db/x",
    ),
    (f"postgresql://app:{PASSWORD}@db/x", "postgresql://app:***@db/x"),  # written raw by hand
    (f"the password is {PASSWORD} here", "the password is *** here"),
    (f"quoted '{ENCODED}' in a message", "quoted '***' in a message"),
    ("DB_PASSWORD=svc", "DB_PASSWORD=***"),
    ('+    secret_key: str = "abc"', "+    secret_key: str = ***"),
    ("export API_KEY=zzz", "export API_KEY=***"),
    ("postgresql://app:svc@db/x", "postgresql://app:***@db/x"),  # short: as a URL password
    (  # configparser quotes the raw value it cannot interpolate
        "InterpolationSyntaxError: '%' must be followed by '%' or '(', found: "
        f"'{ENCODED[6:]}@127.0.0.1:5432/shop' (configparser.py:443)",
        "InterpolationSyntaxError: '%' must be followed by '%' or '(', found: ***",
    ),
    (f"tail {ENCODED[8:]}@127.0.0.1", "tail ***@127.0.0.1"),  # a secret's tail before '@'
]
KEPT = [  # the no-op twins: words and values that are not the password
    "# '%' in a password needs no escaping",
    'name = "svc"',
    "the service (svc) is up",
    "fix: set SECRET_KEY in .env",
    "changeme is what the template says",
    "postgresql://app@db/x and mail me at a@b.example",
]


@pytest.mark.parametrize(("text", "shown"), MASKED)
def test_masked(text: str, shown: str) -> None:
    assert mask(text, KNOWN) == shown


@pytest.mark.parametrize("text", KEPT)
def test_words_are_kept(text: str) -> None:
    assert mask(text, KNOWN) == text


def test_a_placeholder_url_password_is_kept_unless_it_is_the_password() -> None:
    hint = "hint: expected something like postgresql+asyncpg://user:password@host/db"
    assert mask(hint, KNOWN - {"password"}) == hint
    assert (
        mask(hint, KNOWN) == "hint: expected something like postgresql+asyncpg://user:***@host/db"
    )


def test_secrets_of_env_files_are_values() -> None:
    found = in_bindings([("DATABASE_URL", f"postgresql://app:{ENCODED}@h/db"),
                         ("SECRET_KEY", "changeme"), ("LOG_LEVEL", "info")])  # fmt: skip
    assert {PASSWORD, ENCODED, "changeme"} <= found and "info" not in found


def _project(tmp_path: Path, env: str) -> Path:
    root = tmp_path / "proj"
    for name, text in {"app/__init__.py": "", "app/config.py": SETTINGS,
                       "app/models.py": MODELS, ".env": env}.items():  # fmt: skip
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _no_leak(text: str) -> None:
    assert not [leak for leak in LEAKS if leak in text], text


def test_verify_masks_configparsers_error(tmp_path: Path) -> None:
    """Alembic's generic env.py reads sqlalchemy.url through configparser: a '%'-encoded
    password fails interpolation, and the error quotes the value. Verify shows the error,
    never the value (the probe is a real process in the project's interpreter)."""
    url = f"postgresql+psycopg://app:{ENCODED}@127.0.0.1:5432/shop"
    root = _project(tmp_path, f"DATABASE_URL={url.replace('psycopg', 'asyncpg')}\n")
    alembic("init", "migrations", cwd=root)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("driver://user:pass@localhost/dbname", url))
    done = wizard("verify", "--yes", "--offline", cwd=root)
    assert done.returncode == 1
    assert "InterpolationSyntaxError" in done.stdout and "found: ***" in done.stdout
    assert "must be written '%%'" in done.stdout
    _no_leak(done.stdout + done.stderr)
    doctor = wizard("doctor", cwd=root)
    assert "AW106" in doctor.stdout
    _no_leak(doctor.stdout + doctor.stderr)


def test_the_edits_would_be_lost_listing_is_masked(tmp_path: Path) -> None:
    root = _project(tmp_path, "DATABASE_URL=sqlite+aiosqlite:///./x.db\n")
    assert wizard("--yes", "--no-verify", cwd=root).returncode == 0
    env_py = root / "migrations/env.py"
    mine = f'    mine = "postgresql+psycopg://app:{ENCODED}@db/x"\n'
    env_py.write_text(env_py.read_text().replace(
        "    text = os.environ.get(SYNC_URL_ENV)", mine + "    text = os.environ.get(SYNC_URL_ENV)"))  # fmt: skip
    refused = wizard("--yes", "--no-verify", "--mode", "async", cwd=root)
    assert refused.returncode == 2
    assert 'mine = "postgresql+psycopg://app:***@db/x"' in refused.stderr
    _no_leak(refused.stdout + refused.stderr)


def test_a_placeholder_password_is_not_a_word_to_hide(tmp_path: Path) -> None:
    """A template whose URL says `user:password@` made every "password" in the diff `***`."""
    root = _project(tmp_path, f"DATABASE_URL=postgresql+asyncpg://app:{ENCODED}@db/x\n")
    (root / ".env.example").write_text(
        "DATABASE_URL=postgresql+asyncpg://user:password@localhost/db\n"
    )
    done = wizard("--yes", "--dry-run", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "'%' in a password needs no escaping" in done.stdout  # alembic.ini's comment
    assert "postgresql+psycopg://app:***@db/x" in done.stdout  # the real one, masked
    _no_leak(done.stdout + done.stderr)


def test_secret_keys_are_the_lines_that_name_a_secret_word() -> None:
    import random
    import re

    from wizard.secrets import _secret_keys

    words = ["DB_PASSWORD", "api_key", "Token", "AUTH", "pwd2", "SECRETS", "HOST", "PORT", "NAME"]
    rng = random.Random(7)
    keys = ["_".join(rng.choices(words, k=rng.randint(1, 3))) for _ in range(2000)]
    keys += ["", "KEYKEY", "X"]
    text = "\n".join(keys)
    by_line = re.compile(  # what it was: a regex from each line start (slow on a million keys)
        r"^[^\n]*(?:PASS|PWD|SECRET|TOKEN|KEY|CREDENTIAL|AUTH)[^\n]*$", re.I | re.M
    )
    assert _secret_keys(text) == set(by_line.findall(text))
    text += "\nstraße_token\nÜBER\nmaß_key_ß"  # not ASCII: matched case-insensitively in place
    assert _secret_keys(text) == set(by_line.findall(text))
    assert "HOST_PORT" not in _secret_keys("HOST_PORT\nDB_PASSWORD")
