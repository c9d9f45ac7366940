"""Asking the user, through questionary. `unsafe_ask()` so Ctrl-C is KeyboardInterrupt,
not a silent None. On a dumb terminal, line by line instead (`lines`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from wizard.decide import lines


def select(
    message: str, choices: Sequence[str], default: str, help: Mapping[str, str] | None = None
) -> str:
    """One of `choices`, `default` highlighted; `help` shown under the highlighted one."""
    if lines.wanted():
        return lines.select(message, choices, default, help)
    import questionary

    items = [questionary.Choice(c, value=c, description=(help or {}).get(c)) for c in choices]
    answer: str = questionary.select(message, choices=items, default=default).unsafe_ask()
    return answer


def checkbox(message: str, choices: Sequence[str], checked: Sequence[str]) -> list[str]:
    """Any of `choices`, the `checked` ones ticked to start with."""
    if lines.wanted():
        return lines.checkbox(message, choices, checked)
    import questionary

    items = [questionary.Choice(c, checked=c in checked) for c in choices]
    answer: list[str] = questionary.checkbox(message, choices=items).unsafe_ask()
    return answer


def text(message: str, default: str, check: Callable[[str], str | None]) -> str:
    """Free text, `default` pre-filled; an answer `check` refuses is shown its reason and
    not accepted (an empty answer means the default)."""
    if lines.wanted():
        return lines.text(message, default, check)
    import questionary

    def validate(typed: str) -> bool | str:
        return check(typed.strip() or default) or True

    answer: str = questionary.text(message, default=default, validate=validate).unsafe_ask()
    return answer.strip() or default


def confirm(message: str, default: bool = True) -> bool:
    """Yes or no."""
    if lines.wanted():
        return lines.confirm(message, default)
    import questionary

    answer: bool = questionary.confirm(message, default=default).unsafe_ask()
    return answer
