"""Kills, Ctrl-C and concurrent runs during an apply: every file stays all-old or all-new, the
run says exactly what it left, and `undo` or a re-run reaches a clean state. The signals are
real: the wizard's test hook (`ALEMBIC_WIZARD_TEST_KILL_AT`) makes its own process send them
at a chosen write or replace, and Ctrl-C is typed into a real terminal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect

from conftest import REPO, copy_project, tree_hash, wizard, wizard_process

sys.path.insert(0, str(REPO / "benchmarks"))
from crash_sweep import STAMP, classify, sweep, told  # noqa: E402

OURS = ".alembic-wizard/"


def _theirs(top: Path) -> dict[str, str]:
    """The project's own files (the wizard's folder left out)."""
    return {k: v for k, v in tree_hash(top).items() if not k.startswith(OURS)}


def _hook(at: str, sig: str = "KILL") -> dict[str, str]:
    return {
        **os.environ,
        "ALEMBIC_WIZARD_TEST_KILL_AT": at,
        "ALEMBIC_WIZARD_TEST_KILL_SIGNAL": sig,
    }


def _finished(tmp_path: Path) -> dict[str, str]:
    """The project's files after an uninterrupted run."""
    reference = copy_project("sqlite_app", tmp_path / "reference")
    assert wizard("--yes", "--no-verify", cwd=reference).returncode == 0
    return _theirs(reference)


def test_crash_sweep_leaves_no_torn_file_and_undo_or_a_rerun_repairs_each(tmp_path: Path) -> None:
    # one kill per kind of step: a backup, the manifest, a temp file, right after a replace
    # (before its journal line), and after the last replace (before `applied`)
    fixture = REPO / "tests" / "fixtures" / "sqlite_app"
    ks = ["backup:2", "manifest", "temp:3", "journal:4", "applied"]
    counts = sweep(fixture, tmp_path, "KILL", ks)
    assert (counts.kills, counts.torn, counts.unrecoverable) == (5, 0, 0), counts.problems


