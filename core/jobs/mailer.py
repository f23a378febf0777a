"""Handing a message to the SMTP server named in the configuration."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from core.jobs.models import OutgoingMail

# Failures worth retrying later; anything else is a bug and fails the job at once.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)

# How long the embedded demo keeps a sensitive body in the outbox (as long as a reset link lives).
SENSITIVE_OUTBOX_SECONDS = 3600


def outbox_shows_sensitive(config) -> bool:
    """Whether sensitive bodies are kept in the outbox and shown to operators.

    Only in the embedded start with no MAIL_SERVER, where the outbox is how people of the demo get
    their reset links (MAIL_OUTBOX_SHOWS_SENSITIVE overrides). Elsewhere a sensitive body is used
    for sending only, and an outbox delivery loses it: production must set MAIL_SERVER.
    """
    if config.get("MAIL_SERVER"):
        return False
    chosen = config.get("MAIL_OUTBOX_SHOWS_SENSITIVE")
    return bool(config.get("NAME") == "embedded" if chosen is None else chosen)


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.recipient
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(mail.created_at.timestamp(), usegmt=True)
    # Stable per row, so a message sent twice after a crash is recognisable as one.
    domain = sender.rsplit("@", 1)[-1].strip(">") or "localhost"
    msg["Message-ID"] = f"<{mail.job_id}.{mail.body_sha256[:16]}@{domain}>"
    msg.set_content(mail.body)
    return msg


def send_smtp(mail: OutgoingMail, config) -> None:
    """Send one message; raises one of TRANSIENT_ERRORS when the server refuses or is unreachable."""
    message = build_message(mail, config["MAIL_SENDER"])
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
