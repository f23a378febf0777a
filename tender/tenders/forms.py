"""Forms of the tender pages (labels are English msgids, translated when shown)."""

from __future__ import annotations

from datetime import timezone
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, Field, IntegerField, RadioField, SelectField, SelectMultipleField,
    StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from core.clock import SHANGHAI
from tender.tenders.labels import (
    CANCEL_LABELS, FEE_LABELS, GRADE_NAMES, KIND_LABELS, PROPERTY_LABELS,
)
from tender.tenders.models import PropertyType
from tender.tenders.operations.scheme import DEFAULT_SCHEME, ITEM_LABELS, PRICE_METHOD_LABELS, BLOCK_LABELS, field_name

WHOLE = _l("Enter a whole number.")


class YuanField(Field):
    """An amount in yuan with at most two decimals, kept as integer fen."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data // 100}.{self.data % 100:02d}"

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip().replace(",", "").replace("元", "")
        if not text:
            self.data = None
            return
        try:
            amount = Decimal(text)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            self.data = None
            raise ValueError(str(_l("Enter an amount in yuan, like 2.85.")))
        self.data = int(amount * 100)


class ShanghaiDateTimeField(DateTimeLocalField):
    """A date and time as the user reads it in Shanghai, kept as aware UTC."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format="%Y-%m-%dT%H:%M", **kwargs)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if self.data else ""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Enter a date and time, like 2027-03-01 09:30."))) from None
        if self.data is not None:
            self.data = self.data.replace(tzinfo=SHANGHAI).astimezone(timezone.utc)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def grade_choices():
    return [("", "—")] + [(str(g), f"{zh} · {en}") for g, (zh, en) in GRADE_NAMES.items()]


class NewTenderForm(FlaskForm):
    community_name = StringField(_l("Name of the community (小区)"),
                                 validators=[DataRequired(_l("Enter the name of the community.")), Length(max=200)])
    district_code = SelectField(_l("District"), validators=[DataRequired(_l("Choose the district."))])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])


class FactsForm(FlaskForm):
    address = StringField(_l("Address"), validators=[DataRequired(_l("Enter the address.")), Length(max=300)])
    buildings = IntegerField(_l("Number of buildings"), validators=[Optional()], )
    households = IntegerField(_l("Number of households"), validators=[Optional()])
    service_grade = SelectField(_l("Service standard (Shanghai residential grades)"), choices=grade_choices,
                                validators=[Optional()])
    service_scope = TextAreaField(_l("Scope of the services"), validators=[Optional(), Length(max=4000)])
    fee_model = RadioField(_l("Fee model"), choices=list(FEE_LABELS.items()),
                           validators=[InputRequired(_l("Choose the fee model."))])
    ceiling_fen = YuanField(_l("Ceiling price (yuan per m² per month)"))
    contract_months = IntegerField(_l("Contract term (months)"), validators=[Optional()])
    qualifications = TextAreaField(_l("Requirements bidders must meet"), validators=[Optional(), Length(max=4000)])
    min_credit_score = IntegerField(_l("Lowest credit score accepted (optional)"), validators=[Optional()])
    bid_validity_days = IntegerField(_l("Bids stay valid for (days)"), validators=[Optional()])
    bid_security_fen = YuanField(_l("Bid security in yuan (leave empty when none is asked)"))

    def numbers(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "address", "buildings", "households", "service_scope", "fee_model", "ceiling_fen", "contract_months",
            "qualifications", "min_credit_score", "bid_validity_days", "bid_security_fen")}
        data["service_grade"] = int(self.service_grade.data) if self.service_grade.data else None
        return data


class TimelineForm(FlaskForm):
    documents_from = DateField(_l("Documents available from"), validators=[InputRequired(_l("Enter a date."))])
    documents_until = DateField(_l("Documents available until"), validators=[InputRequired(_l("Enter a date."))])
    bid_deadline = ShanghaiDateTimeField(_l("Bid deadline"), validators=[InputRequired(_l("Enter a date and time."))])
    opening_at = ShanghaiDateTimeField(_l("Bid opening"), validators=[InputRequired(_l("Enter a date and time."))])


def areas_form(tender=None):
    """One whole-number field per property type (m²)."""

    class AreasForm(FlaskForm):
        pass

    existing = {a.property_type.value: a.floor_area_m2 for a in (tender.areas if tender else [])}
    for kind in PropertyType:
        setattr(AreasForm, f"area_{kind.value}", IntegerField(PROPERTY_LABELS[kind.value], validators=[Optional()],
                                                              default=existing.get(kind.value)))
    return AreasForm


class ResolutionForm(FlaskForm):
    resolved_on = DateField(_l("Date of the resolution"), validators=[InputRequired(_l("Enter a date."))])
    total_area_m2 = IntegerField(_l("Total exclusive floor area (m²)"), validators=[InputRequired(WHOLE)])
    total_owners = IntegerField(_l("Total number of owners"), validators=[InputRequired(WHOLE)])
    participating_area_m2 = IntegerField(_l("Floor area of the owners who took part (m²)"), validators=[InputRequired(WHOLE)])
    participating_owners = IntegerField(_l("Number of owners who took part"), validators=[InputRequired(WHOLE)])
    approving_area_m2 = IntegerField(_l("Floor area of the owners who agreed (m²)"), validators=[InputRequired(WHOLE)])
    approving_owners = IntegerField(_l("Number of owners who agreed"), validators=[InputRequired(WHOLE)])
    file = FileField(_l("The resolution (PDF or DOCX)"))


