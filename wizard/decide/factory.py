"""Several engines made by one factory call: the first the app makes is migrated."""

from __future__ import annotations

from wizard.inspection.source import UrlSource


def one_factory(sources: list[UrlSource]) -> list[UrlSource]:
    """Engines that one factory call makes (`make_engine(DB_NAME)`, `make_engine(DB_SYS)`),
    in the order the app makes them: the first is the app's main database. Callers that
    only a command runs (`make_engine(get_url(with_database=False))` in a CLI) come after
    the one the app makes at import."""
    places = {(s.path, s.line) for s in sources}
    engines = all(s.kind == "engine" for s in sources) or sources[0].imported
    return sources if engines and len(places) == 1 and len(sources) > 1 else []


def factory_note(sources: list[UrlSource], chosen: UrlSource) -> str | None:
    """Which of one factory's engines is migrated, and how to choose another."""
    made = one_factory(sources)
    if chosen not in made:
        return None
    others = ", ".join(s.label for s in made if s is not chosen)
    return (
        f"the app makes several engines with one factory: migrating {chosen.label}, the first "
        f"it makes; choose another with --url ({others})"
    )
