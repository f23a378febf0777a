"""`flask calendar …`: the working-day calendar from the command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

calendar_cli = click.Group("calendar", help="The working-day calendar (holidays and make-up working days).")


def _run(operation, data):
    from core.db import DomainError, db

    try:
        result = operation(data, actor=None)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.commit()
    return result


@calendar_cli.command("load")
@click.argument("year", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="Where the schedule comes from (the State Council notice).")
@click.option("--provisional", is_flag=True, help="Not yet the official published schedule.")
@with_appcontext
def load_command(year: int, path: Path, source: str, provisional: bool):
    """Enter YEAR's holidays and make-up working days from a CSV file (date,kind,note) and declare the year."""
    from core.calendar.operations import load_schedule

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException("the file must be UTF-8 text") from None
    _run(load_schedule, {"year": year, "text": text, "source": source, "provisional": provisional})
    click.echo(f"{year} loaded from {path.name}" + (" (provisional)" if provisional else ""))


@calendar_cli.command("declare-year")
@click.argument("year", type=int)
@click.option("--source", required=True, help="Where the holiday schedule comes from (the State Council notice).")
@click.option("--provisional", is_flag=True, help="Not yet the official published schedule.")
@with_appcontext
def declare_year_command(year: int, source: str, provisional: bool):
    """Declare that YEAR's holidays and make-up days have all been entered as calendar days."""
    from core.calendar.operations import declare_year

    _run(declare_year, {"year": year, "source": source, "provisional": provisional})
    click.echo(f"{year} declared complete ({source})")


@calendar_cli.command("set-day")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--workday/--holiday", required=True)
@click.option("--note", required=True)
@with_appcontext
def set_day_command(day: datetime, workday: bool, note: str):
    """Set one day as a working day or a holiday (overrides the calendar package)."""
    from core.calendar.operations import set_day

    _run(set_day, {"day": day.date(), "is_workday": workday, "note": note})
    click.echo(f"{day.date()}: {'working day' if workday else 'holiday'}")


@calendar_cli.command("working-days")
@click.argument("start", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("days", type=int)
@with_appcontext
def working_days_command(start: datetime, days: int):
    """Print the date DAYS working days after START (an error if a year has no calendar data)."""
    from core.calendar import add_working_days
    from core.db import DomainError

    try:
        click.echo(add_working_days(start.date(), days).isoformat())
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
