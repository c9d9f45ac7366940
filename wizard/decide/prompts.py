"""Asking the user, through questionary. `unsafe_ask()` so Ctrl-C is KeyboardInterrupt,
not a silent None."""

from __future__ import annotations

from collections.abc import Sequence


def select(message: str, choices: Sequence[str], default: str) -> str:
    """One of `choices`, `default` highlighted."""
    import questionary

    answer: str = questionary.select(message, choices=list(choices), default=default).unsafe_ask()
    return answer


def checkbox(message: str, choices: Sequence[str], checked: Sequence[str]) -> list[str]:
    """Any of `choices`, the `checked` ones ticked to start with."""
    import questionary

    items = [questionary.Choice(c, checked=c in checked) for c in choices]
    answer: list[str] = questionary.checkbox(message, choices=items).unsafe_ask()
    return answer


def text(message: str, default: str) -> str:
    """Free text, `default` pre-filled."""
    import questionary

    answer: str = questionary.text(message, default=default).unsafe_ask()
    return answer.strip() or default


def confirm(message: str, default: bool = True) -> bool:
    """Yes or no."""
    import questionary

    answer: bool = questionary.confirm(message, default=default).unsafe_ask()
    return answer
