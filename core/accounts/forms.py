"""Forms for registration, review, members and experts."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from core.accounts import uscc
from core.accounts.models import District, MemberRole, OrgKind
from core.accounts.operations import uscc_message
from core.accounts.registration import registration_refused
from core.auth.passwords import password_problem
from core.db import db

KIND_LABELS = {
    OrgKind.FIRM: _l("Property-service firm"),
    OrgKind.DEVELOPER: _l("Developer (for preliminary property management)"),
    OrgKind.OWNERS_ASSEMBLY: _l("Owners' assembly, through its owners' committee"),
    OrgKind.AGENCY: _l("Tender agency"),
    OrgKind.DISTRICT_BUREAU: _l("District housing bureau"),
    OrgKind.CITY_BUREAU: _l("City housing bureau"),
    OrgKind.OPERATOR: _l("Platform operator"),
}
KIND_HINTS = {
    OrgKind.FIRM: _l("You provide property services and want to bid in tenders."),
    OrgKind.DEVELOPER: _l("You are the developer of a new project and choose its first property-service firm."),
    OrgKind.OWNERS_ASSEMBLY: _l("Your owners' assembly chooses a property-service firm for the community."),
    OrgKind.AGENCY: _l("You run tenders on behalf of developers and owners' assemblies."),
}

# Fields an evaluation expert can be drawn for.
SPECIALTIES = {
    "residential": _l("Residential property"),
    "office": _l("Office buildings"),
    "commercial": _l("Commercial complexes"),
    "public_building": _l("Public buildings (hospitals, schools, government)"),
    "industrial_park": _l("Industrial parks"),
    "facilities": _l("Building services and equipment"),
    "finance": _l("Property-service fees and finance"),
}

STATUS_LABELS = {
    "pending": _l("Waiting for verification"),
    "verified": _l("Verified"),
    "rejected": _l("Rejected"),
    "suspended": _l("Suspended"),
}

MEMBER_ROLE_LABELS = {
    MemberRole.ADMIN: _l("Administrator (can add and remove people)"),
    MemberRole.MEMBER: _l("Member"),
    MemberRole.EXPERT: _l("Evaluation expert"),
}


def district_choices() -> list[tuple[str, str]]:
    locale = str(get_locale() or "zh")
    districts = db.session.scalars(db.select(District).order_by(District.code)).all()
    return [("", _l("Choose a district"))] + [(d.code, d.display_name(locale)) for d in districts]


def district_name(code: str | None) -> str:
    district = db.session.get(District, code) if code else None
    return district.display_name(str(get_locale() or "zh")) if district else ""


def stripped(value):
    return value.strip() if isinstance(value, str) else value


class KindForm(FlaskForm):
    kind = RadioField(
        _l("What kind of organisation are you registering?"),
        choices=[(k.value, KIND_LABELS[k]) for k in (OrgKind.FIRM, OrgKind.DEVELOPER, OrgKind.OWNERS_ASSEMBLY, OrgKind.AGENCY)],
        validators=[DataRequired(_l("Choose the kind of organisation"))],
    )


class _OrganisationBase(FlaskForm):
    name = StringField(
        _l("Full name of the organisation"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the name of the organisation")), Length(max=200)],
    )
    district_code = SelectField(
        _l("District"), validators=[DataRequired(_l("Choose the district where the organisation is registered"))]
    )
    address = StringField(_l("Address"), filters=[stripped], validators=[Optional(), Length(max=300)])
    contact_phone = TelField(_l("Telephone"), filters=[stripped], validators=[Optional(), Length(max=32)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.district_code.choices = district_choices()


class UsccOrganisationForm(_OrganisationBase):
    uscc = StringField(
        _l("Unified social credit code"),
        filters=[lambda v: uscc.normalise(v) if v else v],
        validators=[DataRequired(_l("Enter the unified social credit code"))],
    )
    uscc_confirmed = BooleanField(
        _l("This code is printed exactly like this on our business licence (issued before the national standard): ask the bureau to check it by hand")
    )

    def validate_uscc(self, field):
        reason = uscc.problem(field.data or "")
        if reason is None or (reason == "check_character" and self.uscc_confirmed.data):
            return
        raise ValidationError(str(uscc_message(reason)))


class AssemblyForm(_OrganisationBase):
    community = StringField(
        _l("Community (residential estate)"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the name of the community")), Length(max=200)],
    )
    filing_record = StringField(
        _l("Filing record number of the owners' assembly"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the filing record number from the street office or district bureau")), Length(max=100)],
    )


class AdminAccountForm(FlaskForm):
    admin_name = StringField(
        _l("Your full name"), filters=[stripped], validators=[DataRequired(_l("Enter your full name")), Length(max=100)]
    )
    email = EmailField(
        _l("Email address"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Enter your email address")),
            Email(_l("Enter an email address like name@example.com")),
            Length(max=254),
        ],
    )
    phone = TelField(_l("Mobile phone"), filters=[stripped], validators=[Optional(), Length(max=32)])
    password = PasswordField(_l("Create a password"), validators=[DataRequired(_l("Create a password"))])
    password_confirm = PasswordField(
        _l("Type the password again"),
        validators=[DataRequired(_l("Type the password again")), EqualTo("password", _l("The two passwords are not the same"))],
    )

    def validate_password(self, field):
        # The same rule as changing the password in the account settings.
        problem = password_problem(field.data or "", email=self.email.data)
        if problem is not None:
            raise ValidationError(problem)

    def validate(self, extra_validators=None):
        """The fields, then the registration throttle: a valid submission is hashed next (scrypt)."""
        if not super().validate(extra_validators):
            return False
        refused = registration_refused()
        if refused is not None:
            self.form_errors.append(refused)
            return False
        return True


class UseMyAccountForm(FlaskForm):
    """Only the CSRF token: the signed-in person confirms they will administer the organisation."""


class SubmitForm(FlaskForm):
    """The check-your-answers page: a declaration, then submit."""

    declaration = BooleanField(
        _l("I confirm that these details are true and that I may register this organisation."),
        validators=[DataRequired(_l("Confirm that the details are true"))],
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Verify the organisation")), ("reject", _l("Reject the registration"))],
        validators=[DataRequired(_l("Choose whether to verify or reject"))],
    )
    reason = TextAreaField(
        _l("Reason or note"),
        filters=[stripped],
        validators=[Length(max=1000)],
    )

    def validate_reason(self, field):
        if self.decision.data == "reject" and not field.data:
            raise ValidationError(str(_l("Give the reason for rejecting the registration.")))


class OverrideForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the code is accepted"),
        filters=[stripped],
        validators=[DataRequired(_l("Give the reason for accepting this code.")), Length(max=500)],
    )


class MemberForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[stripped], validators=[DataRequired(_l("Enter the person's full name")), Length(max=100)])
    email = EmailField(
        _l("Email address"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the person's email address")), Email(_l("Enter an email address like name@example.com")), Length(max=254)],
    )
    role = RadioField(
        _l("Role in the organisation"),
        choices=[(r.value, MEMBER_ROLE_LABELS[r]) for r in (MemberRole.MEMBER, MemberRole.ADMIN)],
        default=MemberRole.MEMBER.value,
        validators=[DataRequired(_l("Choose the role"))],
    )


class ExpertForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[stripped], validators=[DataRequired(_l("Enter the expert's full name")), Length(max=100)])
    email = EmailField(
        _l("Email address"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the expert's email address")), Email(_l("Enter an email address like name@example.com")), Length(max=254)],
    )
    phone = TelField(_l("Mobile phone"), filters=[stripped], validators=[Optional(), Length(max=32)])
    specialty = SelectField(
        _l("Specialty"),
        choices=[("", _l("Choose a specialty"))] + list(SPECIALTIES.items()),
        validators=[DataRequired(_l("Choose the expert's specialty."))],
    )


class RemoveMemberForm(FlaskForm):
    """Only the CSRF token: the membership comes from the URL."""
