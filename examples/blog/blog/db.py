"""Declarative base, async engine and session factory."""

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from blog.settings import settings


class Base(DeclarativeBase):
    pass


engine = create_async_engine(settings.database_url, echo=settings.echo_sql)

SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
