"""alembic-wizard: a correct Alembic setup for async SQLAlchemy projects."""

__version__ = "0.1.0"
