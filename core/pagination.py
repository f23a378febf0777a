"""Lists that say how long they are: a page of a query, with the total count."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core.db import db
from core.web import int_arg

# A page past the end is empty; the cap keeps the offset a number every database accepts.
MAX_PAGE = 100_000


@dataclass
class Page:
    """One page of a list: its items, which page it is, and how many items there are in all."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return 0 if not self.items else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(query, *, per_page: int = 50, page: int | None = None) -> Page:
    """The page asked for by ``?page=`` (or ``page``) of a select, with its total."""
    page = min(page if page is not None else int_arg("page", 1), MAX_PAGE)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page))) if total else []
    return Page(items, page, per_page, total)
