"""Answer one question at a time, the same way for every question: from a flag, else the
detected default (`--yes`), else by asking."""

from __future__ import annotations

from collections.abc import Sequence

from wizard.decide import prompts
from wizard.errors import Ambiguous, NotInteractive, WizardError
from wizard.options import Flags


class Decider:
    """The flags given, and whether there is someone to ask."""

    def __init__(self, flags: Flags, *, yes: bool, interactive: bool) -> None:
        self.flags = flags
        self.yes = yes
        self.interactive = interactive

    def _may_ask(self, what: str, flag: str) -> bool:
        if self.yes:
            return False
        if not self.interactive:
            raise NotInteractive(
                f"no terminal to ask about the {what}",
                hint=f"pass --yes to take the detected defaults, or {flag}",
            )
        return True

    def choose(
        self, what: str, flag: str, given: str | None, choices: Sequence[str], default: str | None
    ) -> str:
        """One of `choices`; `default` None means there is no single sensible default."""
        if given is not None:
            if given not in choices:
                raise WizardError(
                    f"{flag} {given!r} is not one of: {', '.join(choices)}", hint=f"{flag} VALUE"
                )
            return given
        if len(choices) == 1:
            return choices[0]
        if not self._may_ask(what, flag):
            if default is None:
                raise Ambiguous(
                    f"several {what} candidates: {', '.join(choices)}",
                    hint=f"choose one with {flag}",
                )
            return default
        return prompts.select(f"Which {what}?", choices, default or choices[0])

    def many(
        self, what: str, flag: str, given: Sequence[str] | None, choices: Sequence[str]
    ) -> tuple[str, ...]:
        """Some of `choices`, all of them by default."""
        if given is not None:
            return tuple(given)
        if not self._may_ask(what, flag):
            return tuple(choices)
        picked = prompts.checkbox(f"Which {what}?", choices, choices)
        if not picked:
            raise WizardError(f"no {what} chosen", hint="tick at least one with the space bar")
        return tuple(picked)

    def yes_no(self, question: str, flag: str, given: bool | None, default: bool) -> bool:
        """A yes-or-no question."""
        if given is not None:
            return given
        if not self._may_ask(question, flag):
            return default
        return prompts.confirm(question, default)

    def text(self, what: str, flag: str, given: str | None, default: str) -> str:
        """Free text with a default."""
        if given is not None:
            return given
        if not self._may_ask(what, flag):
            return default
        return prompts.text(f"The {what}?", default)
