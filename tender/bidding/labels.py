"""Labels of bidding values, translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "submitted": _l("Sent and sealed"), "withdrawn": _l("Withdrawn"), "valid": _l("Opened: valid"),
    "invalid": _l("Opened: invalid"), "revoked": _l("Revoked (could not be opened)"),
    "lapsed": _l("Could not be opened: treated as withdrawn"),
}
