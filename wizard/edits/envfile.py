"""`.env` files: read bindings with their line numbers, add a key, keep every other byte.

python-dotenv's parser keeps each binding's original text, so the file is rebuilt from the
original pieces; its `set_key` is not used because it re-quotes and drops `export`.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from wizard.errors import WizardError

_NEEDS_QUOTES = re.compile(r"[\s#'\"$\\`]")


@dataclass(frozen=True)
class Binding:
    """One `KEY=value` line."""

    key: str
    value: str | None
    line: int
    text: str  # the original text, newline included


@dataclass(frozen=True)
class EnvFile:
    """A parsed env file: its pieces, in order, joined give back the text."""

    path: Path
    pieces: tuple[Binding | str, ...]

    def get(self, key: str, *, case_sensitive: bool = False) -> Binding | None:
        """The last binding of `key` (the one dotenv keeps)."""
        found = None
        for piece in self.pieces:
            if isinstance(piece, Binding) and _same(piece.key, key, case_sensitive):
                found = piece
        return found

    def keys(self) -> list[str]:
        """Every key, in file order."""
        return [p.key for p in self.pieces if isinstance(p, Binding)]


def _same(a: str, b: str, case_sensitive: bool) -> bool:
    return a == b if case_sensitive else a.lower() == b.lower()


def parse(text: str, path: Path) -> EnvFile:
    """Parse env-file text; a line dotenv cannot read is an error naming file and line."""
    parse_stream = _dotenv_parser().parse_stream
    pieces: list[Binding | str] = []
    if text.startswith("\ufeff"):  # a byte-order mark: kept, but not part of the first key
        pieces.append("\ufeff")
        text = text[1:]
    for b in parse_stream(io.StringIO(text)):
        if b.error:
            head = b.original.string.strip()
            what = f"the line of {head.split('=', 1)[0].strip()}" if "=" in head else "a line"
            raise WizardError(
                f"cannot parse {what}",
                path=path,
                line=b.original.line,
                hint="env lines look like KEY=value; quote values with spaces",
            )
        if b.key is None:
            pieces.append(b.original.string)
        else:
            pieces.append(Binding(b.key, b.value, b.original.line, b.original.string))
    return EnvFile(path, tuple(pieces))


def _dotenv_parser() -> ModuleType:
    """python-dotenv's parser module. Loaded on its own where the package is not imported
    yet: the package's `__init__` imports logging, tempfile and shutil (6 ms of every
    `inspect`), and reading a file needs none of them. A later `import dotenv` reuses it."""
    loaded = sys.modules.get("dotenv.parser")
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("dotenv")
    folders = list(package.submodule_search_locations or []) if package else []
    spec = (
        importlib.util.spec_from_file_location("dotenv.parser", Path(folders[0]) / "parser.py")
        if folders
        else None
    )
    if spec is None or spec.loader is None:
        import dotenv.parser  # the ordinary way, whatever it costs

        return dotenv.parser
    module = importlib.util.module_from_spec(spec)
    sys.modules["dotenv.parser"] = module
    spec.loader.exec_module(module)
    return module


def _newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def format_binding(model: Binding, key: str, value: str, newline: str) -> str:
    """`KEY=value` in the style of `model`: `export` kept, quoted when the value needs it."""
    stripped = model.text.lstrip()
    indent = model.text[: len(model.text) - len(stripped)]
    export = "export " if stripped.startswith("export ") else ""
    after_eq = stripped.split("=", 1)[1].lstrip() if "=" in stripped else ""
    quote = after_eq[:1] if after_eq[:1] in ("'", '"') else ""
    if _NEEDS_QUOTES.search(value):
        # python-dotenv decodes \\ and \' inside single quotes too: those go in double quotes
        quote = "'" if not any(c in value for c in "'\\") else '"'
        if quote == '"':
            value = value.replace("\\", "\\\\").replace('"', '\\"')
    return f"{indent}{export}{key}={quote}{value}{quote}{newline}"


def insert_after(env: EnvFile, text: str, after: str, key: str, value: str) -> str:
    """The file's text with `key=value` on the line after the binding of `after`."""
    newline = _newline_of(text)
    out: list[str] = []
    anchor = env.get(after)
    for piece in env.pieces:
        if isinstance(piece, Binding):
            out.append(piece.text)
            if piece is anchor:
                if not piece.text.endswith(("\n", "\r")):
                    out[-1] += newline
                    new = format_binding(piece, key, value, "")
                else:
                    new = format_binding(piece, key, value, newline)
                out.append(new)
        else:
            out.append(piece)
    if anchor is None:
        model = Binding(key, value, 0, "")
        if text and not text.endswith(("\n", "\r")):
            out.append(newline)
        out.append(format_binding(model, key, value, newline))
    return "".join(out)
