"""The score-over-time chart, drawn on the server as SVG (no script, works in print)."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 640, 220, 44, 12, 12, 28


def score_chart(points: list[tuple[datetime, float]], *, title: str, date_fmt=lambda t: t.strftime("%Y-%m")) -> Markup:
    """A step chart of (instant, score); the score holds until the next change."""
    if not points:
        return Markup("")
    t0, t1 = points[0][0].timestamp(), points[-1][0].timestamp()
    span = max(t1 - t0, 1.0)
    lo = min(min(s for _, s in points), 60.0)
    hi = max(max(s for _, s in points), 100.0)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def x(t: datetime) -> float:
        return PAD_L + (t.timestamp() - t0) / span * plot_w

    def y(score: float) -> float:
        return PAD_T + (hi - score) / (hi - lo) * plot_h

    coords = []
    for i, (t, score) in enumerate(points):
        if i:
            coords.append(f"{x(t):.1f},{y(points[i - 1][1]):.1f}")
        coords.append(f"{x(t):.1f},{y(score):.1f}")
    grid = []
    for value in (lo, (lo + hi) / 2, hi):
        grid.append(
            f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{PAD_L - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="12" fill="#505a5f">{value:.0f}</text>'
        )
    labels = (
        f'<text x="{PAD_L}" y="{HEIGHT - 8}" font-size="12" fill="#505a5f">{escape(date_fmt(points[0][0]))}</text>'
        f'<text x="{WIDTH - PAD_R}" y="{HEIGHT - 8}" text-anchor="end" font-size="12" fill="#505a5f">{escape(date_fmt(points[-1][0]))}</text>'
    )
    svg = (
        f'<svg class="score-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(grid)}{labels}'
        f'<polyline fill="none" stroke="#8b1a1a" stroke-width="2.5" points="{" ".join(coords)}"/></svg>'
    )
    return Markup(svg)
