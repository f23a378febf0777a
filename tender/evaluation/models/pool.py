"""The expert pool: each expert's profile and what it holds (employment, relations, districts,
availability, conduct).

An expert is a ``Membership(role=EXPERT)`` of the city bureau (core); the profile is its 1:1
extension here, so core stays unaware of the evaluation stage.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, db, enum_column, utcnow


class EmploymentStatus(str, enum.Enum):
    PROPOSED = "proposed"  # entered by the expert, waiting for the city bureau
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Relationship(str, enum.Enum):
    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    IN_LAW = "in_law"
    OTHER_RELATIVE = "other_relative"
    FORMER_COLLEAGUE = "former_colleague"
    OTHER = "other"


class ExpertProfile(TimestampMixin, db.Model):
    """An evaluation expert's profile (评标专家档案), kept by the expert; employer changes need the bureau."""

    __tablename__ = "expert_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id"), unique=True)
    title: Mapped[str | None] = mapped_column(sa.String(32))  # a code of rules.TITLES
    title_certificate: Mapped[str | None] = mapped_column(sa.String(64))
    # Years of practice are counted from this date, so they grow without anyone editing them.
    practice_since: Mapped[date | None]
    # Specialties besides the one the bureau gave the membership (codes of core's SPECIALTIES).
    other_specialties: Mapped[list] = mapped_column(sa.JSON, default=list)
    note: Mapped[str | None] = mapped_column(sa.String(1000))

    membership = relationship("Membership")
    districts: Mapped[list[ExpertDistrict]] = relationship(back_populates="profile", cascade="all, delete-orphan",
                                                           order_by="ExpertDistrict.district_code")
    employments: Mapped[list[ExpertEmployment]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ExpertEmployment.started_on.desc()")
    relations: Mapped[list[ExpertRelation]] = relationship(back_populates="profile", cascade="all, delete-orphan",
                                                           order_by="ExpertRelation.id")
    absences: Mapped[list[ExpertUnavailability]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ExpertUnavailability.starts_on")
    conduct: Mapped[list[ExpertConduct]] = relationship(back_populates="profile", cascade="all, delete-orphan",
                                                        order_by="ExpertConduct.occurred_on.desc()")

    @property
    def specialties(self) -> list[str]:
        primary = [self.membership.specialty] if self.membership.specialty else []
        return primary + [s for s in (self.other_specialties or []) if s not in primary]

    @property
    def district_codes(self) -> list[str]:
        return [d.district_code for d in self.districts]

    def history(self) -> list[ExpertEmployment]:
        """Employments, latest start first (rows added in this session included)."""
        return sorted(self.employments, key=lambda e: e.started_on, reverse=True)

    def current_employment(self) -> ExpertEmployment | None:
        """The confirmed employment without an end that started last."""
        return next((e for e in self.history() if e.status == EmploymentStatus.CONFIRMED and e.ended_on is None), None)

    def pending_employment(self) -> ExpertEmployment | None:
        return next((e for e in self.employments if e.status == EmploymentStatus.PROPOSED), None)


class ExpertDistrict(db.Model):
    """A district the expert serves (服务区域)."""

    __tablename__ = "expert_district"

    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("expert_profile.id", ondelete="CASCADE"), primary_key=True)
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("district.code"), primary_key=True)

    profile: Mapped[ExpertProfile] = relationship(back_populates="districts")


class ExpertEmployment(TimestampMixin, db.Model):
    """An employer in the expert's history (工作经历); a new one counts once the city bureau confirms it.

    The employer is named by USCC where it has one, and linked to the platform's organisation when
    that is registered, so conflicts can be matched either way.
    """

    __tablename__ = "expert_employment"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("expert_profile.id", ondelete="CASCADE"), index=True)
    employer_name: Mapped[str] = mapped_column(sa.String(200))
    employer_uscc: Mapped[str | None] = mapped_column(sa.String(18), index=True)
    employer_org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    position: Mapped[str | None] = mapped_column(sa.String(100))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    status: Mapped[EmploymentStatus] = mapped_column(enum_column(EmploymentStatus, 16), default=EmploymentStatus.PROPOSED)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))

    profile: Mapped[ExpertProfile] = relationship(back_populates="employments")
    employer = relationship("Organisation")


class ExpertRelation(db.Model):
    """A relation the expert declared (利害关系申报): a named person at an organisation."""

    __tablename__ = "expert_relation"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("expert_profile.id", ondelete="CASCADE"), index=True)
    person_name: Mapped[str] = mapped_column(sa.String(100))
    relationship_kind: Mapped[Relationship] = mapped_column(enum_column(Relationship, 24))
    organisation_name: Mapped[str] = mapped_column(sa.String(200))
    organisation_uscc: Mapped[str | None] = mapped_column(sa.String(18), index=True)
    person_role: Mapped[str | None] = mapped_column(sa.String(100))  # e.g. legal representative, shareholder
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    profile: Mapped[ExpertProfile] = relationship(back_populates="relations")

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class ExpertUnavailability(db.Model):
    """Days the expert cannot evaluate (不可参评时段), both ends included."""

    __tablename__ = "expert_unavailability"
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("expert_profile.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile: Mapped[ExpertProfile] = relationship(back_populates="absences")


class ExpertConduct(db.Model):
    """An entry in the expert's conduct history (履职记录): late locking, absence, upheld flags, misconduct.

    ``weight_effect`` (thousandths) is what the entry takes off the draw weight while it counts;
    ``tender_id`` names the tender it arose in.
    """

    __tablename__ = "expert_conduct"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("expert_profile.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # a code of rules.CONDUCT_KINDS
    occurred_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.String(1000))
    weight_effect: Mapped[int]
    tender_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile: Mapped[ExpertProfile] = relationship(back_populates="conduct")
    recorded_by = relationship("User")
