"""Fill the questions the flags leave open from the answers of the last run, where they
still fit the project."""

from __future__ import annotations

from collections.abc import Mapping

from wizard import urls
from wizard.answers import MODES
from wizard.inspection import Project
from wizard.options import Flags


def _text(memory: Mapping[str, object], key: str, allowed: list[str] | None = None) -> str | None:
    value = memory.get(key)
    if not isinstance(value, str) or (allowed is not None and value not in allowed):
        return None
    return value


def _labels(memory: Mapping[str, object], key: str, allowed: list[str]) -> str | None:
    """A comma-separated list of labels, when every one still fits."""
    value = _text(memory, key)
    if value is None or not all(v in allowed for v in value.split(",")):
        return None
    return value


def _models(project: Project, memory: Mapping[str, object]) -> tuple[tuple[str, ...] | None, str]:
    """The remembered model modules, or None and a note when the project has new ones."""
    listed = memory.get("models")
    if not isinstance(listed, list):
        return None, ""
    static = set(project.model_modules)
    new = sorted(static - set(listed))
    if new:  # the project changed since: ask again (all ticked by default)
        return None, f"new model modules since the last run: {', '.join(new)}"
    return tuple(m for m in listed if m in static) or None, ""


def recall(project: Project, flags: Flags) -> tuple[Flags, list[str]]:
    """Flags win; remembered answers fill the rest. Returns the notes to show."""
    memory = project.remembered
    models, note = _models(project, memory)
    env_file = _text(memory, "env-file")
    add_deps = memory.get("add-deps")
    remembered = Flags(
        settings=_text(memory, "settings", [s.label for s in project.settings]),
        url=_text(memory, "url", [s.label for s in project.sources]),
        metadata=_labels(memory, "metadata", [m.label for m in project.metadatas]),
        env_file=str(project.root / env_file) if env_file else None,
        mode=_text(memory, "mode", list(MODES)),
        dialect=_text(memory, "dialect", list(urls.DIALECTS)),
        sync_driver=_text(memory, "sync-driver"),
        models=models,
        migrations=_text(memory, "migrations"),
        add_deps=add_deps if isinstance(add_deps, bool) else None,
    )
    merged = {name: getattr(flags, name) for name in Flags.__dataclass_fields__}
    for name, value in merged.items():
        if value is None:
            merged[name] = getattr(remembered, name)
    return Flags(**merged), [note] if note else []
