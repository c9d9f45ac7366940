"""The app's own sync URL beside its async one (`SYNC_DATABASE_URL` beside
`ASYNC_DATABASE_URL`, a `DATABASE_URL_SYNC` field, a `sync_url()` method): reused when it
names the same database through a sync driver, so the wizard adds no sibling and no
variable. Compared in the project's process where the probe runs (the password masked
there), else from the code: the same fields put together by both members."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from wizard import urls
from wizard.errors import WizardError
from wizard.inspection.evaluate import Scope, evaluate_body
from wizard.inspection.resolve import Resolver
from wizard.inspection.settings import OwnSync, Settings, sync_name
from wizard.inspection.source import UrlSource

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

_URLISH = re.compile("url|uri|dsn", re.IGNORECASE)
_PROPERTY = {"property", "computed_field", "cached_property"}


@dataclass(frozen=True)
class Candidate:
    """A URL member of the object that holds the app's URL, and its value (None: unknown)."""

    name: str
    called: bool
    url: str | None


def choose(settings: Settings, app_url: str | None, found: Iterable[Candidate]) -> OwnSync | None:
    """The candidate that names `app_url`'s database through a sync driver; one whose name
    says sync first."""
    app = _parsed(app_url)
    matches = []
    for candidate in found:
        other = _parsed(candidate.url) if candidate.name != settings.url_field else None
        driver = urls.same_database_sync(app, other) if app and other else None
        if driver is not None:
            matches.append((candidate, driver))
    if not matches:
        return None
    best, driver = min(matches, key=lambda m: _rank(settings, m[0].name))
    return OwnSync(best.name, driver, best.called, _env_key(settings, best.name))


def sync_key(settings: Settings) -> str:
    """The variable env.py reads the sync URL from first: the app's own sync field's, else
    the one named after the URL (a computed member has none of its own)."""
    own = settings.own_sync.env_key if settings.own_sync else None
    return (
        own
        or replace(settings, own_sync=None).sync_env_key
        or sync_name(settings.url_field or "DATABASE_URL")
    )


def reused(source: UrlSource, own: OwnSync | None) -> UrlSource:
    """`source` with the app's own sync member (None: without), and the variable for it."""
    if source.settings is None or source.settings.own_sync == own:
        return source
    settings = replace(source.settings, own_sync=own)
    return replace(source, settings=settings, sync_key=sync_key(settings))


def _parsed(text: str | None) -> URL | None:
    try:
        return urls.parse(text) if text else None
    except WizardError:
        return None


def _rank(settings: Settings, name: str) -> tuple[int, int, str]:
    plain = re.sub("_?async_?", "", settings.url_field or "", flags=re.IGNORECASE)
    return ("sync" not in name.lower(), name.lower() != plain.lower(), name)


def _env_key(settings: Settings, name: str) -> str | None:
    """The variable that fills the field `name` (None: a property, a method, or a nested
    model read whole as JSON)."""
    field = next((f for f in settings.fields if f.name == name), None)
    if field is None or (settings.attr_prefix and not settings.nested_delimiter):
        return None
    key = field.alias or settings.env_prefix + name
    return key if settings.case_sensitive else key.upper()


def from_code(
    resolver: Resolver, settings: Settings, field_value: Callable[[str], str | None]
) -> OwnSync | None:
    """From the code alone: two computed members compared as the fields they put together
    (each field a token of its own), else the values the env files and defaults give."""
    members = _members(resolver, settings)
    url_field = settings.url_field or ""
    names = [*(f.name for f in settings.fields), *members]
    names = [n for n in dict.fromkeys(names) if _URLISH.search(n) and n != url_field]
    tokens = {f.name: str(10001 + i) for i, f in enumerate(settings.fields)}

    def value(name: str, attribute: Callable[[str], str | None], depth: int = 0) -> str | None:
        if name not in members:
            return attribute(name)
        if depth > 5:
            return None
        scope = Scope(lambda n: value(n, attribute, depth + 1), _is_self)
        got = evaluate_body(members[name][0], scope)
        return got if isinstance(got, str) else None

    found = []
    for name in names:
        both_computed = url_field in members and name in members
        attribute = tokens.get if both_computed else field_value
        pair = (value(url_field, attribute), value(name, attribute))
        found.append((Candidate(name, name in members and members[name][1], pair[1]), pair[0]))
    chosen = [choose(settings, app, [c]) for c, app in found]
    return min((c for c in chosen if c), key=lambda c: _rank(settings, c.name), default=None)


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _members(resolver: Resolver, settings: Settings) -> dict[str, tuple[ast.FunctionDef, bool]]:
    """The properties and argument-less methods of the class holding the URL (and of the
    project's classes it inherits), each with whether env.py calls it."""
    labels = [f"{settings.module}.{settings.cls}", *reversed(settings.ancestors)]
    if settings.attr_prefix:  # a model nested in the settings: its own class
        labels = [f"{settings.owner_module}.{settings.owner_cls}"]
    found: dict[str, tuple[ast.FunctionDef, bool]] = {}
    for label in labels:
        module, _, cls = label.rpartition(".")
        klass = resolver.class_def((module, cls))
        for node in klass[1].body if klass else ():
            if not isinstance(node, ast.FunctionDef) or node.name in found:
                continue
            decorators = {ast.unparse(d).rsplit(".", 1)[-1] for d in node.decorator_list}
            plain = not decorators and len(node.args.args) == 1 and not node.args.kwonlyargs
            if decorators and decorators <= _PROPERTY or plain:
                found[node.name] = (node, plain)
    return found
