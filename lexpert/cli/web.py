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
    """Users and roles (admin, expert, agency): add, list, disable, enable, passwd, remove.

    Passwords are read from standard input (one line) and must pass the policy: at least 12
    characters, not only spaces, not the user name, not a common password. Every change is
    written to the audit log (actor "cli")."""


def _change(name: str, what: str, **changes) -> None:
    from ..expertise.db import init_db, session_scope
    from ..web.accounts import update_user

    init_db()
    with session_scope() as s:
        update_user(s, name, actor="cli", **changes)
    click.echo(f"user {name} {what}")


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
        u = add_user(s, name, password, role, agency, actor="cli")
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
            line = f"{u.id:4d} {u.name:20s} {u.role:7s} {u.agency or ''}"
            click.echo(line if u.active else f"{line} (disabled)")


@users.command("disable")
@click.argument("name")
def users_disable(name):
    """Disable a user: they cannot log in, and their tokens and sessions are refused at once."""
    _change(name, "disabled", active=False)


@users.command("enable")
@click.argument("name")
def users_enable(name):
    """Enable a disabled user again (tokens issued before the disabling stay refused)."""
    _change(name, "enabled", active=True)


@users.command("passwd")
@click.argument("name")
def users_passwd(name):
    """Set a user's password, read from standard input (one line); earlier tokens are refused."""
    _change(name, "has a new password; earlier tokens and sessions are refused",
            password=sys.stdin.readline().rstrip("\n"))


@users.command("remove")
@click.argument("name")
def users_remove(name):
    """Remove a user (what they did keeps their name); their tokens are refused at once."""
    from ..expertise.db import init_db, session_scope
    from ..web.accounts import remove_user

    init_db()
    with session_scope() as s:
        remove_user(s, name, actor="cli")
    click.echo(f"user {name} removed")


COMMANDS = [serve, users]
