"""The environment variable a field's default factory reads: a dataclass (or pydantic model)
field `URL: str = field(default_factory=get_env("DATABASE_URL", "..."))` is filled from the
environment when the object is made, by code of the app's own that no static reading
follows. The factory is run once with the variables it reads recorded, then once more with
each of them set to a marker: the one whose marker comes back as the value is the field's
variable (not one that only picks a part of it, a stage in the default's file name). Runs
in the project's interpreter; standard library only."""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_MOST = 64  # variables tried: a factory that copies the whole environment reads them all


def field_factory(cls: type, name: str) -> Callable[[], Any] | None:
    """The default factory of the field `name` of `cls` (a dataclass or a pydantic model)."""
    factory: object = None
    if dataclasses.is_dataclass(cls):
        found = {f.name: f for f in dataclasses.fields(cls)}.get(name)
        factory = found.default_factory if found else None
    else:
        info = (getattr(cls, "model_fields", None) or {}).get(name)
        factory = getattr(info, "default_factory", None)
    return factory if callable(factory) else None


@contextmanager
def _recorded() -> Iterator[list[str]]:
    """The keys read from os.environ (`os.environ[k]`, `.get`, `os.getenv`, `k in`) inside."""
    keys: list[str] = []
    environ_type = type(os.environ)
    real = environ_type.__getitem__

    def getitem(self: Any, key: Any) -> Any:
        if isinstance(key, str) and key not in keys:
            keys.append(key)
        return real(self, key)

    environ_type.__getitem__ = getitem  # type: ignore[method-assign]
    try:
        yield keys
    finally:
        environ_type.__getitem__ = real  # type: ignore[method-assign]


@contextmanager
def _set(key: str, value: str) -> Iterator[None]:
    before = os.environ.get(key)
    os.environ[key] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[key]
        else:
            os.environ[key] = before


def variable_read(factory: Callable[[], Any]) -> str | None:
    """The environment variable whose value the factory returns (None: none, or it fails)."""
    try:
        with _recorded() as keys:
            factory()
    except Exception:
        return None
    marker = f"postgresql://{uuid.uuid4().hex}@marker/db"
    for key in keys[:_MOST]:
        try:
            with _set(key, marker):
                value = factory()
        except Exception:
            continue
        secret = getattr(value, "get_secret_value", None)
        if (secret() if callable(secret) else str(value)) == marker:  # the value, as it is
            return key
    return None
