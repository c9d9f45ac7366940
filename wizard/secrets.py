"""Keep passwords out of everything printed: URL passwords, secret-looking assignments, and
the secret values inspection found."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable

from wizard import urls
from wizard.errors import WizardError

# `scheme://user:PASSWORD@host`: up to the last '@' of the line (a password may hold '@')
_URL_PASSWORD = re.compile(r"([a-zA-Z][\w+.-]*://[^/\s:@]*:)[^\n]*@")
# `DB_PASSWORD=...`, `secret_key: str = "..."`, `POSTGRES_PWD = ...`: the value goes
_SECRET_ASSIGNMENT = re.compile(
    r"^([+\- ]?\s*(?:export\s+)?[\w.]*(?:PASS|PWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY)"
    r"[\w.]*\s*(?::[^=\n]*)?[=:]\s*)(?!(?:true|false)\s*$)\S.*$",  # a flag is no secret
    re.IGNORECASE | re.MULTILINE,
)
_SECRET_KEY = re.compile(r"PASS|SECRET|TOKEN|KEY|CREDENTIAL|AUTH", re.IGNORECASE)


def mask(text: str, secrets: Iterable[str]) -> str:
    """`text` with passwords replaced by `***`: any URL's password, any secret-looking
    assignment, and every known secret string (longest first)."""
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _SECRET_ASSIGNMENT.sub(r"\1***", text)
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


def in_bindings(bindings: Iterable[tuple[str, str]]) -> set[str]:
    """Values that must not be printed among `(key, value)` pairs of env files:
    secret-looking keys, and the passwords of URLs."""
    found: set[str] = set()
    for key, value in bindings:
        if _SECRET_KEY.search(key) and len(value) >= 4:
            found.add(value)
        if "://" in value:
            literal = urls.literal_password(value)
            found.update({literal} if literal else set())
            with contextlib.suppress(WizardError):
                found |= urls.secrets_of(urls.parse(value))
    return {s for s in found if s}
