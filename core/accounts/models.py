"""Districts, organisations, users and memberships."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin, db, enum_column


class OrgKind(str, enum.Enum):
    DEVELOPER = "developer"  # 建设单位
    OWNERS_ASSEMBLY = "owners_assembly"  # 业主大会 (acting through 业主委员会)
    AGENCY = "agency"  # 招标代理机构
    FIRM = "firm"  # 物业服务企业
    DISTRICT_BUREAU = "district_bureau"  # 区房管局
    CITY_BUREAU = "city_bureau"  # 市房管局
    OPERATOR = "operator"  # platform operator


REGISTRABLE_KINDS = (OrgKind.FIRM, OrgKind.DEVELOPER, OrgKind.AGENCY, OrgKind.OWNERS_ASSEMBLY)
USCC_KINDS = (OrgKind.FIRM, OrgKind.DEVELOPER, OrgKind.AGENCY)


class OrgStatus(str, enum.Enum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class MemberRole(str, enum.Enum):
    ADMIN = "admin"  # manages the organisation's members
    MEMBER = "member"
    EXPERT = "expert"  # 评标专家, held in the city bureau's expert pool


class Role(str, enum.Enum):
    """Platform roles, derived from the kind of organisation and the membership role."""

    TENDERER = "tenderer"
    AGENCY = "agency"
    FIRM = "firm"
    SUPERVISOR = "supervisor"
    EXPERT = "expert"
    OPERATOR = "operator"


class District(db.Model):
    """A Shanghai district (区), keyed by its GB/T 2260 code."""

    __tablename__ = "district"

    code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.String(32))
    name_en: Mapped[str] = mapped_column(sa.String(64))

    def display_name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") else self.name_zh


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, 32))
    name: Mapped[str] = mapped_column(sa.String(200))
    uscc: Mapped[str | None] = mapped_column(sa.String(18), unique=True)
    uscc_override_reason: Mapped[str | None] = mapped_column(sa.String(500))
    district_code: Mapped[str | None] = mapped_column(sa.ForeignKey("district.code"))
    status: Mapped[OrgStatus] = mapped_column(
        enum_column(OrgStatus, 16), default=OrgStatus.PENDING
    )
    # Owners' assemblies: the community (小区) and the filing record (备案) of the assembly.
    community: Mapped[str | None] = mapped_column(sa.String(200))
    filing_record: Mapped[str | None] = mapped_column(sa.String(100))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(32))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    review_note: Mapped[str | None] = mapped_column(sa.String(1000))
    # The number a registrant quotes to track a registration (organisations that register).
    reference: Mapped[str | None] = mapped_column(sa.String(16), unique=True)

    district: Mapped[District | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")

    @property
    def is_verified(self) -> bool:
        return self.status == OrgStatus.VERIFIED

    @property
    def is_bureau(self) -> bool:
        return self.kind in (OrgKind.DISTRICT_BUREAU, OrgKind.CITY_BUREAU)

    @property
    def needs_uscc_override(self) -> bool:
        """An early code that fails the GB 32100 check and has not been accepted by hand."""
        from core.accounts import uscc

        return bool(self.uscc) and not uscc.is_valid(self.uscc) and not self.uscc_override_reason


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    # Second factor (RFC 6238). The secret is needed to check codes, so it is kept, never shown
    # again after enrolment and never logged.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Raised by "log out everywhere" and by a password change: older sessions stop working.
    session_epoch: Mapped[int] = mapped_column(default=0)
    is_key_custodian: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: the epoch makes old sessions invalid
        return f"{self.id}:{self.session_epoch}"

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def active_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.active]


class Membership(TimestampMixin, db.Model):
    """A user's role in one organisation; a user may hold several and switch between them."""

    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole, 16))
    active: Mapped[bool] = mapped_column(default=True)
    # Experts only: the field they evaluate (see core.accounts.forms.SPECIALTIES).
    specialty: Mapped[str | None] = mapped_column(sa.String(32))

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")

    @property
    def platform_role(self) -> Role:
        kind = self.organisation.kind
        if self.role == MemberRole.EXPERT:
            return Role.EXPERT
        return {
            OrgKind.DEVELOPER: Role.TENDERER,
            OrgKind.OWNERS_ASSEMBLY: Role.TENDERER,
            OrgKind.AGENCY: Role.AGENCY,
            OrgKind.FIRM: Role.FIRM,
            OrgKind.DISTRICT_BUREAU: Role.SUPERVISOR,
            OrgKind.CITY_BUREAU: Role.SUPERVISOR,
            OrgKind.OPERATOR: Role.OPERATOR,
        }[kind]

    @property
    def is_admin(self) -> bool:
        return self.role == MemberRole.ADMIN


# Roles whose holders must use a second factor (and key custodians, see requires_second_factor).
SECOND_FACTOR_ROLES = frozenset({Role.SUPERVISOR, Role.EXPERT, Role.OPERATOR})


def requires_second_factor(user: User) -> bool:
    return user.is_key_custodian or any(
        m.platform_role in SECOND_FACTOR_ROLES for m in user.active_memberships()
    )


SHANGHAI_DISTRICTS = (
    ("310101", "黄浦区", "Huangpu"),
    ("310104", "徐汇区", "Xuhui"),
    ("310105", "长宁区", "Changning"),
    ("310106", "静安区", "Jing'an"),
    ("310107", "普陀区", "Putuo"),
    ("310109", "虹口区", "Hongkou"),
    ("310110", "杨浦区", "Yangpu"),
    ("310112", "闵行区", "Minhang"),
    ("310113", "宝山区", "Baoshan"),
    ("310114", "嘉定区", "Jiading"),
    ("310115", "浦东新区", "Pudong New Area"),
    ("310116", "金山区", "Jinshan"),
    ("310117", "松江区", "Songjiang"),
    ("310118", "青浦区", "Qingpu"),
    ("310120", "奉贤区", "Fengxian"),
    ("310151", "崇明区", "Chongming"),
)
