"""The conduct catalogue (信用信息评价标准): versioned items that drive credit records."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, db, enum_column


class SubjectKind(str, enum.Enum):
    FIRM = "firm"  # 物业服务企业
    PROJECT_MANAGER = "project_manager"  # 项目经理
    AGENCY = "agency"  # 招标代理机构
    BOTH = "both"  # an item for firms and project managers alike


class ConductKind(str, enum.Enum):
    BAD = "bad"  # deducts points
    GOOD = "good"  # awards and honours add points


class Severity(str, enum.Enum):
    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"


class CatalogueStatus(str, enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class CatalogueVersion(TimestampMixin, db.Model):
    """One edition of the catalogue; exactly one is active, records keep the one they were decided under."""

    __tablename__ = "credit_catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[CatalogueStatus] = mapped_column(enum_column(CatalogueStatus, 16), default=CatalogueStatus.DRAFT)
    activated_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(sa.Text)

    items: Mapped[list[ConductItem]] = relationship(back_populates="version", order_by="ConductItem.code")


class ConductItem(db.Model):
    """A conduct item: code, title, legal basis, points and how long a record stays published."""

    __tablename__ = "credit_conduct_item"
    __table_args__ = (sa.UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_catalogue_version.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(32))
    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, 16))
    kind: Mapped[ConductKind] = mapped_column(enum_column(ConductKind, 8), default=ConductKind.BAD)
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, 16))
    points: Mapped[int]
    title_zh: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)
    basis: Mapped[str | None] = mapped_column(sa.String(500))
    source_url: Mapped[str | None] = mapped_column(sa.String(500))
    # Months a decided record stays published (0: not published at all).
    publication_months: Mapped[int]
    # Months after publication before the subject may ask for correction after rectification.
    correction_after_months: Mapped[int] = mapped_column(default=0)
    # Items not taken from a published standard are labelled as examples wherever they are shown.
    is_example: Mapped[bool] = mapped_column(default=False)

    version: Mapped[CatalogueVersion] = relationship(back_populates="items")

    def title(self, locale: str) -> str:
        return self.title_en if str(locale).startswith("en") else self.title_zh

    def applies_to(self, kind: SubjectKind) -> bool:
        if kind == SubjectKind.AGENCY:
            return self.subject_kind == SubjectKind.AGENCY
        return self.subject_kind in (kind, SubjectKind.BOTH)
