"""Keep passwords out of everything printed, masking values, never words.

Three rules, in order:
1. the password part of any URL in the text (`scheme://user:PASSWORD@host`);
2. the value of a secret-looking assignment (`DB_PASSWORD=...`, `secret_key: str = "..."`);
3. every known secret value (from the URLs and the secret-looking keys of the env files), in
   each of the forms it can be printed in (raw, URL-encoded, `%%`-doubled for configparser),
   where it stands as a token of its own. A value that reads as a word (`password`,
   `changeme`) or is short (`svc`) is masked by rules 1 and 2 only: as free text it cannot be
   told from the word, and `name = "svc"` is not the password.
Besides, configparser's interpolation errors quote the raw value (`found: '%40p...'`): that
quote is dropped whole, and a known secret's tail just before an `@` is masked too.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, quote_plus

from wizard import urls
from wizard.errors import WizardError

HIDDEN = "***"
# `scheme://user:PASSWORD@host`: up to the last '@' of the line (a hand-written password may
# hold '@', ':', '/' and spaces); a URL with no password has no ':' before its '@'
# (the scheme is matched from its first character, without backtracking: a long run of
# letters would otherwise be tried from each of its positions, quadratic in its length;
# a lookahead and a back-reference make the atomic group Python 3.10 lacks)
_URL_PASSWORD = re.compile(
    r"(?P<head>(?<![\w+.-])[a-zA-Z](?=(?P<scheme>[\w+.-]*))(?P=scheme)://[^/\s:@'\"]*:)"
    r"(?P<password>[^\n]*)@"
)
# `DB_PASSWORD=...`, `secret_key: str = "..."`, `export API_KEY=...`: the value goes
_SECRET_ASSIGNMENT = re.compile(
    r"^([+\- ]?\s*(?:export\s+)?[\w.]*(?:PASS|PWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|API_?KEY)"
    r"[\w.]*\s*(?::[^=\n]*)?[=:]\s*)(?!(?:true|false)\s*$)\S.*$",  # a flag is no secret
    re.IGNORECASE | re.MULTILINE,
)
_SECRET_WORDS = r"PASS|PWD|SECRET|TOKEN|KEY|CREDENTIAL|AUTH"
_SECRET_WORD = re.compile(_SECRET_WORDS)  # on upper-cased ASCII: 8x faster than re.IGNORECASE
_SECRET_WORD_ANY_CASE = re.compile(_SECRET_WORDS, re.IGNORECASE)
# configparser quotes the raw value it could not interpolate
_CONFIGPARSER_VALUE = re.compile(
    r"(must be followed by '%' or '\(', found: |Raw value: ).*$", re.MULTILINE
)
# URL passwords that are documentation, not secrets (unless a known secret says otherwise)
_PLACEHOLDERS = frozenset({"password", "pass", "passwd", "pwd", "secret", "changeme", "***"})
_PLACEHOLDER_SHAPE = re.compile(r"^(?:<[^>]*>|\{[^}]*\}|\$\{[^}]*\}|\$\w+|x+|\*+)$", re.I)
_MIN_FREE = 6  # a known value shorter than this is masked where it stands as a value only
_TAIL = re.compile(r"(?<![^\s'\"@])(?=([^\s'\"@]{4,}))\1@")  # a whole token, no backtracking


def is_distinctive(value: str) -> bool:
    """True when `value` can be masked wherever it appears as a token: long enough, and not
    a plain word (a word-like password is masked as a URL password or an assignment)."""
    return len(value) >= _MIN_FREE and (not value.isalpha() or len(value) >= 12)


def forms(secret: str) -> set[str]:
    """Every spelling of `secret` that may be printed: raw, URL-encoded (both styles, and as
    SQLAlchemy renders a password), and each with '%' doubled as configparser wants it."""
    found = {secret, quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)}
    return found | {f.replace("%", "%%") for f in found if "%" in f}


@lru_cache(maxsize=32)
def _known(secrets: frozenset[str]) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    """One pattern for every distinctive form (token-bounded), and every form (for tails)."""
    every = frozenset(f for s in secrets if s for f in forms(s))
    free = sorted((f for f in every if is_distinctive(f)), key=len, reverse=True)
    if not free:
        return None, every
    parts = []
    for form in free:
        left = r"(?<![A-Za-z0-9])" if form[0].isalnum() else ""
        right = r"(?![A-Za-z0-9])" if form[-1].isalnum() else ""
        parts.append(left + re.escape(form) + right)
    return re.compile("|".join(parts)), every


def _url_password(match: re.Match[str], every: frozenset[str]) -> str:
    password = match.group("password")
    placeholder = password.lower() in _PLACEHOLDERS or _PLACEHOLDER_SHAPE.match(password)
    if placeholder and password not in every:
        return match.group(0)
    return f"{match.group('head')}{HIDDEN}@"


def _tail(match: re.Match[str], every: frozenset[str]) -> str:
    token = match.group(1)
    if any(form.endswith(token) for form in every if len(form) > len(token)):
        return f"{HIDDEN}@"
    return match.group(0)


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every password replaced by `***` (see the module's rules)."""
    pattern, every = _known(frozenset(secrets))
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: _url_password(m, every), text)
    text = _SECRET_ASSIGNMENT.sub(rf"\g<1>{HIDDEN}", text)
    text = _CONFIGPARSER_VALUE.sub(rf"\g<1>{HIDDEN}", text)
    if pattern is not None:
        text = pattern.sub(HIDDEN, text)
    if every and "@" in text:
        text = _TAIL.sub(lambda m: _tail(m, every), text)
    return text


def mask_url(text: str) -> str:
    """A whole URL as SQLAlchemy renders it without its password; `mask` when it does not
    parse as one."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - anything unparsable is masked by rule instead
        return mask(text)


def _secret_keys(keys: str) -> set[str]:
    """The lines of `keys` (one key a line) that name a secret: each line is found from a
    word in it, so a file of a million keys that name none costs one scan."""
    found, end = set(), -1
    ascii_only = keys.isascii()  # upper() keeps every position only then
    words = (
        _SECRET_WORD.finditer(keys.upper()) if ascii_only else _SECRET_WORD_ANY_CASE.finditer(keys)
    )
    for word in words:
        if word.start() < end:  # another word of a line already taken
            continue
        start = keys.rfind("\n", 0, word.start()) + 1
        end = keys.find("\n", word.end())
        end = len(keys) if end < 0 else end
        found.add(keys[start:end])
    return found


def in_bindings(bindings: Iterable[tuple[str, str]]) -> set[str]:
    """Values that must not be printed among `(key, value)` pairs of env files:
    secret-looking keys, and the passwords of URLs. (One regex pass over all the keys: a
    large `.env` has a million of them.)"""
    pairs = list(bindings)
    secret_keys = _secret_keys("\n".join(k for k, _ in pairs))
    found = {v for k, v in pairs if k in secret_keys and len(v) >= 3}
    for value in [v for _, v in pairs if "://" in v]:
        literal = urls.literal_password(value)
        found.update({literal} if literal else set())
        with contextlib.suppress(WizardError):
            found |= urls.secrets_of(urls.parse(value))
    return {s for s in found if s}
