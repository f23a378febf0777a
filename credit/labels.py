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
    "subject": {"firm": _l("Firm"), "project_manager": _l("Project manager"), "both": _l("Firm or project manager"),
                "agency": _l("Tender agency")},
    "conduct": {"bad": _l("Bad conduct"), "good": _l("Good conduct")},
    "catalogue": {"draft": _l("Draft"), "active": pgettext("credit", "Active"), "retired": _l("Retired")},
}

# The steps of a record's history, as the audit chain names them (credit.record_<step>).
TIMELINE = {
    "opened": _l("Record opened"),
    "notified": _l("Subject notified"),
    "objected": _l("Objection received"),
    "decided": _l("Decision taken"),
    "published": _l("Record published"),
    "correction_requested": _l("Correction requested"),
    "correction_decided": _l("Correction request decided"),
    "expired": _l("Publication period ended"),
    "imported": _l("Imported from another system"),
}

STAGE_TAGS = {"published": "tag-error", "objection_window": "tag-warn", "awaiting_decision": "tag-warn",
              "dismissed": "tag-ok", "corrected": "tag-ok", "expired": "tag-ok"}



def timeline_label(action: str) -> str:
    """The name of a history step (an audit action ``credit.record_<step>``) in the reader's language."""
    step = action.removeprefix("credit.record_")
    return str(TIMELINE.get(step, step.replace("_", " ")))


def label(kind: str, value) -> str:
    value = getattr(value, "value", value)
    if value is None:
        return ""
    return str(LABELS.get(kind, {}).get(value, value))


def stage_tag(stage: str) -> str:
    return STAGE_TAGS.get(stage, "")
