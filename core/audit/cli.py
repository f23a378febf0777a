"""`flask audit verify` walks the audit chain end to end; `flask audit sign-head` signs its head now."""

import click
from flask.cli import with_appcontext

from core.audit.operations import verify_chain

audit_cli = click.Group("audit", help="Audit chain commands.")


@audit_cli.command("verify")
@click.option("--checkpoint", metavar="SEQ:HASH", help="A head printed by an earlier run; it must still be in the chain.")
@with_appcontext
def verify_command(checkpoint):
    """Check every link of the audit chain; name the first broken one."""
    point = None
    if checkpoint:
        seq, _, digest = checkpoint.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise click.BadParameter("expected SEQ:HASH, as printed by an earlier run", param_hint="--checkpoint")
        point = (int(seq), digest)
    result = verify_chain(checkpoint=point)
    signed = result.signed_head
    if result.ok:
        click.echo(f"audit chain intact: {result.checked} events checked")
        if signed:
            click.echo(f"checked against the signed head of {signed['signed_at']} (event {signed['seq']}, {signed['reason']})")
        else:
            click.echo("no signed head yet: the head is signed every 15 minutes and at every tender deadline")
        click.echo(f"head {result.checked}:{result.head}")
        return
    click.echo(
        f"audit chain BROKEN at event {result.broken_seq}: {result.reason} "
        f"({result.checked} events before it are intact)",
        err=True,
    )
    raise SystemExit(1)


@audit_cli.command("sign-head")
@with_appcontext
def sign_head_command():
    """Sign the chain's newest event now (it is also signed every 15 minutes when it has grown)."""
    from core.audit.operations import sign_chain_head
    from core.db import db

    head = sign_chain_head("manual")
    db.session.commit()
    click.echo(f"signed event {head.seq}" if head else "the chain is empty")
