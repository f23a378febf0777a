"""The messages the tender package sends (通知), defined once and rendered in each reader's language."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from core.messages import define, texts

SUBMITTED = define("tender.submitted", _l("Tender %(ref)s submitted for filing"),
                   _l("%(community)s: please decide the filing by %(due)s."))
FILED = define("tender.filed", _l("Tender %(ref)s filed by the district bureau"),
               _l("%(community)s was filed. You may now publish the announcement."))
RETURNED = define("tender.returned", _l("Tender %(ref)s returned by the district bureau"),
                  _l("The bureau's reasons: %(reasons)s"))
PUBLISHED = define("tender.published", _l("Tender %(ref)s published"),
                   _l("%(community)s is open for bids until %(deadline)s."))
CANCELLED = define("tender.cancelled", _l("Tender %(ref)s cancelled"),
                   _l("%(community)s was cancelled. Reason: %(reason)s. %(note)s"))
CLARIFICATION = define("tender.clarification", _l("Tender %(ref)s: clarification %(number)s issued"),
                       _l("%(community)s: read the clarification or amendment on the tender's page."))
DEADLINE_MOVED = define("tender.deadline_moved", _l("Tender %(ref)s: the bid deadline moved to %(deadline)s"),
                        _l("A clarification or amendment came less than %(days)s days before the deadline, "
                           "so the deadline and the opening moved to %(deadline)s."))
QUESTION = define("tender.question", _l("Tender %(ref)s: question %(code)s asked"),
                  _l("A registered firm asked a question. Answer it on the tender's page; the answer goes to every "
                     "registered firm."))
REGISTERED = define("tender.registered", _l("Registered for tender %(ref)s"),
                    _l("You registered for %(community)s. The bid deadline is %(deadline)s."))
REMINDER = define("tender.reminder", _l("Tender %(ref)s: bid deadline %(deadline)s"),
                  _l("The bid deadline for %(community)s is near. Late bids are refused."))
KEY_CHANGED = define("tender.custodian_key_changed", _l("Tender %(ref)s stopped: a custodian's key changed"),
                     _l("%(name)s registered a new custodian key after the tender was filed, so the tender is stopped "
                        "until the district bureau accepts the new keys. Keep the old key file: bids sealed to it "
                        "are opened with it."))
KEYS_ACCEPTED = define("tender.custodian_keys_accepted", _l("Tender %(ref)s: custodian keys accepted"),
                       _l("The district bureau accepted the custodians' current keys; the tender goes on."))


def both(text) -> dict:
    """A lazy text in both languages, as a message parameter."""
    with force_locale("zh_CN"):
        zh = str(text)
    with force_locale("en"):
        en = str(text)
    return texts(zh, en)
