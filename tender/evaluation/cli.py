"""``flask panel``: check a panel draw from its record, as anyone could from the published data."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from core.db import db

panel_cli = click.Group("panel", help="Panel draws of evaluation committees.")


def _draw(draw_id: int):
    from tender.evaluation.models import Draw

    draw = db.session.get(Draw, draw_id)
    if draw is None:
        raise click.ClickException(f"there is no draw {draw_id}")
    return draw


@panel_cli.command("verify")
@click.argument("draw_id", type=int)
@with_appcontext
def verify_command(draw_id: int):
    """Recompute draw DRAW_ID from its published data and check the commitment, pseudonyms and panel."""
    from tender.evaluation.operations import verify_draw

    report = verify_draw(_draw(draw_id))
    for name, ok, detail in report.checks:
        click.echo(f"{'ok  ' if ok else 'FAIL'} {name:<12} {detail}")
    if not report.ok:
        raise SystemExit(1)
    click.echo(f"draw {draw_id} verified")


@panel_cli.command("show")
@click.argument("draw_id", type=int)
@with_appcontext
def show_command(draw_id: int):
    """Print the public record of draw DRAW_ID as JSON (the publication, then the seed and the result)."""
    from tender.evaluation.operations import public_record

    click.echo(json.dumps(public_record(_draw(draw_id)), ensure_ascii=False, indent=2, sort_keys=True))
