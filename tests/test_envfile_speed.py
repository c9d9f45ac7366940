"""The fast paths are the slow paths' answers: the env parser gives python-dotenv's own
bindings (keys, values, lines, text), the diff of the changed region is difflib's diff of
the whole files. (Speed itself is measured in benchmarks/large_env.py, not here.)"""

from __future__ import annotations

import difflib
import io
import random
from pathlib import Path

from dotenv.parser import parse_stream

from wizard.change import Change
from wizard.edits import envfile
from wizard.show import diff

ATOMS = ["A=1", "export B=2", "  C = 3 ", "D='x y'", 'E="a\\"b"', "# c", "", "   ", "F=a # c",
         "G=#x", "H", "I=${A}", "export =1", "export", "export=1", "J= 'q'", 'K="multi\nline"',
         "L=x\r", "M='un", "'N'=1", "O==x", "P=\t v \t", "\\x", "Q=a#b", "R=é ü", "S=  # only",
         "T='a'#c", "U='a' b", "W:1", "X =", "=Y"]  # fmt: skip
SEPARATORS = ["\n", "\r\n", "\r", "\n\n", " \n"]


def _random_env(rng: random.Random) -> str:
    text = "".join(rng.choice(ATOMS) + rng.choice(SEPARATORS) for _ in range(rng.randint(1, 6)))
    return text.rstrip("\n") if rng.random() < 0.3 else text


def test_the_env_parser_reads_what_python_dotenv_reads() -> None:
    rng = random.Random(8)
    for _ in range(3000):
        text = _random_env(rng)
        theirs = [(b.key, b.value, b.original.line, b.original.string, b.error)
                  for b in parse_stream(io.StringIO(text))]  # fmt: skip
        assert list(envfile._bindings(text)) == theirs, repr(text)


def test_resolved_is_dotenv_values() -> None:
    from dotenv import dotenv_values

    text = "A=1\nB=${A}-x\nC='${B}'\nD=${NOPE:-dflt}\nA=2\nE=${A}\n"
    env = envfile.parse(text, Path(".env"))
    assert envfile.resolved(env) == dict(dotenv_values(stream=io.StringIO(text)))


def _whole(change: Change) -> str:
    before = (change.before or "").splitlines(keepends=True)
    lines = difflib.unified_diff(before, change.after.splitlines(keepends=True),
                                 "a/x" if change.before is not None else "/dev/null", "b/x")  # fmt: skip
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n"
                   for ln in lines)  # fmt: skip


def test_the_diff_of_the_changed_region_is_the_whole_diff() -> None:
    rng = random.Random(3)
    for _ in range(3000):
        old = [f"l{rng.randint(0, 5)}\n" for _ in range(rng.randint(0, 60))]
        new = list(old)
        for _ in range(rng.randint(0, 3)):
            at = rng.randint(0, len(new))
            if rng.random() < 0.5:
                new.insert(at, f"new{rng.randint(0, 3)}\n")
            elif new:
                new[min(at, len(new) - 1)] = "changed\n"
        before, after = "".join(old), "".join(new)
        if rng.random() < 0.2:
            after = after.rstrip("\n")
        change = Change(Path("x"), None if rng.random() < 0.05 else before, after, "t")
        assert diff(change, "x") == _whole(change)


def test_a_large_env_diff_is_the_new_line() -> None:
    body = "".join(f"K{i}=v{i}\n" for i in range(200_000))
    before = "DATABASE_URL=sqlite+aiosqlite:///x.db\n" + body
    after = before.replace("x.db\n", "x.db\nDATABASE_URL_SYNC=sqlite:///x.db\n", 1)
    shown = diff(Change(Path(".env"), before, after, "t"), ".env")
    assert shown.count("\n") == 8  # two headers, the hunk, the new line and 4 of context
    assert "@@ -1,4 +1,5 @@" in shown and "+DATABASE_URL_SYNC=sqlite:///x.db" in shown
