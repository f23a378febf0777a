"""Forms of the award pages (labels are English msgids, translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tender.award.labels import DECISION_LABELS, OUTCOME_LABELS, POINT_LABELS
from tender.tenders.labels import PROPERTY_LABELS

REASONS = _l("Give the reasons (at least 10 characters).")


class ObjectionForm(FlaskForm):
    point = RadioField(_l("What do you object to?"), choices=list(POINT_LABELS.items()),
                       validators=[DataRequired(_l("Choose what the objection is about."))])
    reasons = TextAreaField(_l("Your reasons"), validators=[DataRequired(REASONS), Length(min=10, max=8000, message=REASONS)])
    evidence = MultipleFileField(_l("Evidence (up to 3 PDF or Word files, optional)"))


class OwnerObjectionForm(ObjectionForm):
    owner_name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=100)])
    owner_room = StringField(_l("Your building and room"), validators=[DataRequired(_l("Enter your building and room, so the committee can confirm you are an owner.")), Length(max=60)])
    owner_phone = StringField(_l("Your phone number"), validators=[DataRequired(_l("Enter a phone number the tenderer can answer you on.")), Length(max=32)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("The answer"), validators=[DataRequired(REASONS), Length(min=10, max=8000, message=REASONS)])


class ComplaintForm(FlaskForm):
    reasons = TextAreaField(_l("Why the answer does not satisfy you"),
                            validators=[DataRequired(REASONS), Length(min=10, max=8000, message=REASONS)])


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=list(DECISION_LABELS.items()),
                          validators=[DataRequired(_l("Choose the decision."))])
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(REASONS), Length(min=10, max=8000, message=REASONS)])


class EndOfferForm(FlaskForm):
    outcome = SelectField(_l("What happened"), choices=list(OUTCOME_LABELS.items()))
    note = TextAreaField(_l("What happened, for the record"),
                         validators=[DataRequired(REASONS), Length(min=10, max=4000, message=REASONS)])


class AwardFilingForm(FlaskForm):
    reasons = TextAreaField(_l("Reasons for the choice of the winning bidder"),
                            validators=[DataRequired(REASONS), Length(min=10, max=8000, message=REASONS)])
    file = FileField(_l("Further document (optional, PDF or Word)"))


class FilingDecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("file", _l("File")), ("return", _l("Return with reasons"))],
                          validators=[DataRequired(_l("Choose to file or to return."))])
    reasons = TextAreaField(_l("Reasons"), validators=[Optional(), Length(max=4000)])


def contract_form(tender):
    """The contract form, with one fee field per property type of the tender."""

    class ContractForm(FlaskForm):
        file = FileField(_l("The signed contract (PDF or Word)"))
        signed_on = DateField(_l("Signed on"), validators=[DataRequired(_l("Enter the date the contract was signed."))])
        service_content = TextAreaField(_l("Service content (public part of the contract)"),
                                        validators=[DataRequired(REASONS), Length(min=10, max=4000, message=REASONS)])
        term_months = StringField(_l("Term in months"), default=str(tender.contract_months or ""))

    types = [a.property_type.value for a in tender.areas] or ["residential"]
    for kind in types:
        setattr(ContractForm, f"fee_{kind}", StringField(
            _l("Fee for %(type)s, yuan per m² and month", type=PROPERTY_LABELS[kind]),
            validators=[DataRequired(_l("Enter the fee in yuan per m² and month for each property type."))]))
    ContractForm.fee_fields = [f"fee_{k}" for k in types]
    return ContractForm()
