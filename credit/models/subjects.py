"""Credit subjects: property-service firms and their project managers."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, db, enum_column
from credit.models.catalogue import SubjectKind


class CreditSubject(TimestampMixin, db.Model):
    """An organisation in the registry, keyed by its USCC, with or without a platform account: a
    property-service firm (物业服务企业) or a tender agency (招标代理机构)."""

    __tablename__ = "credit_subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(sa.String(18), unique=True)
    uscc_override_reason: Mapped[str | None] = mapped_column(sa.String(500))
    # SubjectKind.FIRM or SubjectKind.AGENCY.
    kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, 16), default=SubjectKind.FIRM,
                                              server_default="firm")
    name: Mapped[str] = mapped_column(sa.String(200))
    qualification: Mapped[str | None] = mapped_column(sa.String(32))
    district_code: Mapped[str | None] = mapped_column(sa.ForeignKey("district.code"))
    # A branch's records count against its head office.
    head_office_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_subject.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), unique=True)

    head_office: Mapped[CreditSubject | None] = relationship(remote_side=[id], back_populates="branches")
    branches: Mapped[list[CreditSubject]] = relationship(back_populates="head_office")
    district = relationship("District")
    organisation = relationship("Organisation")

    def set_name(self, name: str) -> None:
        self.name = name.strip()

    @property
    def is_agency(self) -> bool:
        return self.kind == SubjectKind.AGENCY

    @classmethod
    def for_organisation(cls, org) -> CreditSubject | None:
        """The credit subject of core's Organisation: the one linked to it, else the one with its USCC."""
        subject = db.session.scalars(sa.select(cls).where(cls.organisation_id == org.id)).first()
        if subject is None and getattr(org, "uscc", None):
            subject = db.session.scalars(sa.select(cls).where(cls.uscc == org.uscc)).first()
        return subject


class SubjectNameGram(db.Model):
    """Where each character bigram sits in a firm's name, so a name search walks an index already in
    rank order (earliest position, then shortest name) and stops after one page of matches.

    Kept in step with ``CreditSubject.name`` by a flush hook (credit.search); rows go with their firm.
    """

    __tablename__ = "credit_subject_name_gram"

    gram: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # 1-based, as strpos/instr
    name_length: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_subject.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False, index=True)


class ProjectManager(TimestampMixin, db.Model):
    """A project manager (项目经理) holding a practice certificate."""

    __tablename__ = "credit_project_manager"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_no: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # National ID: AES-GCM ciphertext and a keyed hash for exact-match lookups (see credit.pii).
    national_id_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    national_id_hmac: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    firm_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_subject.id"), index=True)

    firm: Mapped[CreditSubject | None] = relationship()
    employments: Mapped[list[Employment]] = relationship(
        back_populates="manager", order_by="Employment.started_on.desc()"
    )


class Employment(db.Model):
    """A project manager's employment by a firm, for the employment history."""

    __tablename__ = "credit_employment"

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_project_manager.id"), index=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_subject.id"), index=True)
    started_on: Mapped[date]
    ended_on: Mapped[date | None]

    manager: Mapped[ProjectManager] = relationship(back_populates="employments")
    firm: Mapped[CreditSubject] = relationship()


class ManagedProject(db.Model):
    """A community (小区) a firm manages, with its floor area and the project manager in charge."""

    __tablename__ = "credit_managed_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_subject.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_project_manager.id"), index=True)
    community: Mapped[str] = mapped_column(sa.String(200))
    district_code: Mapped[str | None] = mapped_column(sa.ForeignKey("district.code"))
    floor_area_m2: Mapped[int]
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    firm: Mapped[CreditSubject] = relationship()
    manager: Mapped[ProjectManager | None] = relationship()
