"""Text-in, text-out editors of the user's files (and the readers inspection shares with
them): `.env`, Python (LibCST), `alembic.ini`, TOML, and the user's parts of `env.py`.
No I/O here."""
