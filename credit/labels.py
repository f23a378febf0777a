"""Words shown for stored values (stages, decisions, severities, sources), in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext

LABELS = {
    "stage": {
        "draft": _l("Draft"),
        "notified": _l("Notified"),
        "objection_window": _l("Objection window open"),
        "awaiting_decision": _l("Awaiting decision"),
        "decided": pgettext("credit", "Decided"),
        "published": pgettext("credit", "Published"),
        "dismissed": _l("Dismissed"),
        "corrected": _l("Corrected"),
        "expired": pgettext("credit", "Expired"),
    },
    "decision": {"upheld": _l("Upheld"), "reduced": _l("Reduced"), "dismissed": _l("Dismissed")},
    "severity": {"minor": _l("Minor"), "general": _l("General"), "serious": _l("Serious")},
    "source": {
        "complaint": _l("Complaint"),
        "inspection": _l("Bureau inspection"),
        "hotline": _l("12345 hotline referral"),
        "tender": _l("Tendering event"),
        "import": _l("Imported record"),
    },
    "complaint": {
        "received": _l("Received, waiting for the district bureau"),
        "record_opened": _l("A credit case has been opened"),
        "closed": _l("Closed without a credit case"),
    },
    "complainant": {"resident": _l("Resident or owner"), "owners_committee": _l("Owners' committee")},
    "objection": {"accepted": _l("Accepted"), "partly_accepted": _l("Partly accepted"), "rejected": pgettext("credit", "Rejected")},
    "correction": {"approved": _l("Approved"), "refused": _l("Refused")},
    "subject": {"firm": _l("Firm"), "project_manager": _l("Project manager"), "both": _l("Firm or project manager")},
    "conduct": {"bad": _l("Bad conduct"), "good": _l("Good conduct")},
    "catalogue": {"draft": _l("Draft"), "active": pgettext("credit", "Active"), "retired": _l("Retired")},
}

STAGE_TAGS = {"published": "tag-error", "objection_window": "tag-warn", "awaiting_decision": "tag-warn",
              "dismissed": "tag-ok", "corrected": "tag-ok", "expired": "tag-ok"}

DUE_PROCESS = ("draft", "notified", "decided", "published", "expired")


def label(kind: str, value) -> str:
    value = getattr(value, "value", value)
    if value is None:
        return ""
    return str(LABELS.get(kind, {}).get(value, value))


def stage_tag(stage: str) -> str:
    return STAGE_TAGS.get(stage, "")
