"""The register of tender agencies' staff (招标代理从业人员); agencies themselves are core organisations."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import Organisation
from core.db import db, utcnow


class AgencyStaff(db.Model):
    """A person practising tender agency work for one agency (代理从业人员)."""

    __tablename__ = "tender_agency_staff"
    __table_args__ = (sa.UniqueConstraint("agency_id", "certificate_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    certificate_no: Mapped[str] = mapped_column(sa.String(40))  # professional or training certificate number
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    joined_on: Mapped[date]
    left_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Organisation] = relationship()

    @property
    def active(self) -> bool:
        return self.left_on is None