def test_a_rerun_after_a_kill_rolls_back_first_and_backs_up_the_originals(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    original = _theirs(project)
    env_bytes = (project / ".env").read_bytes()
    killed = wizard_process("--yes", "--no-verify", cwd=project, env=_hook("replace:3"))
    assert killed.returncode == -signal.SIGKILL
    assert _theirs(project) != original  # two files replaced, the others not
    assert not [k for k in _theirs(project) if k.endswith(".tmp")]  # temp files stay in ours
    assert (project / OURS / ".gitignore").read_text().splitlines()[-1] == "*"
    assert list((project / OURS / "tmp").iterdir())  # the temp file of the next replace
    again = wizard("--yes", "--no-verify", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "an apply was cut short (backup-0001-" in again.stderr
    assert _theirs(project) == _finished(tmp_path)
    assert not list((project / OURS / "tmp").iterdir())  # the stale temp file is gone
    (record,) = (project / OURS).glob("backup-*")  # the cut-short record is gone
    assert (record / ".env").read_bytes() == env_bytes  # a backup of the original, not a mix
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert _theirs(project) == original


def test_undo_after_a_kill_restores_the_replaced_files_and_leaves_the_others(
    tmp_path: Path,
) -> None:
    project = copy_project("sqlite_app", tmp_path)
    original = _theirs(project)
    killed = wizard_process("--yes", "--no-verify", cwd=project, env=_hook("replace:5"))
    assert killed.returncode == -signal.SIGKILL
    manifest = json.loads(next((project / OURS).glob("backup-*/manifest.json")).read_text())
    replaced = [e["path"] for e in manifest["files"][:4]]
    undone = wizard("undo", "--yes", cwd=project)
    assert undone.returncode == 0, undone.stderr
    restored = [line.split()[-1] for line in undone.stderr.splitlines() if "restore" in line]
    assert restored == replaced  # exactly the four files the kill left new
    assert _theirs(project) == original


def test_sigint_and_sigterm_during_apply_put_every_file_back(tmp_path: Path) -> None:
    for at, sig in (("replace:3", "INT"), ("temp:2", "INT"), ("journal:2", "TERM")):
        project = copy_project("sqlite_app", tmp_path / f"{at}-{sig}")
        original = _theirs(project)
        done = wizard_process("--yes", "--no-verify", cwd=project, env=_hook(at, sig))
        assert done.returncode == 130, done.stderr
        assert done.stderr.strip().endswith("interrupted; every file was put back")
        assert _theirs(project) == original
        assert not list((project / OURS).glob("backup-*"))  # nothing is left to undo


def test_sigint_after_the_last_replace_says_the_files_were_written(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    original = _theirs(project)
    done = wizard_process("--yes", "--no-db", cwd=project, env=_hook("applied", "INT"))
    assert done.returncode == 130
    assert done.stderr.strip().endswith(
        "interrupted during verification; the files were written: undo with `alembic-wizard undo`"
    )
    assert _theirs(project) == _finished(tmp_path)
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert _theirs(project) == original


def _spawn(project: Path, env: dict[str, str] | None = None) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable, ["-m", "wizard", "--no-verify", "--project", str(project), "--mode", "sync",
                         "--migrations", "migrations", "--add-deps"],
        env=env, encoding="utf-8", timeout=120, dimensions=(40, 120),
    )  # fmt: skip


def _answer_to_confirm(child: pexpect.spawn) -> None:
    child.expect("model modules")  # the other questions are answered by flags
    child.send("\r")  # all of them
    child.expect(r"Write these \d+ file")


def test_ctrl_c_at_the_confirm_prompt_in_a_terminal_writes_nothing(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    child = _spawn(project)
    _answer_to_confirm(child)
    child.sendcontrol("c")
    child.expect("interrupted; nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert tree_hash(project) == before  # not even .alembic-wizard/


def test_ctrl_c_at_a_replace_in_a_terminal_puts_every_file_back(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    before = tree_hash(project)
    child = _spawn(project, _hook("replace:4", "INT"))  # lands as the 4th file is renamed
    _answer_to_confirm(child)
    child.send("y")
    child.expect("interrupted; every file was put back")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert _theirs(project) == before


def _stopped_run(project: Path, at: str) -> subprocess.Popen[str]:
    """A run that stops itself (SIGSTOP) at step `at` of its apply, holding the lock (its
    messages go to a file: a full pipe would stop it before the apply)."""
    err = (project.parent / "first.err").open("w+")
    child = subprocess.Popen(
        [sys.executable, "-m", "wizard", "--no-color", "--yes", "--no-verify"],
        cwd=project, env=_hook(at, "STOP"), stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=err, text=True,
    )  # fmt: skip
    _, status = os.waitpid(child.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status), status
    return child


def test_a_second_run_is_refused_while_the_first_holds_the_project(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    original = _theirs(project)
    first = _stopped_run(project, "replace:3")
    during = _theirs(project)
    second = wizard("--yes", "--no-verify", "--mode", "async", cwd=project)
    lock = project / ".alembic-wizard/lock"
    assert second.returncode == 2
    assert f"another alembic-wizard run holds {lock}; wait for it" in second.stderr
    assert wizard("undo", "--yes", cwd=project).returncode == 2
    assert _theirs(project) == during
    first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=120) == 0, (tmp_path / "first.err").read_text()
    assert _theirs(project) == _finished(tmp_path)  # the first run's setup, whole: no hybrid
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert _theirs(project) == original


def test_an_edit_landing_just_before_a_replace_is_kept(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    original = _theirs(project)
    first = _stopped_run(project, "replace:3")  # files 1 and 2 are replaced already
    manifest = json.loads(next((project / OURS).glob("backup-*/manifest.json")).read_text())
    edited = project / manifest["files"][2]["path"]
    edited.write_text(edited.read_text() + "# my edit\n")
    mine = tree_hash(project)[manifest["files"][2]["path"]]
    first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=120) == 2
    err = (tmp_path / "first.err").read_text()
    rel = manifest["files"][2]["path"]
    assert f"{rel}: changed while the wizard was writing; every file was put back" in err
    assert _theirs(project) == {**original, rel: mine}


def test_a_run_started_ignoring_sigint_keeps_ignoring_it_during_apply(tmp_path: Path) -> None:
    project = copy_project("sqlite_app", tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "wizard", "--no-color", "--yes", "--no-verify"],
        cwd=project, env=_hook("replace:2", "INT"), capture_output=True, text=True,
        stdin=subprocess.DEVNULL, check=False,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # nohup, `cmd &`
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _theirs(project) == _finished(tmp_path)


def test_ctrl_c_typed_while_the_verification_runs_keeps_the_files_and_says_so(
    tmp_path: Path,
) -> None:
    """Ctrl-C in a real terminal while the verification process is loading env.py (a model
    module that takes its time to import, and says when it starts): the files are all
    written and stay; the run says so and how to undo them (it used to say "nothing was
    written")."""
    project = copy_project("sqlite_app", tmp_path)
    started = tmp_path / "importing"
    slow = project / "src/notes/models/tag.py"
    slow.write_text(
        f"import pathlib, time\n\npathlib.Path({str(started)!r}).touch()\ntime.sleep(60)\n"
        + slow.read_text()
    )
    original = _theirs(project)
    child = pexpect.spawn(
        sys.executable, ["-m", "wizard", "--no-color", "--yes", "--no-db", "--project", str(project)],
        encoding="utf-8", timeout=120, dimensions=(40, 120),
    )  # fmt: skip
    child.expect("backups of the modified files")  # every file is written now
    for _ in range(600):  # the verification process is importing the models
        if started.exists():
            break
        time.sleep(0.05)
    assert started.exists()
    child.sendintr()  # Ctrl-C, as the terminal sends it to the foreground group
    child.expect("interrupted during verification; the files were written: undo with")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert _theirs(project) != original and (project / "migrations/env.py").is_file()
    assert wizard("undo", "--yes", cwd=project).returncode == 0
    assert _theirs(project) == original


def test_ctrl_c_after_undo_restored_every_file_finishes_it_and_says_so(tmp_path: Path) -> None:
    # a Ctrl-C between the last restore and the record's rename said "nothing was written"
    # with every file restored, and left the record as if not undone
    project = copy_project("sqlite_app", tmp_path)
    original = _theirs(project)
    assert wizard("--yes", "--no-verify", cwd=project).returncode == 0
    done = wizard_process("undo", "--yes", cwd=project, env=_hook("undone", "INT"))
    assert done.returncode == 0, done.stderr
    assert "nothing was written" not in done.stderr and "undone: the apply" in done.stderr
    assert _theirs(project) == original
    assert not list((project / OURS).glob("backup-*")) and list((project / OURS).glob("undone-*"))


def test_a_kill_in_undo_s_restores_is_finished_by_a_second_undo(tmp_path: Path) -> None:
    fixture = REPO / "tests" / "fixtures" / "sqlite_app"
    counts = sweep(fixture, tmp_path, "KILL", ["restore:2", "undone"], "undo")
    assert (counts.kills, counts.torn, counts.unrecoverable) == (2, 0, 0), counts.problems


def test_the_sweep_classifies_each_line_and_checks_each_message() -> None:
    assert classify("k=1: torn=[] undo ok, re-run ok") == (False, False, False)
    assert classify("k=2: torn=['a.py'] undo ok, re-run ok") == (True, False, False)
    assert classify("k=3: torn=[] re-run failed (2): x") == (False, True, False)
    assert classify("k=4: NOT AS TOLD torn=[]: interrupted") == (False, False, True)
    assert classify("k=5: exit 1: internal error") == (False, False, True)
    old, new = {"a": b"1"}, {"a": b"2", "<revision>": b"present", STAMP: b"ours"}
    assert told("interrupted; nothing was written", 130, old, old, new)
    assert not told("interrupted; nothing was written", 130, new, old, new)
    written = {"a": b"2", "<revision>": b"present"}  # the files, not the stamp
    assert told("interrupted; the files were written: undo", 130, written, old, new)
    assert not told("interrupted; the files were written: undo", 130, old, old, new)
    assert told("interrupted after the database was stamped: it is adopted", 130, new, old, new)
    assert told("interrupted while stamping the database", 130, written, old, new)
    foreign = {**written, STAMP: b"abc123"}  # a stamp naming no revision there: never told
    assert not told("interrupted while stamping the database", 130, foreign, old, new)
    assert told("", 0, new, old, new) and not told("", 0, old, old, new)
