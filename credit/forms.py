"""Forms of the credit pages (labels are English msgids, translated at render time)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp, ValidationError

from core import clock
from core.accounts import uscc as uscc_rules


def not_future(form, field):
    if field.data and field.data > clock.today():
        raise ValidationError(_l("The date must be today or in the past."))


def valid_uscc(form, field):
    if field.data and uscc_rules.problem(field.data):
        raise ValidationError(_l("Enter the 18-character unified social credit code as printed on the business licence."))


class ComplaintFirmForm(FlaskForm):
    firm_name = StringField(_l("Name of the property-service firm"),
                            validators=[DataRequired(_l("Enter the name of the firm.")), Length(max=200)])
    firm_uscc = StringField(_l("Unified social credit code (optional)"), validators=[Optional(), valid_uscc])


class ComplaintPlaceForm(FlaskForm):
    community = StringField(_l("Name of the community or building"),
                            validators=[DataRequired(_l("Enter the name of the community.")), Length(max=200)])
    district_code = SelectField(_l("District"), validators=[DataRequired(_l("Select the district."))])


class ComplaintDetailsForm(FlaskForm):
    description = TextAreaField(
        _l("What happened?"),
        validators=[DataRequired(_l("Describe what happened.")),
                    Length(min=20, max=3000, message=_l("Use between 20 and 3000 characters."))],
    )
    occurred_on = DateField(_l("When did it happen? (optional)"), validators=[Optional(), not_future])


class ComplaintEvidenceForm(FlaskForm):
    file = FileField(_l("Add a photo or document (optional)"))


class ComplaintContactForm(FlaskForm):
    complainant_kind = RadioField(
        _l("Who is making the complaint?"),
        choices=[("resident", _l("Resident or owner")), ("owners_committee", _l("Owners' committee"))],
        validators=[InputRequired(_l("Select who is making the complaint."))],
    )
    complainant_name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=100)])
    complainant_phone = StringField(
        _l("Mobile phone number (optional)"),
        validators=[Optional(), Regexp(r"^1\d{10}$", message=_l("Enter an 11-digit mobile number, like 13812345678."))],
    )
    complainant_email = StringField(_l("Email address (optional)"),
                                    validators=[Optional(), Email(_l("Enter an email address like name@example.com."))])


class TrackForm(FlaskForm):
    class Meta:
        csrf = False

    tracking_number = StringField(_l("Tracking number"), validators=[DataRequired(_l("Enter your tracking number."))])


REASONS = [DataRequired(_l("Give the reasons.")), Length(min=10, message=_l("Use at least 10 characters."))]


class OpenRecordForm(FlaskForm):
    subject = StringField(_l("Firm's unified social credit code, or the project manager's certificate number"),
                          validators=[DataRequired(_l("Enter the code or certificate number."))])
    item_id = SelectField(_l("Conduct item"), coerce=int, validators=[InputRequired(_l("Select the conduct item."))])
    occurred_on = DateField(_l("Date of the conduct"), validators=[DataRequired(_l("Enter the date.")), not_future])
    facts = TextAreaField(_l("Facts found"), validators=REASONS)
    district_code = SelectField(_l("District"), validators=[DataRequired()])


class CloseComplaintForm(FlaskForm):
    reason = TextAreaField(_l("Reason, shown to the complainant"), validators=REASONS)


class DecisionForm(FlaskForm):
    decision = RadioField(pgettext("credit", "Decision"), choices=[("upheld", _l("Upheld")), ("reduced", _l("Reduced")),
                                                  ("dismissed", _l("Dismissed"))],
                          validators=[InputRequired(_l("Select the decision."))])
    points = IntegerField(_l("Reduced points"), validators=[Optional()])
    reasons = TextAreaField(_l("Reasons for the decision"), validators=REASONS)
    objection_outcome = SelectField(_l("Answer to the objection"), validators=[Optional()],
                                    choices=[("", "—"), ("accepted", _l("Accepted")),
                                             ("partly_accepted", _l("Partly accepted")), ("rejected", pgettext("credit", "Rejected"))])
    objection_answer = TextAreaField(_l("Reasons given to the objection"), validators=[Optional()])


class ObjectionForm(FlaskForm):
    grounds = TextAreaField(_l("Grounds of your objection"), validators=REASONS)


class CorrectionRequestForm(FlaskForm):
    statement = TextAreaField(_l("What has been rectified"), validators=REASONS)


class CorrectionDecisionForm(FlaskForm):
    outcome = RadioField(_l("Outcome"), choices=[("approved", _l("Approved")), ("refused", _l("Refused"))],
                         validators=[InputRequired(_l("Select the outcome."))])
    reasons = TextAreaField(_l("Reasons"), validators=REASONS)


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"))


class ItemForm(FlaskForm):
    code = StringField(pgettext("credit", "Code"), validators=[DataRequired(), Length(max=32)])
    subject_kind = SelectField(_l("Applies to"), choices=[("firm", _l("Firm")), ("project_manager", _l("Project manager")),
                                                          ("both", _l("Firm or project manager")),
                                                          ("agency", _l("Tender agency"))])
    kind = SelectField(_l("Kind"), choices=[("bad", _l("Bad conduct")), ("good", _l("Good conduct"))])
    severity = SelectField(_l("Severity"), choices=[("minor", _l("Minor")), ("general", _l("General")),
                                                    ("serious", _l("Serious"))])
    points = IntegerField(_l("Points"), validators=[InputRequired()])
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    basis = StringField(_l("Legal basis"), validators=[Optional(), Length(max=500)])
    publication_months = IntegerField(_l("Publication period (months)"), validators=[InputRequired()])
    correction_after_months = IntegerField(_l("Correction may be asked for after (months)"), validators=[InputRequired()])
    is_example = SelectField(_l("Source"), choices=[("0", _l("Published standard")), ("1", _l("Example item"))])
