"""`flask audit verify`: walk the audit chain end to end."""

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
    if result.ok:
        click.echo(f"audit chain intact: {result.checked} events checked")
        click.echo(f"head {result.checked}:{result.head}")
        return
    click.echo(
        f"audit chain BROKEN at event {result.broken_seq}: {result.reason} "
        f"({result.checked} events before it are intact)",
        err=True,
    )
    raise SystemExit(1)
