"""Engine and sessions. ``LEXPERT_DATABASE_URL`` (any SQLAlchemy URL, e.g.
``postgresql+psycopg://user@host/db``) or, with no setup, an SQLite file in
``LEXPERT_HOME`` (default ``~/.lexpert``). ``init_db`` brings the schema to the latest
Alembic migration."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)


def default_url() -> str:
    from ...settings import get_settings, lexpert_home

    return get_settings().database_url or f"sqlite:///{lexpert_home() / 'lexpert.sqlite'}"


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    url = url or default_url()
    if url.startswith("sqlite"):
        eng = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(eng, "connect")
        def _fk(dbapi_conn, _):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()
        return eng
    return create_engine(url, pool_pre_ping=True)


def init_db(url: str | None = None) -> Engine:
    """Create or upgrade the schema (Alembic ``upgrade head``) and return the engine."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    eng = get_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with eng.begin() as conn:
        before = MigrationContext.configure(conn).get_current_revision()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        after = MigrationContext.configure(conn).get_current_revision()
    where = eng.url.render_as_string(hide_password=True)
    if before != after:
        log.info("database %s: schema migrated from %s to %s", where, before or "empty", after)
    else:
        log.debug("database %s: schema at %s", where, after)
    return eng


@lru_cache(maxsize=8)
def _factory(url: str) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None):
    """A transaction: committed on success, rolled back on any error (nothing half-written)."""
    s: Session = _factory(url or default_url())()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()
