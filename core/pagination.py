"""Lists that say how long they are: Flask-SQLAlchemy's pagination, one macro to show it.

Every long list uses :func:`paginate` (a select; Flask-SQLAlchemy counts and pages it) or, for rows
already made by a grouped query, :class:`ListPage` (the same attributes), and shows itself with the
``pagination`` macro of ``_pagination.html``: "Showing 51–100 of 230" and the pages around.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.db import db
from core.web import int_arg

# A page past the end is empty; the cap keeps the offset a number every database accepts.
MAX_PAGE = 100_000


def requested_page() -> int:
    """The ``?page=`` asked for, within 1..MAX_PAGE."""
    return min(int_arg("page", 1), MAX_PAGE)


def paginate(query, *, per_page: int = 50, page: int | None = None):
    """One page of a select with its total (``flask_sqlalchemy.pagination.Pagination``)."""
    page = min(page if page is not None else requested_page(), MAX_PAGE)
    return db.paginate(query, page=page, per_page=per_page, max_per_page=per_page, error_out=False)


@dataclass(frozen=True)
class ListPage:
    """A page of rows made elsewhere, shaped like Flask-SQLAlchemy's Pagination."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None
