"""Render the Jinja2 templates: inside the wheel at `wizard/templates`, in a checkout at
`templates/`. (Reading the wizard's own templates is not reading the user's project.)"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent.parent  # wizard/


def templates_dir() -> Path:
    """Where the templates are: packaged beside the code, or the source tree's `templates/`."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent / "templates"):
        if (candidate / "env.py.j2").is_file():
            return candidate
    raise FileNotFoundError("alembic-wizard's templates are missing from this installation")


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render(name: str, **context: Any) -> str:
    """Render one template with `context`; undefined names are errors, not blanks."""
    return str(_environment().get_template(name).render(**context))
