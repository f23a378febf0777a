"""Messages to people (通知文本): kept as a message id with parameters, rendered in the reader's language.

A feature defines its messages once, at import, with lazy English texts that Babel translates:

    RECORD_NOTIFIED = define("credit.record_notified",
                             _l("Credit record %(ref)s: notice of a finding"),
                             _l("You may object once until %(deadline)s."))

and sends ``tell(user, RECORD_NOTIFIED, {"ref": ..., "deadline": at(instant)})``. The notification
stores the id and the parameters; each page, API answer and mail copy renders them in the language
of the person reading (their saved language, else the platform's default), never the sender's.

Parameter values are text or numbers, or one of the typed values made by :func:`at` (an instant,
shown in Shanghai time), :func:`on` (a date) and :func:`texts` (a text given in each language, such
as a conduct item's title).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime

_REGISTRY: dict[str, Message] = {}


@dataclass(frozen=True)
class Message:
    """A message kind: its id and its subject and body templates (lazy, translated when rendered)."""

    id: str
    subject: object
    body: object = ""


def define(message_id: str, subject, body="") -> Message:
    """Declare a message kind (once per id; the texts are lazy_gettext strings)."""
    message = Message(message_id, subject, body)
    existing = _REGISTRY.get(message_id)
    if existing is not None and (str(existing.subject), str(existing.body)) != (str(subject), str(body)):
        raise ValueError(f"message {message_id} is defined twice with different texts")
    _REGISTRY[message_id] = message
    return message


def get(message_id: str) -> Message | None:
    return _REGISTRY.get(message_id)


def at(instant: datetime) -> dict:
    """An instant as a parameter (shown in Shanghai time, in the reader's locale)."""
    return {"$datetime": instant.isoformat()}


def on(day: date) -> dict:
    """A date as a parameter."""
    return {"$date": day.isoformat()}


def texts(zh: str, en: str | None = None) -> dict:
    """A text given in each language (the reader sees theirs; English falls back to Chinese)."""
    return {"$zh": zh, "$en": en or zh}


def _value(value, locale: str):
    if isinstance(value, dict):
        if "$datetime" in value:
            return format_datetime(datetime.fromisoformat(value["$datetime"]), "yyyy-MM-dd EEE HH:mm")
        if "$date" in value:
            return format_date(date.fromisoformat(value["$date"]), "yyyy-MM-dd EEE")
        if "$zh" in value:
            return value["$en"] if locale.startswith("en") else value["$zh"]
    return value


def reader_locale(user) -> str:
    """The language a person reads messages in: their saved choice, else the platform's default."""
    languages = current_app.config["LANGUAGES"]
    chosen = getattr(user, "locale", None)
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def render(message_id: str, params: dict | None, locale: str) -> tuple[str, str]:
    """(subject, body) of a message in ``locale``."""
    message = _REGISTRY.get(message_id)
    if message is None:
        raise KeyError(f"no message {message_id!r} is defined")
    with force_locale(locale):
        values = {k: _value(v, locale) for k, v in (params or {}).items()}
        subject = str(message.subject) % values if values else str(message.subject)
        body = (str(message.body) % values if values else str(message.body)) if message.body else ""
    return " ".join(subject.split()), body
