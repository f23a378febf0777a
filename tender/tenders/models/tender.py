"""The tender (招标项目) and what it is made of: floor areas, the owners' resolution, custodians,
versioned documents and the agency appointment.

Field names follow the OCDS release schema where one fits (``bid_deadline`` is
``tender.tenderPeriod.endDate``, ``ceiling_fen`` is ``tender.value`` per m² and month,
``tenderer`` is the ``buyer`` party, an appointed agency the ``procuringEntity``), so the open-data
export of a later issue maps them one to one. Money is integer fen; times are aware UTC.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.accounts.models import District, Organisation, User
from core.db import TimestampMixin, db, enum_column, utcnow
from tender.tenders.models.states import OCDS_STATUS, PUBLIC_STATES, TenderState


class TenderKind(str, enum.Enum):
    PRELIMINARY = "preliminary"  # a developer's tender for preliminary property management (前期物业)
    OWNERS = "owners"  # an owners' assembly's tender after its resolution (业主大会选聘)


class FeeModel(str, enum.Enum):
    LUMP_SUM = "lump_sum"  # 包干制
    COMMISSION = "commission"  # 酬金制


class PropertyType(str, enum.Enum):
    RESIDENTIAL = "residential"
    VILLA = "villa"
    OFFICE = "office"
    COMMERCIAL = "commercial"
    PARKING = "parking"
    PUBLIC = "public"
    OTHER = "other"


class CancelReason(str, enum.Enum):
    TENDERER_WITHDREW = "tenderer_withdrew"
    REQUIREMENTS_CHANGED = "requirements_changed"
    RESOLUTION_REVOKED = "resolution_revoked"
    BUREAU_ORDER = "bureau_order"
    IRREGULARITY = "irregularity"
    FORCE_MAJEURE = "force_majeure"
    OTHER = "other"


class CustodianKind(str, enum.Enum):
    TENDERER = "tenderer"
    AGENCY = "agency"
    SUPERVISOR = "supervisor"
    OTHER = "other"


class Tender(TimestampMixin, db.Model):
    __tablename__ = "tender"
    __table_args__ = (
        sa.Index("ix_tender_public_list", "state", "district_code", "published_at"),
        sa.Index("ix_tender_tenderer_state", "tenderer_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    kind: Mapped[TenderKind] = mapped_column(enum_column(TenderKind, 16))
    state: Mapped[TenderState] = mapped_column(enum_column(TenderState, 24), default=TenderState.DRAFT)
    tenderer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("district.code"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    # Project facts.
    community_name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    buildings: Mapped[int | None]
    households: Mapped[int | None]
    service_grade: Mapped[int | None]  # ServiceStandard.grade, 1 to 5
    service_scope: Mapped[str] = mapped_column(sa.Text, default="")
    fee_model: Mapped[FeeModel] = mapped_column(enum_column(FeeModel, 16), default=FeeModel.LUMP_SUM)
    ceiling_fen: Mapped[int | None]  # ceiling price per m² of floor area per month
    contract_months: Mapped[int | None]
    qualifications: Mapped[str] = mapped_column(sa.Text, default="")
    min_credit_score: Mapped[int | None]  # a firm below this credit score may not register
    bid_validity_days: Mapped[int | None]
    bid_security_fen: Mapped[int | None]  # none when the tender asks for no bid security
    custodian_threshold: Mapped[int | None]  # k of the n custodians open the bids

    # Timeline, as planned by the tenderer and, once published, as announced.
    documents_from: Mapped[date | None]
    documents_until: Mapped[date | None]
    bid_deadline: Mapped[datetime | None]
    opening_at: Mapped[datetime | None]
    original_deadline: Mapped[datetime | None]  # the announced deadline before any move

    scheme: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # the scoring scheme (see operations.scheme)
    # The procedure values in force when the tender was (last) submitted for filing.
    procedure_values: Mapped[dict | None] = mapped_column(sa.JSON)
    procedure_as_of: Mapped[datetime | None]

    submitted_at: Mapped[datetime | None]
    filing_due_at: Mapped[datetime | None]
    filed_at: Mapped[datetime | None]
    filed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    filing_number: Mapped[str | None] = mapped_column(sa.String(40))
    returned_at: Mapped[datetime | None]
    return_reasons: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[CancelReason | None] = mapped_column(enum_column(CancelReason, 24))
    cancel_note: Mapped[str | None] = mapped_column(sa.Text)
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # Set when a custodian's key changed after filing: the tender stops until the bureau accepts the keys.
    custodians_stopped_at: Mapped[datetime | None]
    # The deadline for which registered firms were last reminded (the reminder job is idempotent).
    reminded_for_deadline: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    tenderer: Mapped[Organisation] = relationship(foreign_keys=[tenderer_id])
    district: Mapped[District] = relationship()
    areas: Mapped[list[TenderArea]] = relationship(back_populates="tender", cascade="all, delete-orphan",
                                                   order_by="TenderArea.id")
    resolution: Mapped[OwnersResolution | None] = relationship(back_populates="tender", uselist=False,
                                                               cascade="all, delete-orphan")
    custodians: Mapped[list[TenderCustodian]] = relationship(back_populates="tender", cascade="all, delete-orphan",
                                                             order_by="TenderCustodian.position")
    documents: Mapped[list[TenderDocument]] = relationship(back_populates="tender", order_by="TenderDocument.version")
    appointments: Mapped[list[AgencyAppointment]] = relationship(back_populates="tender",
                                                                 order_by="AgencyAppointment.id")

    # --- derived from the stored facts ---

    @property
    def total_area_m2(self) -> int:
        return sum(a.floor_area_m2 for a in self.areas)

    @property
    def appointment(self) -> AgencyAppointment | None:
        """The agency appointment in force (one at a time)."""
        return next((a for a in self.appointments if a.ended_at is None), None)

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES and self.published_at is not None

    @property
    def ocds_status(self) -> str:
        return OCDS_STATUS[self.state]

    @property
    def deadline_moved(self) -> bool:
        return self.original_deadline is not None and self.bid_deadline != self.original_deadline

    def issued_documents(self) -> list[TenderDocument]:
        return [d for d in self.documents if d.issued_at is not None]

    def latest_document(self) -> TenderDocument | None:
        return self.documents[-1] if self.documents else None

    def phase(self, now: datetime) -> str:
        """Where the tender stands at ``now``, from its state and its dates, with no job needed:
        a published tender is open for bids until its deadline and waits for closing after it."""
        if self.state == TenderState.PUBLISHED:
            if self.custodians_stopped_at is not None:
                return "stopped"
            return "open_for_bids" if self.bid_deadline is not None and now < self.bid_deadline else "deadline_passed"
        if self.state == TenderState.PENDING_FILING:
            return "filing_overdue" if self.filing_due_at is not None and now > self.filing_due_at else "pending_filing"
        if self.state == TenderState.FILED and self.custodians_stopped_at is not None:
            return "stopped"
        return self.state.value

    def next_deadline(self, now: datetime) -> tuple[str, datetime] | None:
        """The next instant someone must act by, and what it is."""
        if self.state == TenderState.PENDING_FILING and self.filing_due_at:
            return "filing_due", self.filing_due_at
        if self.state in (TenderState.FILED, TenderState.PUBLISHED) and self.bid_deadline and now < self.bid_deadline:
            return "bid_deadline", self.bid_deadline
        return None


class TenderArea(db.Model):
    """The floor area of one property type in the tendered project (m²)."""

    __tablename__ = "tender_area"
    __table_args__ = (sa.UniqueConstraint("tender_id", "property_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    property_type: Mapped[PropertyType] = mapped_column(enum_column(PropertyType, 16))
    floor_area_m2: Mapped[int]

    tender: Mapped[Tender] = relationship(back_populates="areas")


class OwnersResolution(db.Model):
    """The owners' assembly resolution to choose a firm by tender (业主大会决议), with its vote figures."""

    __tablename__ = "tender_owners_resolution"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), unique=True)
    resolved_on: Mapped[date]
    document_digest: Mapped[str | None] = mapped_column(sa.String(64))
    document_name: Mapped[str | None] = mapped_column(sa.String(200))
    total_area_m2: Mapped[int]  # exclusive floor area of the whole property
    total_owners: Mapped[int]
    participating_area_m2: Mapped[int]
    participating_owners: Mapped[int]
    approving_area_m2: Mapped[int]
    approving_owners: Mapped[int]

    tender: Mapped[Tender] = relationship(back_populates="resolution")


