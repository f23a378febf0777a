"""Decision numbers (决定书文号), issued when a record is decided.

Format: ``<district code>-<year>-<sequence>``, e.g. ``310115-2026-00012`` — the deciding district
bureau's GB/T 2260 code, the year of the decision in Shanghai, and the decision's place in that
district's decisions of that year (five digits). One counter row per district and year, locked
while a number is taken, so two decisions at once never get the same number.
"""

from __future__ import annotations

from datetime import datetime

from core import clock
from core.db import db
from credit.models import DecisionCounter


def issue_decision_no(district_code: str, decided_at: datetime) -> str:
    """The next decision number of the district in the year of ``decided_at``."""
    year = clock.shanghai_date(decided_at).year
    counter = db.session.get(DecisionCounter, (district_code, year), with_for_update=True)
    if counter is None:
        counter = DecisionCounter(district_code=district_code, year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return f"{district_code}-{year}-{counter.last:05d}"
