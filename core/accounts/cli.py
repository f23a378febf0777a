"""`flask accounts ...`: bureaus, operators and verification from the command line (the operator's tools)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from core.accounts import operations as ops
from core.accounts.models import Organisation, OrgStatus
from core.db import DomainError, db
from core.security import hash_password

accounts_cli = click.Group("accounts", help="Organisations and accounts.")


def _with_locale(func):
    """Messages of the operations are translated; outside a request core.i18n has no locale to read,
    so the commands run inside a bare request context (the default language applies)."""
    import functools

    from flask import current_app

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with current_app.test_request_context():
            return func(*args, **kwargs)

    return wrapper


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@accounts_cli.command("create-bureaus")
@with_appcontext
def create_bureaus():
    """Create the 16 district housing bureaus and the city bureau (safe to run again)."""
    made = ops.ensure_bureaus()
    db.session.commit()
    click.echo(f"{len(made)} bureau(s) created; {16 + 1 - len(made)} already existed")


@accounts_cli.command("create-operator")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option(help="The operator's password (asked for when not given).")
@with_appcontext
@_with_locale
def create_operator(email: str, name: str, password: str):
    """Create a platform operator account (an administrator of the operator organisation)."""
    if len(password) < 12:
        _fail("the password must be at least 12 characters long")
    try:
        ops.add_operator({"name": name, "email": email, "password_hash": hash_password(password)})
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"operator {ops.normalise_email(email)} created; they must set up a second factor at first sign-in")


def _find(key: str) -> Organisation:
    org = ops.find_by_reference(key) or db.session.scalar(sa.select(Organisation).where(Organisation.uscc == key.strip().upper()))
    if org is None:
        _fail(f"no organisation has the reference or code {key!r}")
    return org


@accounts_cli.command("list-pending")
@with_appcontext
def list_pending():
    """Registrations waiting for verification."""
    orgs = db.session.scalars(
        sa.select(Organisation).where(Organisation.status == OrgStatus.PENDING, Organisation.reference.is_not(None)).order_by(Organisation.id)
    ).all()
    for org in orgs:
        flag = "  CODE FAILS CHECK" if org.needs_uscc_override else ""
        click.echo(f"{org.reference}  {org.kind.value:<16} {org.district_code}  {org.uscc or org.filing_record}  {org.name}{flag}")
    click.echo(f"{len(orgs)} waiting")


@accounts_cli.command("verify-org")
@click.argument("reference_or_uscc")
@click.option("--override-reason", help="Accept a code that fails the GB 32100 check, for this recorded reason.")
@with_appcontext
@_with_locale
def verify_org(reference_or_uscc: str, override_reason: str | None):
    """Verify a pending registration (as the operator); an early code that fails the check needs --override-reason."""
    org = _find(reference_or_uscc)
    try:
        ops.verify_from_console(org, {"reason": override_reason})
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    click.echo(f"{org.reference} {org.name}: verified")
