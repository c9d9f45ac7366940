"""Decide every answer: from a flag, a remembered answer, the detected default (`--yes`), or
by asking. No inspection work here: everything comes from the inspected `Project`."""

from __future__ import annotations

from wizard.decide.questions import decide

__all__ = ["decide"]
