"""How env.py reaches the app's async URL: one `UrlSource` per engine the app creates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from wizard.inspection.settings import Settings

SourceKind = Literal[
    "field", "computed", "environ", "literal", "helper", "engine", "constant", "expression"
]


@dataclass(frozen=True)
class UrlSource:
    """How env.py reaches the app's URL, and what inspection knows of its value."""

    kind: SourceKind
    label: str  # what the user chooses among (and --url names)
    settings: Settings | None  # field and computed kinds: the class, its URL field set
    env_key: str | None  # the variable that holds the URL in env files
    sync_key: str  # the variable for the sync URL
    expr: str  # env.py's expression for the app's URL
    imports: tuple[str, ...] = ()  # what env.py imports for `expr`
    setup: str = ""  # statements env.py runs after its imports
    default: str | None = None  # the value as the code alone gives it (None: unknown)
    default_is_literal: bool = False  # written as a literal string, not put together
    shape: str | None = None  # the same with unknown parts as placeholders: dialect, driver
    path: Path | None = None  # where the value (or the engine) is written
    line: int | None = None
    settings_path: Path | None = None  # the module that declares the URL field (edited)
    imported: bool = False  # the app made this engine when its modules were imported

    @property
    def loads_dotenv(self) -> bool:
        """env.py loads the env file itself: nothing else reads it for the URL."""
        return self.settings is None or not self.settings.env_files

    @property
    def case_sensitive(self) -> bool:
        return self.settings.case_sensitive if self.settings else True
