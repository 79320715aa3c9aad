"""The expertise record: database engine, migrations and the service layer."""
from .session import get_engine, init_db, session_scope

__all__ = ["get_engine", "init_db", "session_scope"]
