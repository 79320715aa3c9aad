"""The expertise record: database engine, migrations and the service layer.

The engine helpers are imported on first use, so ``lexpert.expertise.db.vocab`` (the record's
vocabularies, read by the command line) does not pull in SQLAlchemy."""
__all__ = ["get_engine", "init_db", "session_scope"]


def __getattr__(name):
    if name in __all__:
        from . import session

        return getattr(session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
