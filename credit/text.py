"""Translated messages that also work outside a request (jobs, commands): English there."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext


def _(message: str, **variables) -> str:
    if has_request_context():
        return gettext(message, **variables)
    return message % variables if variables else message
