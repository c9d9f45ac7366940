"""Which files can matter, told from their bytes before anything is parsed.

A large backend has thousands of modules and only a few dozen define tables, settings or the
engine; the rest are read (to look at their bytes) but never parsed. Modules that only pass a
name along (a package `__init__` re-exporting `Base`, an alias module) are parsed on demand
when a name is followed through them.
"""

from __future__ import annotations

import re

# (a cheap anchor, then the words it stands for, checked only where the anchor is; each anchor
# costs one scan of every file that has none of them, which is most files): a table of its
# own (`__tablename__`/`__table__`, SQLModel's `table=True`, Core `Table(`); a settings class
# (or a subclass of the app's own, below); an engine
_ANCHORS: tuple[tuple[bytes, tuple[bytes, ...]], ...] = (
    (b"able", (b"__table", b"table=True", b"Table(")),
    (b"Settings", (b"BaseSettings",)),
    (b"_engine", (b"create_async_engine", b"async_engine_from_config", b"create_engine")),
)
# `class Settings(AppSettings):`: a class whose base's name ends in "Settings"
_SETTINGS_SUBCLASS = re.compile(rb"class\s+\w+\s*\([^)]*Settings\s*[,)]")
# an Alembic revision (under `versions/`, wherever script_location points): never a model
_REVISION = re.compile(rb"(?m)^down_revision\b")


# `class User(SQLAlchemyBaseUserTableUUID, Base)`: the app's base beside a library's class,
# which gives the table its name (FastAPI-Users, Advanced Alchemy mixins)
_MIXED_BASE = re.compile(rb"class\s+\w+\s*\((?=[^)]*,)(?=[^)]*\bBase\b)[^)]*\)")


def can_matter(data: bytes) -> bool:
    """Whether a file's bytes name anything inspection looks for."""
    for anchor, words in _ANCHORS:
        if anchor not in data:
            continue
        if not words or any(word in data for word in words):
            return not _REVISION.search(data)
        if anchor == b"Settings" and _SETTINGS_SUBCLASS.search(data):
            return True
    mixed = b", Base)" in data or b"(Base," in data  # cheap, before the pattern
    return mixed and _MIXED_BASE.search(data) is not None


def names_columns(data: bytes) -> bool:
    """Columns, for the models of a base that computes their table names (`declared_attr`):
    such a model need not say `__tablename__` (see `scan_more`)."""
    return (b"Mapped[" in data or b"olumn(" in data) and not _REVISION.search(data)


def mentions_models(data: bytes) -> bool:
    """A file that would define tables if it could be read."""
    return any(word in data for word in (b"__tablename__", b"table=True", b"Table(", b"Mapped["))


def models_only(data: bytes) -> bool:
    """A file that names tables and nothing else inspection reads whole (no settings, no
    engine, no environment): its class bodies may be skimmed (see `skim`)."""
    return not any(word in data for word in (b"Settings", b"_engine", b"environ", b"getenv"))
