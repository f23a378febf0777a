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


def _draws_of(reference: str) -> list:
    """The draws of the tender with this reference (every draw, oldest first), or one draw by its number."""
    import sqlalchemy as sa

    from tender.evaluation.models import Draw
    from tender.tenders.models import Tender

    tender = db.session.scalar(sa.select(Tender).where(Tender.reference == reference))
    if tender is not None:
        draws = list(db.session.scalars(sa.select(Draw).where(Draw.tender_id == tender.id).order_by(Draw.id)))
        if not draws:
            raise click.ClickException(f"tender {reference} has no panel draw")
        return draws
    if reference.isdigit():
        return [_draw(int(reference))]
    raise click.ClickException(f"there is no tender {reference}")


@panel_cli.command("verify")
@click.argument("tender_or_draw")
@with_appcontext
def verify_command(tender_or_draw: str):
    """Recompute the draws of tender TENDER_OR_DRAW (its reference), or one draw by number, from the published
    data and check the commitment, pseudonyms and panel; the presentation lot too when there is one."""
    import sqlalchemy as sa

    from tender.evaluation.models import EvaluationPanel
    from tender.evaluation.operations import verify_draw
    from tender.evaluation.operations.scoring import verify_lot

    failed = False
    for draw in _draws_of(tender_or_draw):
        report = verify_draw(draw)
        for name, ok, detail in report.checks:
            click.echo(f"{'ok  ' if ok else 'FAIL'} {name:<12} {detail}")
        failed = failed or not report.ok
        click.echo(f"draw {draw.id} {'verified' if report.ok else 'FAILED'}")
        panel = db.session.scalar(sa.select(EvaluationPanel).where(EvaluationPanel.draw_id == draw.id))
        if panel is not None and panel.lot is not None:
            ok = verify_lot(panel.lot)
            failed = failed or not ok
            click.echo(f"{'ok  ' if ok else 'FAIL'} {'lot':<12} {' '.join(panel.lot.order or [])}")
    if failed:
        raise SystemExit(1)


@panel_cli.command("show")
@click.argument("draw_id", type=int)
@with_appcontext
def show_command(draw_id: int):
    """Print the public record of draw DRAW_ID as JSON (the publication, then the seed and the result)."""
    from tender.evaluation.operations import public_record

    click.echo(json.dumps(public_record(_draw(draw_id)), ensure_ascii=False, indent=2, sort_keys=True))
