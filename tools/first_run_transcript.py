"""Record, as text, a new user's first run in a real terminal (tmux): a fresh uv project
with FastAPI, async SQLAlchemy and asyncpg on a real PostgreSQL, the wizard installed as a
uv tool from this checkout, every question answered with Enter (the defaults, yes to the
install), then the "Next" commands typed verbatim. Twice: on an empty database (ends with
the tables made by the first revision) and on one the app's `create_all` filled (ends
adopted). Writes docs/transcripts/*.txt.

    python3 tools/first_run_transcript.py   # needs tmux, uv, psql and PostgreSQL on 127.0.0.1
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "transcripts"
DATABASE = "shop_first_run"
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
FILES = {
    "app/__init__.py": "",
    "app/settings.py": """\
        from pydantic_settings import BaseSettings, SettingsConfigDict


        class Settings(BaseSettings):
            model_config = SettingsConfigDict(env_file=".env")

            database_url: str


        settings = Settings()
        """,
    "app/db.py": """\
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
        from sqlalchemy.orm import DeclarativeBase

        from app.settings import settings

        engine = create_async_engine(settings.database_url)
        SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


        class Base(DeclarativeBase):
            pass
        """,
    "app/models.py": """\
        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import Mapped, mapped_column

        from app.db import Base


        class Customer(Base):
            __tablename__ = "customers"

            id: Mapped[int] = mapped_column(primary_key=True)
            email: Mapped[str] = mapped_column(String(200), unique=True)


        class Order(Base):
            __tablename__ = "orders"

            id: Mapped[int] = mapped_column(primary_key=True)
            customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
            total_cents: Mapped[int]
        """,
    "app/main.py": """\
        from contextlib import asynccontextmanager

        from fastapi import FastAPI

        from app.db import Base, engine
        from app import models  # noqa: F401


        async def create_tables() -> None:  # what the app did before it had migrations
            async with engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)


        @asynccontextmanager
        async def lifespan(app: FastAPI):
            await create_tables()
            yield


        app = FastAPI(lifespan=lifespan)
        """,
}


def sh(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def psql(sql: str, database: str = "postgres") -> str:
    return sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atc", sql)


class Terminal:
    """A tmux session running an interactive bash in `cwd`, read back as text."""

    def __init__(self, cwd: Path, path: str) -> None:
        self.name = f"first-run-{int(time.time())}"
        # the machine's own settings (certificates, package index) kept; no venv active
        unset = " ".join(f"-u {k}" for k in ("VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT"))
        shell = f"env {unset} PATH={path} TERM=xterm-256color PS1='$ ' bash --norc -i"
        sh("tmux", "new-session", "-d", "-s", self.name, "-x", "112", "-y", "60", "-c", str(cwd),
           shell)  # fmt: skip

    def text(self) -> str:
        return sh("tmux", "capture-pane", "-p", "-J", "-S", "-", "-t", self.name)

    def wait(self, pattern: str, seconds: float = 300) -> None:
        """Until the screen (after the last `$` prompt line typed) shows `pattern`."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if re.search(pattern, self.text(), re.MULTILINE):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{pattern!r} never showed:\n{self.text()}")

    def type(self, keys: str, enter: bool = True) -> None:
        sh("tmux", "send-keys", "-t", self.name, "-l", keys)
        if enter:
            sh("tmux", "send-keys", "-t", self.name, "Enter")

    def prompts(self) -> int:
        return len(re.findall(r"^\$( |$)", self.text(), re.MULTILINE))

    def idle(self, before: int, seconds: float = 300) -> None:
        """Until a new, empty prompt is the last line."""
        end = time.monotonic() + seconds
        while self.prompts() <= before or self.text().rstrip().splitlines()[-1] != "$":
            if time.monotonic() > end:
                raise TimeoutError(self.text())
            time.sleep(0.5)

    def run(self, command: str, seconds: float = 300) -> None:
        """Type a command and wait for the next prompt."""
        before = self.prompts()
        self.type(command)
        self.idle(before, seconds)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False)


def project(home: Path) -> Path:
    """A fresh uv project (uv init, uv add), the app files above, a .env with the URL."""
    import textwrap

    home.mkdir(parents=True)
    root = home / "shop"
    sh("uv", "init", "-q", "--bare", "--python", "3.11", str(root))
    sh("uv", "add", "-q", "fastapi", "sqlalchemy[asyncio]", "asyncpg", "pydantic-settings",
       cwd=root)  # fmt: skip
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    (root / ".env").write_text(f"DATABASE_URL={URL}\n")
    (root / ".gitignore").write_text(".env\n.venv\n")
    return root


def record(home: Path, tool_bin: Path, name: str, create_all: bool) -> str:
    root = project(home)
    psql(f"drop database if exists {DATABASE}")
    psql(f"create database {DATABASE}")
    uv = Path(shutil.which("uv") or "uv").resolve().parent
    term = Terminal(root, f"{tool_bin}:{uv}:/usr/bin:/bin")
    try:
        term.idle(0, 30)
        if create_all:  # the app ran before it had migrations
            made = "import asyncio, app.main as m; asyncio.run(m.create_tables())"
            term.run(f'uv run python -c "{made}"')
        before = term.prompts()
        term.type("alembic-wizard")
        for question in ("migration mode", "sync driver", "migrations folder", "Declare",
                         "Write these", "Install what is missing"):  # fmt: skip
            term.wait(rf"^\? .*{question}.*\?", 120)
            term.type("", enter=True)
        if create_all:
            term.wait(r"^\? Adopt the existing database now", 300)
            term.type("", enter=True)
            term.wait(r"^\? Write these 1 file", 300)
            term.type("", enter=True)
            term.idle(before)
            term.run("uv run alembic current")
        else:
            term.idle(before)
            screen = term.text().split("\nNext:", 1)[1]
            for command in re.findall(r"^  (\S.*)$", screen, re.MULTILINE):
                term.run(command)
        term.run(f"psql -h 127.0.0.1 -U postgres -d {DATABASE} -c '\\dt'")
        return term.text().rstrip() + "\n"
    finally:
        term.close()
        psql(f"drop database if exists {DATABASE}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        tools = home / "tools"
        env_bin = tools / "bin"
        subprocess.run(["uv", "tool", "install", "-q", str(REPO)], check=True,
                       env={**__import__("os").environ, "UV_TOOL_DIR": str(tools / "uv"),
                            "UV_TOOL_BIN_DIR": str(env_bin)})  # fmt: skip
        for name, create_all in (("first-run-uv-asyncpg", False), ("first-run-create-all", True)):
            text = record(home / name, env_bin, name, create_all)
            (OUT / f"{name}.txt").write_text(text)
            print(f"wrote {OUT / name}.txt ({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
