"""Answer one question at a time, the same way for every question: from a flag, else the
detected default (`--yes`), else by asking."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

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
        self,
        what: str,
        flag: str,
        given: str | None,
        choices: Sequence[str],
        default: str | None,
        help: Mapping[str, str] | None = None,
        places: Sequence[str] = (),
    ) -> str:
        """One of `choices`; `default` None means there is no single sensible default. A
        flag that names none of them is an error, or, with someone to ask, asked again.
        `places`: where each choice is written (`app/config.py:4`), for the message."""
        question = f"Which {what}?"
        if given is not None:
            if given in choices:
                return given
            why = f"{flag} {given!r} is not one of: {', '.join(choices)}"
            if self.yes or not self.interactive:
                raise WizardError(why, hint=f"{flag} VALUE")
            question = f"Which {what}? ({why})"
        elif len(choices) == 1:
            return choices[0]
        elif not self._may_ask(what, flag):
            if default is None:
                wheres = [*places, *[""] * len(choices)]
                named = [f"{c} ({w})" if w else c for c, w in zip(choices, wheres, strict=False)]
                raise Ambiguous(
                    f"several {what} candidates: {', '.join(named)}",
                    hint=f"choose one with {flag}",
                )
            return default
        return prompts.select(question, choices, default or choices[0], help)

    def many(
        self, what: str, flag: str, given: Sequence[str] | None, choices: Sequence[str]
    ) -> tuple[str, ...]:
        """Some of `choices`, all of them by default."""
        if given is not None:
            return tuple(given)
        if len(choices) == 1:  # the files decide: unticking the only one cannot be right
            return tuple(choices)
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

    def text(
        self,
        what: str,
        flag: str,
        given: str | None,
        default: str,
        check: Callable[[str], str | None] = lambda _: None,
    ) -> str:
        """Free text with a default; `check` says why an answer is refused (None: fine).
        A refused answer is asked again with the reason, when there is someone to ask."""
        question = f"The {what}?"
        if given is not None:
            why = check(given)
            if why is None:
                return given
            if self.yes or not self.interactive:
                raise WizardError(f"{flag} {given!r}: {why}", hint=f"{flag} VALUE")
            question = f"The {what}? ({flag} {given!r}: {why})"
        elif not self._may_ask(what, flag):
            why = check(default)
            if why is not None:
                raise WizardError(f"{default!r}: {why}", hint=f"pass {flag}")
            return default
        return prompts.text(question, default, check)

    def insist(self, question: str) -> bool:
        """Go on despite a flag the files contradict? Only someone at a terminal can say so."""
        return not self.yes and self.interactive and prompts.confirm(question, default=True)
