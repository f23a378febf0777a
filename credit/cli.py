"""`flask credit ...`: reference data, expiry, exchange, import, calendar and score queries."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from core.db import DomainError, db

credit_cli = click.Group("credit", help="Credit registry.")


def _fail(exc: DomainError):
    raise click.ClickException(exc.message)


@credit_cli.command("seed")
@with_appcontext
def seed_command():
    """Create the catalogue, grades and policy if they are missing (safe to repeat)."""
    from credit.operations import seed_catalogue

    version = seed_catalogue()
    db.session.commit()
    click.echo(f"catalogue version {version.number}: {len(version.items)} items ({version.status.value})")


@credit_cli.command("expire")
@with_appcontext
def expire_command():
    """Report records whose publication period has ended (for the exchange)."""
    from credit.operations import expire_records

    total = 0
    while count := expire_records():
        db.session.commit()
        total += count
    click.echo(f"{total} records reported as expired")


@credit_cli.command("export")
@click.option("--sync", is_flag=True, help="Run now in this process instead of queueing the job.")
@click.option("--batch-size", default=500, show_default=True)
@with_appcontext
def export_command(sync: bool, batch_size: int):
    """Send pending records to the city public credit platform."""
    from credit.tasks import enqueue_push, push_exchange

    if sync:
        click.echo(f"{push_exchange(batch_size=batch_size)} batches sent")
    else:
        job = enqueue_push(batch_size=batch_size)
        click.echo(f"queued job {job.id} on queue 'exchange'")


@credit_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(path: Path):
    """Import records from a CSV file; prints the row-by-row report."""
    from credit.operations.imports import import_records

    try:
        run = import_records(path.name, path.read_bytes(), actor=None)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    for row in run.report:
        status = f"ok {row['reference']} ({row['stage']})" if row["ok"] else f"REJECTED {row['error']}"
        click.echo(f"line {row['line']}: {status}")
    click.echo(f"{run.imported_rows} imported, {run.rejected_rows} rejected")


@credit_cli.command("grade")
@click.argument("grade")
@click.option("--min-score", type=int, required=True, help="Lowest score that earns the grade.")
@click.option("--may-bid/--may-not-bid", default=True, show_default=True)
@click.option("--factor", type=float, required=True, help="Credit factor in tender scoring, e.g. 0.9.")
@with_appcontext
def grade_command(grade: str, min_score: int, may_bid: bool, factor: float):
    """Create or change a grade threshold."""
    from credit.operations.rules import set_grade

    try:
        set_grade({"grade": grade, "min_score": min_score, "may_bid": may_bid, "factor": factor}, actor=None)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"grade {grade.upper()}: score ≥ {min_score}, {'may' if may_bid else 'may not'} bid, factor {factor}")


@credit_cli.command("policy")
@click.option("--base-score", type=int)
@click.option("--objection-days", type=int, help="Objection window in working days.")
@click.option("--correction-check-days", type=int, help="Days the bureau has to check a correction request.")
@with_appcontext
def policy_command(base_score, objection_days, correction_check_days):
    """Show or change the policy values."""
    from core import clock
    from credit import rules
    from credit.operations.rules import set_policy

    if any(v is not None for v in (base_score, objection_days, correction_check_days)):
        try:
            set_policy({"base_score": base_score, "objection_working_days": objection_days,
                        "correction_check_working_days": correction_check_days}, actor=None)
        except DomainError as exc:
            _fail(exc)
        db.session.commit()
    now = clock.now()
    p = rules.policy_at(now)
    click.echo(f"in force since {p.valid_from.isoformat()}: base score {p.base_score}; objection window "
               f"{p.objection_working_days} working days; correction check {p.correction_check_working_days} working days; "
               f"listed grade at best {p.listed_grade_cap or '(no cap)'}")
    for rule in rules.scale_at(now):
        click.echo(f"  {rule.grade}: ≥ {rule.min_score}, {'may' if rule.may_bid else 'may not'} bid, "
                   f"factor {rule.factor_permille / 1000}")


@credit_cli.command("score")
@click.argument("key")
@click.option("--at", "at", default=None, help="ISO 8601 instant with offset; now if omitted.")
@with_appcontext
def score_command(key: str, at: str | None):
    """Print a firm's (USCC) or project manager's (certificate number) score at an instant."""
    from credit import search
    from credit.scoring import eligibility, score_at

    subject = search.firm_by_uscc(key) or search.manager_by_certificate(key)
    if subject is None:
        raise click.ClickException("no firm or project manager with this key")
    standing = score_at(subject, parse_instant(at) if at else None)
    click.echo(f"{subject.name}: score {standing.score_text} grade {standing.grade or '-'}"
               f"{' LISTED' if standing.listed else ''} at {standing.at.isoformat()}")
    if hasattr(subject, "uscc"):
        result = eligibility(subject, standing.at)
        click.echo("eligible to bid" if result.eligible else "not eligible: " + ", ".join(result.reasons))


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant that names its time zone; anything else is a clear usage error."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date and time, like 2026-05-01T10:00:00+08:00",
                                 param_hint="--at") from None
    if instant.tzinfo is None:
        raise click.BadParameter(f"{text!r} has no time zone: add it, like 2026-05-01T10:00:00+08:00",
                                 param_hint="--at")
    return instant


@credit_cli.command("reencrypt-ids")
@with_appcontext
def reencrypt_ids_command():
    """Move every stored national ID to the newest data key (after `flask keys create-data-key`, and once
    after upgrading from SECRET_KEY-derived encryption, before SECRET_KEY is ever rotated)."""
    from credit.operations.keys import reencrypt_ids

    moved = reencrypt_ids()
    db.session.commit()
    click.echo(f"{moved} national IDs moved to the newest data key")


__all__ = ["credit_cli"]
