"""CLI of the service: ``lexpert serve`` and ``lexpert users``."""
from __future__ import annotations

import sys

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="uvicorn worker processes")
def serve(host, port, workers):
    """Run the API and the review UI (OpenAPI docs at /docs, health at /healthz)."""
    import uvicorn

    if workers > 1:
        uvicorn.run("lexpert.web.asgi:app", host=host, port=port, workers=workers)
    else:
        from ..web.app import create_app

        uvicorn.run(create_app(), host=host, port=port)


@click.group()
def users():
    """Users and roles (admin, expert, agency)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "expert", "agency"]), required=True)
@click.option("--agency", default=None, help="The developer body of an agency user (required for --role agency).")
def users_add(name, role, agency):
    """Add a user; the password is read from standard input (one line)."""
    from ..expertise.db import init_db, session_scope
    from ..web.auth import add_user

    password = sys.stdin.readline().rstrip("\n")
    init_db()
    with session_scope() as s:
        u = add_user(s, name, password, role, agency)
        click.echo(f"user {u.name} ({u.role}{', ' + u.agency if u.agency else ''}) added")


@users.command("list")
def users_list():
    """List users."""
    from sqlalchemy import select

    from ..expertise.db import init_db, session_scope
    from ..expertise.db.models import User

    init_db()
    with session_scope() as s:
        for u in s.scalars(select(User).order_by(User.id)):
            click.echo(f"{u.id:4d} {u.name:20s} {u.role:7s} {u.agency or ''}")


COMMANDS = [serve, users]
