"""Forms for signing in and for account settings."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.auth.passwords import MAX_LENGTH, password_problem


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email address")), Email(_l("Enter an email address like name@example.com")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password")), Length(max=MAX_LENGTH)])


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter the code from your authenticator app, or a recovery code")), Length(max=40)],
    )


class NewPasswordMixin:
    """A new password typed twice, checked against the rules (the email is the form's ``email_for_rules``)."""

    email_for_rules: str | None = None

    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password"))])
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Enter the new password again")), EqualTo("new_password", _l("The two passwords are not the same"))],
    )

    def validate_new_password(self, field):
        problem = password_problem(field.data or "", email=self.email_for_rules)
        if problem is not None:
            raise ValidationError(problem)


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password")), Length(max=MAX_LENGTH)]
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email address")), Email(_l("Enter an email address like name@example.com")), Length(max=254)])


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class ConfirmPasswordForm(FlaskForm):
    """Asks for the password again before a sensitive change."""

    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password")), Length(max=MAX_LENGTH)])


class ConfirmWithCodeForm(ConfirmPasswordForm):
    code = StringField(_l("Code from your authenticator app"), validators=[DataRequired(_l("Enter the code from your authenticator app")), Length(max=40)])


class EnrolForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), validators=[DataRequired(_l("Enter the 6-digit code from your authenticator app")), Length(max=40)])


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(_l("Give the token a name, such as the system that will use it")), Length(max=100)])
    scopes = SelectMultipleField(
        _l("What the token may do"),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired(_l("Choose at least one permission"))],
    )
    days = IntegerField(
        _l("Valid for (days)"),
        validators=[DataRequired(_l("Enter how many days the token is valid")), NumberRange(min=1, message=_l("Enter a number of days from 1"))],
    )

    def validate_days(self, field):
        most = current_app.config["API_TOKEN_MAX_DAYS"]
        if field.data is not None and field.data > most:
            raise ValidationError(_l("A token can be valid for at most %(n)s days.", n=most))


class LanguageForm(FlaskForm):
    locale = RadioField(
        _l("Language"),
        choices=[("zh_CN", "简体中文"), ("en", "English")],
        validators=[DataRequired(_l("Choose a language"))],
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (log out everywhere, revoke a token)."""
