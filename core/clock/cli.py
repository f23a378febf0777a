"""`flask clock show` and `flask clock advance`: the business clock from the command line."""

from __future__ import annotations

import re
from datetime import timedelta

import click
from flask.cli import with_appcontext

STEP = re.compile(r"^(\d{1,4})([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}

clock_cli = click.Group("clock", help="The business clock used for rules and deadlines.")


@clock_cli.command("show")
@with_appcontext
def show_command():
    """Print the business time and how far it is from the real time."""
    from core import clock

    click.echo(f"business time {clock.now().astimezone(clock.SHANGHAI).isoformat(timespec='seconds')}"
               f" (ahead of the real time by {clock.offset()})")


@clock_cli.command("advance")
@click.argument("step")
@with_appcontext
def advance_command(step: str):
    """Move the business clock forward by STEP, such as 3d, 12h or 30m (embedded demo only)."""
    from core import clock
    from core.clock.operations import advance_clock
    from core.db import DomainError, db

    match = STEP.match(step.strip())
    if not match:
        raise click.BadParameter("a number and a unit: 3d, 12h or 30m", param_hint="STEP")
    try:
        advance_clock({"by": timedelta(**{UNITS[match.group(2)]: int(match.group(1))})}, actor=None)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"business time is now {clock.now().astimezone(clock.SHANGHAI).isoformat(timespec='seconds')}")
