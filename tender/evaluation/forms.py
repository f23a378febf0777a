"""Forms of the expert's profile page and the city bureau's pool pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.accounts.forms import SPECIALTIES, stripped
from tender.evaluation import labels


def _checkboxes(label, **kwargs):
    return SelectMultipleField(label, option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), **kwargs)


class ProfileForm(FlaskForm):
    title = SelectField(_l("Professional title"), validators=[DataRequired(_l("Choose your professional title."))])
    title_certificate = StringField(_l("Title certificate number"), filters=[stripped], validators=[Optional(), Length(max=64)])
    practice_since = DateField(_l("In practice since"), validators=[DataRequired(_l("Enter the date your practice started."))])
    districts = _checkboxes(_l("Districts you serve"), validators=[DataRequired(_l("Choose at least one district."))])
    other_specialties = _checkboxes(_l("Further specialties"), validators=[Optional()])
    note = TextAreaField(_l("Note for the city bureau"), filters=[stripped], validators=[Optional(), Length(max=1000)])

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.title.choices = [("", _l("Choose a title"))] + list(labels.TITLES.items())
        self.districts.choices = list(districts)
        self.other_specialties.choices = list(SPECIALTIES.items())


class RelationForm(FlaskForm):
    person_name = StringField(_l("The person's name"), filters=[stripped],
                              validators=[DataRequired(_l("Enter the person's name.")), Length(max=100)])
    relationship_kind = SelectField(_l("How you are related"), validators=[DataRequired(_l("Choose how you are related."))])
    organisation_name = StringField(_l("Organisation they work for or own"), filters=[stripped],
                                    validators=[DataRequired(_l("Enter the organisation's name.")), Length(max=200)])
    organisation_uscc = StringField(_l("Its unified social credit code (if known)"), filters=[stripped],
                                    validators=[Optional(), Length(max=40)])
    person_role = StringField(_l("Their role there (legal representative, shareholder, manager…)"), filters=[stripped],
                              validators=[Optional(), Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.relationship_kind.choices = [("", _l("Choose"))] + list(labels.RELATIONSHIPS.items())


class UnavailabilityForm(FlaskForm):
    starts_on = DateField(_l("First day"), validators=[DataRequired(_l("Enter the first day."))])
    ends_on = DateField(_l("Last day"), validators=[Optional()])
    reason = StringField(_l("Reason (optional, seen by the city bureau)"), filters=[stripped], validators=[Optional(), Length(max=200)])


class EmployerForm(FlaskForm):
    employer_name = StringField(_l("Employer"), filters=[stripped],
                                validators=[DataRequired(_l("Enter the employer's name.")), Length(max=200)])
    employer_uscc = StringField(_l("Employer's unified social credit code"), filters=[stripped],
                                validators=[Optional(), Length(max=40)])
    position = StringField(_l("Position"), filters=[stripped], validators=[Optional(), Length(max=100)])
    started_on = DateField(_l("Start date"), validators=[DataRequired(_l("Enter the start date."))])


class PastEmploymentForm(EmployerForm):
    ended_on = DateField(_l("End date (empty: still there)"), validators=[Optional()])


class ActionForm(FlaskForm):
    """Only the CSRF token: what to act on comes from the URL."""


class DecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("confirm", _l("Confirm the change")), ("reject", _l("Do not confirm"))],
                          validators=[DataRequired(_l("Choose whether to confirm the change."))])
    note = TextAreaField(_l("Note to the expert"), filters=[stripped], validators=[Optional(), Length(max=500)])


class ConductForm(FlaskForm):
    kind = SelectField(_l("What happened"), validators=[DataRequired(_l("Choose what happened."))])
    occurred_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    note = TextAreaField(_l("Description (the expert reads it)"), filters=[stripped],
                         validators=[DataRequired(_l("Describe what happened.")), Length(max=1000)])
    weight_effect = IntegerField(_l("Effect on the draw weight, in thousandths (empty: the rule's value)"),
                                 validators=[Optional(), NumberRange(0, 1000, _l("Enter a number from 0 to 1000."))])
    tender_id = IntegerField(_l("Tender number (if any)"), validators=[Optional(), NumberRange(1, 2**31 - 1)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("Choose"))] + list(labels.CONDUCT_KINDS.items())


class PoolRuleForm(FlaskForm):
    valid_from = DateTimeLocalField(_l("In force from (Shanghai time)"), validators=[DataRequired(_l("Enter when the values take effect."))])
    min_years = IntegerField(_l("Minimum years of practice"),
                             validators=[InputRequired(_l("Enter the minimum years.")), NumberRange(0, 60)])
    senior_titles = _checkboxes(_l("Senior titles"), validators=[DataRequired(_l("Choose at least one title."))])
    note = StringField(_l("Why the values change"), filters=[stripped],
                       validators=[DataRequired(_l("Say why the values change.")), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.senior_titles.choices = list(labels.TITLES.items())


class PrepareDrawForm(FlaskForm):
    evaluation_starts_at = DateTimeLocalField(_l("The evaluation starts (Shanghai time)"), format="%Y-%m-%dT%H:%M",
                                              validators=[DataRequired(_l("Give the day and time the evaluation starts."))])
    members = IntegerField(_l("Experts on the committee"), validators=[InputRequired(_l("Give the number of experts.")),
                                                                       NumberRange(min=3, max=15)])
    reserves = IntegerField(_l("Reserves"), validators=[InputRequired(_l("Give the number of reserves.")),
                                                        NumberRange(min=0, max=10)])
    tenderer_representatives = IntegerField(
        _l("Seats for the tenderer's representatives"),
        validators=[InputRequired(_l("Give the number of representative seats (0 for none).")),
                    NumberRange(min=0, max=5)])


class RepresentativeForm(FlaskForm):
    membership_id = SelectField(_l("Representative"), choices=[],
                                validators=[DataRequired(_l("Choose one of your organisation's people."))])


class WitnessForm(FlaskForm):
    witness = StringField(_l("Witness text read out at the draw"), filters=[stripped],
                          validators=[DataRequired(_l("Enter the witness text.")), Length(max=200)])


class AnswerForm(FlaskForm):
    answer = RadioField(_l("Your answer"), choices=[("accept", _l("I accept and declare no conflict of interest")),
                                                    ("decline", _l("I decline"))],
                        validators=[DataRequired(_l("Accept or decline the invitation."))])
    reason = SelectField(_l("Why you decline"), choices=[("", "—"), ("declared_conflict", _l("I have a conflict of interest")),
                                                         ("unavailable", _l("I am not available")),
                                                         ("other", _l("Another reason"))], validators=[Optional()])
    note = TextAreaField(_l("Explanation"), filters=[stripped], validators=[Optional(), Length(max=500)])


class SecondFactorForm(FlaskForm):
    code = StringField(_l("Code from your authenticator"), filters=[stripped],
                       validators=[DataRequired(_l("Enter the code from your authenticator.")), Length(max=40)])
    sha256 = StringField(validators=[Optional(), Length(max=64)])


class FlagHandlingForm(FlaskForm):
    action = SelectField(_l("What was done"), validators=[DataRequired(_l("Choose what was done."))])
    points = StringField(_l("New score"), filters=[stripped], validators=[Optional(), Length(max=10)])
    note = TextAreaField(_l("Reason"), filters=[stripped], validators=[DataRequired(_l("Write the reason.")),
                                                                      Length(max=1000)])


class BlindDecisionForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[("no_breach", _l("The bid does not break the blind rule")),
                                                   ("breach", _l("The bid breaks the blind rule"))],
                          validators=[DataRequired(_l("Choose whether the bid breaks the blind rule."))])
    note = TextAreaField(_l("Reasons"), filters=[stripped], validators=[DataRequired(_l("Give the reasons for the decision.")),
                                                                       Length(max=1000)])


class AbsentForm(FlaskForm):
    note = TextAreaField(_l("What happened"), filters=[stripped],
                         validators=[DataRequired(_l("Describe what happened; the expert reads it.")), Length(max=500)])


class UpholdForm(FlaskForm):
    note = TextAreaField(_l("Why the flagged scoring is upheld"), filters=[stripped],
                         validators=[DataRequired(_l("Give the reasons for the decision.")), Length(max=1000)])