class CustodiansForm(FlaskForm):
    user_ids = MultiCheckboxField(_l("Custodians"), coerce=int)
    threshold = IntegerField(_l("How many custodians together open the bids"),
                             validators=[InputRequired(WHOLE), NumberRange(min=2, message=_l("At least 2."))])


def scheme_form(scheme: dict):
    """A whole-number field per item (and per block without items), and the price formula."""

    class SchemeForm(FlaskForm):
        price_method = RadioField(_l("How the price is scored"), choices=list(PRICE_METHOD_LABELS.items()),
                                  validators=[InputRequired(_l("Choose how the price is scored."))],
                                  default=scheme.get("price_method"))

    blocks = (scheme or DEFAULT_SCHEME)["blocks"]
    for block in blocks:
        if block["items"]:
            for key, points in block["items"]:
                setattr(SchemeForm, field_name(block["key"], key),
                        IntegerField(ITEM_LABELS[key], validators=[InputRequired(WHOLE)], default=points))
        else:
            setattr(SchemeForm, field_name(block["key"]),
                    IntegerField(BLOCK_LABELS[block["key"]], validators=[InputRequired(WHOLE)], default=block["points"]))
    return SchemeForm


class DocumentForm(FlaskForm):
    file = FileField(_l("Tender documents (PDF or DOCX)"))
    change_note = TextAreaField(_l("What this version changes"), validators=[Optional(), Length(max=2000)])


class AppointForm(FlaskForm):
    agency_id = SelectField(_l("Tender agency"), coerce=int, validators=[InputRequired(_l("Choose the agency."))])
    lead_staff_id = SelectField(_l("The agency's person in charge (optional)"), coerce=int, validators=[Optional()])
    contract_number = StringField(_l("Agency contract number"),
                                  validators=[DataRequired(_l("Enter the contract number.")), Length(max=60)])
    contract_signed_on = DateField(_l("Contract signed on"), validators=[InputRequired(_l("Enter a date."))])
    file = FileField(_l("The agency contract (PDF or DOCX)"))


class ReasonsForm(FlaskForm):
    reasons = TextAreaField(_l("What must the tenderer change?"),
                            validators=[DataRequired(_l("Give the reasons.")), Length(max=4000)])


class FileTenderForm(FlaskForm):
    filing_number = StringField(_l("Filing number (optional)"), validators=[Optional(), Length(max=40)])


class CancelForm(FlaskForm):
    reason = RadioField(_l("Why is the tender cancelled?"), choices=list(CANCEL_LABELS.items()),
                        validators=[InputRequired(_l("Choose the reason."))])
    note = TextAreaField(_l("Explanation for the firms and the public"),
                         validators=[DataRequired(_l("Explain the cancellation.")), Length(max=4000)])


class TextForm(FlaskForm):
    text = TextAreaField(_l("Text"), validators=[DataRequired(_l("Write the text.")), Length(max=4000)])


class QuestionForm(FlaskForm):
    text = TextAreaField(_l("Your question"), validators=[DataRequired(_l("Write your question.")), Length(max=2000)])


class AnswerForm(FlaskForm):
    text = TextAreaField(_l("Answer"), validators=[DataRequired(_l("Write the answer.")), Length(max=4000)])


class RegisterForm(FlaskForm):
    confirm_requirements = BooleanField(_l("Our firm meets the requirements of this tender"))

    def validate_confirm_requirements(self, field):
        if not field.data:
            raise ValidationError(_l("Confirm that your firm meets the tender's requirements."))


class StaffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the name.")), Length(max=100)])
    certificate_no = StringField(_l("Certificate number"),
                                 validators=[DataRequired(_l("Enter the certificate number.")), Length(max=40)])
    joined_on = DateField(_l("Joined on"), validators=[Optional()])


class FilterForm(FlaskForm):
    """The public list's filters (a GET form: no token, every value optional and checked)."""

    class Meta:
        csrf = False

    q = StringField(_l("Community name contains"), validators=[Optional(), Length(max=50)])
    district = SelectField(_l("District"), validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[("", _l("Any"))] + list(KIND_LABELS.items()), validators=[Optional()])
    state = SelectField(_l("Status"), validators=[Optional()],
                        choices=[("", _l("Any")), ("open_for_bids", _l("Open for bids")),
                                 ("closed", _l("Deadline passed")), ("cancelled", _l("Cancelled"))])
    published_from = DateField(_l("Announced from"), validators=[Optional()])
    published_to = DateField(_l("Announced until"), validators=[Optional()])


def procedure_form(rules):
    class ProcedureForm(FlaskForm):
        valid_from = DateField(_l("In force from"), validators=[InputRequired(_l("Enter a date."))])
        district_code = SelectField(_l("For"), validators=[Optional()])
        note = StringField(_l("Note (the decision or notice)"), validators=[Optional(), Length(max=300)])

    for spec in rules:
        setattr(ProcedureForm, f"rule_{spec.key}", IntegerField(spec.label, validators=[Optional()]))
    return ProcedureForm