class TenderCustodian(db.Model):
    """A key holder named on a tender (开标密钥保管人); the key in use is noted when the tender is filed."""

    __tablename__ = "tender_custodian"
    __table_args__ = (sa.UniqueConstraint("tender_id", "user_id", name="uq_tender_custodian_user"),
                      sa.UniqueConstraint("tender_id", "position", name="uq_tender_custodian_position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    position: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    kind: Mapped[CustodianKind] = mapped_column(enum_column(CustodianKind, 16))
    key_id: Mapped[str | None] = mapped_column(sa.String(32))  # the key bids are sealed to, from filing on

    tender: Mapped[Tender] = relationship(back_populates="custodians")
    user: Mapped[User] = relationship()


class TenderDocument(db.Model):
    """One version of the tender documents (招标文件), stored in the blob store by its SHA-256.

    Versions uploaded before the announcement replace each other; the one current at publication is
    issued then, and every later version is an amendment (修改), issued when it is uploaded.
    """

    __tablename__ = "tender_document"
    __table_args__ = (sa.UniqueConstraint("tender_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    version: Mapped[int]
    digest: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(200))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    change_note: Mapped[str] = mapped_column(sa.Text, default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    issued_at: Mapped[datetime | None]

    tender: Mapped[Tender] = relationship(back_populates="documents")


class AgencyAppointment(db.Model):
    """A tenderer's appointment of a tender agency for one tender, with the agency contract (委托代理合同)."""

    __tablename__ = "tender_agency_appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    lead_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tender_agency_staff.id"), index=True)
    contract_number: Mapped[str] = mapped_column(sa.String(60))
    contract_signed_on: Mapped[date]
    contract_digest: Mapped[str | None] = mapped_column(sa.String(64))
    contract_name: Mapped[str | None] = mapped_column(sa.String(200))
    appointed_at: Mapped[datetime] = mapped_column(default=utcnow)
    appointed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    ended_at: Mapped[datetime | None]

    tender: Mapped[Tender] = relationship(back_populates="appointments")
    agency: Mapped[Organisation] = relationship()
    lead_staff = relationship("AgencyStaff")


class TenderNameGram(db.Model):
    """Each pair of adjacent characters of a community's name, for the public name search.

    Chinese names have no word breaks and most searches are two or three characters long, which a
    trigram index cannot serve; looking the pairs up here and checking the name finds them in
    milliseconds among hundreds of thousands of tenders.
    """

    __tablename__ = "tender_name_gram"

    gram: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    tender_id: Mapped[int] = mapped_column(sa.ForeignKey("tender.id"), primary_key=True, index=True)
