"""Engine and sessions. ``LEXPERT_DATABASE_URL`` (any SQLAlchemy URL, e.g.
``postgresql+psycopg://user@host/db``; PostgreSQL is the production database) or, with no
setup, an SQLite file in ``LEXPERT_HOME`` (default ``~/.lexpert``). ``init_db`` brings the
schema to the latest Alembic migration.

Concurrency. Both engines keep a connection pool (``LEXPERT_DB_POOL_SIZE`` connections,
``LEXPERT_DB_MAX_OVERFLOW`` more under load, a caller waits ``LEXPERT_DB_POOL_TIMEOUT`` s
for one; PostgreSQL connections are pinged before use and recycled after 30 min). SQLite
runs in WAL mode (readers never wait for the writer) with a busy timeout of
``SQLITE_BUSY_TIMEOUT_S``, and a *write* session (``session_scope(write=True)``, the
default) opens its transaction with ``BEGIN IMMEDIATE``: it takes the file's one write
lock at its first statement, waiting up to the busy timeout for another writer to commit,
instead of reading first and failing with «database is locked» when it tries to write
after another writer committed. A read session (``write=False``) opens a plain ``BEGIN``."""
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


SQLITE_BUSY_TIMEOUT_S = 30
WRITE = "lexpert_write"     # execution option of a write session's connection: BEGIN IMMEDIATE on SQLite


def _pool_args() -> dict:
    from ...settings import get_settings

    sv = get_settings()
    return {"pool_size": sv.db_pool_size, "max_overflow": sv.db_max_overflow, "pool_timeout": sv.db_pool_timeout}


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    url = url or default_url()
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        eng = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
                            **({} if memory else _pool_args()))

        @event.listens_for(eng, "connect")
        def _on_connect(dbapi_conn, _):
            dbapi_conn.isolation_level = None     # the driver opens no transaction itself: _begin does
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cur.close()

        @event.listens_for(eng, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")
        return eng
    return create_engine(url, pool_pre_ping=True, pool_recycle=1800, **_pool_args())


def init_db(url: str | None = None) -> Engine:
    """Create or upgrade the schema (Alembic ``upgrade head``) and return the engine."""
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    eng = get_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with eng.execution_options(**{WRITE: True}).begin() as conn:
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


@lru_cache(maxsize=16)
def _factory(url: str, write: bool) -> sessionmaker:
    return sessionmaker(bind=get_engine(url).execution_options(**{WRITE: write}), expire_on_commit=False)


def new_session(url: str | None = None, *, write: bool = True) -> Session:
    """A session not yet connected (it takes a connection from the pool at its first statement);
    end it with :func:`end_session`. :func:`session_scope` is the two together."""
    return _factory(url or default_url(), write)()


def end_session(s: Session, ok: bool) -> None:
    """Commit (``ok``) or roll back, then close: the connection goes back to the pool."""
    try:
        if ok:
            s.commit()
        else:
            s.rollback()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


def pool_capacity(url: str | None = None) -> int:
    """How many connections the engine's pool gives out at most (its size plus its overflow)."""
    pool = get_engine(url).pool
    size = getattr(pool, "size", None)
    overflow = getattr(pool, "_max_overflow", 0)
    if not callable(size) or overflow < 0:
        return 1_000_000                  # no limit (an in-memory database's pool, or max_overflow -1)
    return size() + overflow


@contextmanager
def session_scope(url: str | None = None, *, write: bool = True):
    """A transaction: committed on success, rolled back on any error (nothing half-written).
    ``write=False`` for a session that only reads (on SQLite it then never takes the write lock)."""
    s = new_session(url, write=write)
    ok = False
    try:
        yield s
        ok = True
    finally:
        end_session(s, ok)
