"""Adding the sync field with LibCST: the rest of the file byte-identical."""

from __future__ import annotations

import pytest

from wizard.edits.pyedit import add_field
from wizard.errors import WizardError

FIELD = "database_url_sync: str | None = None\n"


def test_field_goes_right_after_the_url_field_and_nothing_else_moves() -> None:
    before = (
        "from pydantic_settings import BaseSettings\r\n\r\n\r\n"
        "class Settings(BaseSettings):\r\n"
        '    """App settings."""\r\n\r\n'
        "    # where the data lives\r\n"
        "    database_url: str  # async\r\n"
        "    debug: bool = False\r\n"
    )
    after = before.replace(
        "    database_url: str  # async\r\n",
        "    database_url: str  # async\r\n    database_url_sync: str | None = None\r\n",
    )
    assert add_field(before, "Settings", "database_url", FIELD) == after


def test_tab_indented_class_keeps_its_tabs() -> None:
    before = "class S(BaseSettings):\n\tDATABASE_URL: str\n"
    out = add_field(before, "S", "DATABASE_URL", "DATABASE_URL_SYNC: str | None = None\n")
    assert (
        out
        == "class S(BaseSettings):\n\tDATABASE_URL: str\n\tDATABASE_URL_SYNC: str | None = None\n"
    )


def test_other_classes_with_the_same_field_are_left_alone() -> None:
    before = "class A:\n    database_url: str\n\n\nclass S:\n    database_url: str\n"
    out = add_field(before, "S", "database_url", FIELD)
    assert out.count("database_url_sync") == 1
    assert out.startswith("class A:\n    database_url: str\n\n\nclass S:")


def test_missing_field_is_an_error_not_a_silent_no_op() -> None:
    with pytest.raises(WizardError):
        add_field("class S:\n    x: int\n", "S", "database_url", FIELD)


def test_a_byte_order_mark_is_kept() -> None:
    before = "\ufeffclass S:\n    database_url: str\n"
    assert add_field(before, "S", "database_url", FIELD) == (
        "\ufeffclass S:\n    database_url: str\n    database_url_sync: str | None = None\n"
    )
