"""`alembic-wizard undo`: the last apply's record named and asked about (at a terminal;
--yes skips the question), then its files put back, and what adopt left in the database
said."""

from __future__ import annotations

from pathlib import Path

from wizard import jsonout
from wizard.decide import prompts
from wizard.errors import NotInteractive
from wizard.journal import Record
from wizard.options import Options, read_project
from wizard.show import status_line
from wizard.stamps import pending, stamped
from wizard.store import BACKUP_DIR
from wizard.undo import last_record, undo
from wizard.writing import say


def undo_command(options: Options) -> int:
    """Put back what the last setup wrote."""
    top = given = options.project.resolve()
    if not (top / BACKUP_DIR).is_dir():  # backups live beside alembic.ini, in the project root
        top = read_project(options).root
    record = last_record(top, outside=options.follow_outside, project=given)
    if not _undo_confirmed(record, top, options):
        say("nothing was undone")
        return 0
    folder, paths = undo(top, record.folder, outside=options.follow_outside, project=given)
    restored = []
    for path in paths:
        try:
            restored.append(path.relative_to(top).as_posix())
        except ValueError:
            restored.append(str(path))
        say(status_line("restore", restored[-1], color=options.color))
    kept = folder.name.replace("backup-", "undone-", 1)
    say(f"undone: the apply recorded in {folder.name} (its backups are kept in {kept})")
    revision = stamped(folder.with_name(kept))
    if revision is not None:  # the files are back; the database is not adopt's to unstamp
        say(
            f"note: adopt stamped the database at {revision}, a revision the scripts no longer"
            " have: `alembic stamp --purge base` removes the stamp (tables and rows stay)"
        )
    cut = pending(folder.with_name(kept))
    if cut is not None:
        say(
            f"note: adopt was cut short while stamping the database at {cut}; if the stamp "
            f"was written (`alembic current` then fails: Can't locate revision {cut}), "
            "`alembic stamp --purge base` removes it (tables and rows stay)"
        )
    if options.json:
        body = {"restored": restored, "backup": folder.name, "kept": kept, "stamped": revision}
        print(jsonout.dumps("undo", 0, body))
    return 0


def _undo_confirmed(record: Record, top: Path, options: Options) -> bool:
    """--yes, or yes to the question that names the backup folder (at a terminal; --json
    asks nothing: a script passes --yes)."""
    if options.yes:
        return True
    where = record.folder.relative_to(top).as_posix()
    if not options.interactive or options.json:
        raise NotInteractive(
            f"undo asks before it puts back the files the apply in {where} wrote, and "
            + ("--json asks nothing" if options.json else "there is no terminal to ask"),
            hint="pass --yes to put them back",
        )
    count = sum(1 for entry in record.entries if not entry.internal)
    say(f"undo: the apply recorded in {where} ({count} file(s))")
    return prompts.confirm("Put its files back as they were before it?")
