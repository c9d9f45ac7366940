"""Asking the user, through questionary. `unsafe_ask()` so Ctrl-C is KeyboardInterrupt,
not a silent None. On a dumb terminal, line by line instead (`lines`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wizard.decide import lines

if TYPE_CHECKING:
    from prompt_toolkit.key_binding import KeyBindings


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


_KEYS = {"y": "yes", "n": "no", "d": "diff"}
_SHOWN = {"yes": "Yes", "no": "No", "diff": "show the diff"}  # the answer, once given


def confirm_or_diff(message: str) -> str:
    """`yes`, `no`, or `diff` (the user wants to see the diff first): the keys y, n and d,
    answered without Enter as questionary's confirm is; Enter alone is yes."""
    if lines.wanted():
        return lines.confirm_or_diff(message)
    import questionary
    from prompt_toolkit import PromptSession
    from questionary.styles import merge_styles_default

    said: dict[str, str] = {}

    def tokens() -> list[tuple[str, str]]:
        shown = [("class:qmark", "?"), ("class:question", f" {message} ")]
        if not said:
            return [*shown, ("class:instruction", "(Y/n, d: show the diff first) ")]
        return [*shown, ("class:answer", _SHOWN[said["answer"]])]

    session: Any = PromptSession(
        tokens, key_bindings=_keys(said), style=merge_styles_default([None])
    )
    answer: str = questionary.Question(session.app).unsafe_ask()
    return answer


def _keys(said: dict[str, str]) -> KeyBindings:
    """y, n, d (either case) and Enter answer at once; Ctrl-C interrupts; other keys do
    nothing."""
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
    from prompt_toolkit.keys import Keys

    bindings = KeyBindings()

    def answer(value: str) -> Callable[[KeyPressEvent], None]:
        def handler(event: KeyPressEvent) -> None:
            said["answer"] = value
            event.app.exit(result=value)

        return handler

    for key, value in _KEYS.items():
        bindings.add(key)(answer(value))
        bindings.add(key.upper())(answer(value))
    bindings.add(Keys.ControlM, eager=True)(answer("yes"))

    @bindings.add(Keys.ControlC, eager=True)
    def _(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    @bindings.add(Keys.Any)
    def _(event: KeyPressEvent) -> None:
        """No other text."""

    return bindings
