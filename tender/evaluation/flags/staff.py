"""Staff overlap: the same person in different bids, the same contact person or project manager."""

from __future__ import annotations

from dataclasses import dataclass

from tender.evaluation.conflicts import plain_name
from tender.evaluation.flags.base import Evidence, Flag, groups_sharing


@dataclass(frozen=True)
class StaffMember:
    name: str
    role: str | None = None
    certificate_no: str | None = None
    id_number: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class BidStaff:
    """The people a bid names: its staffing plan, its contact person and its project manager."""

    bid: str
    staff: tuple[StaffMember, ...] = ()
    contact: StaffMember | None = None
    project_manager: StaffMember | None = None


def _code(value: str | None) -> str | None:
    folded = "".join(ch for ch in plain_name(value) if ch.isalnum())
    return folded if len(folded) >= 6 else None


def _masked(kind: str, value: str) -> str:
    """ID numbers are shown to the bureau by their last four characters only."""
    return "…" + value[-4:] if kind == "id_number" else value


def _people(bid: BidStaff) -> list[StaffMember]:
    return [p for p in (*bid.staff, bid.contact, bid.project_manager) if p is not None]


def staff_overlap(bids: list[BidStaff]) -> list[Flag]:
    """The same certificate, ID number or phone number in two or more bids, and shared contacts or managers."""
    flags = []
    for kind in ("certificate_no", "id_number", "phone"):
        values = {b.bid: [c for p in _people(b) if (c := _code(getattr(p, kind)))] for b in bids}
        names = {(b.bid, _code(getattr(p, kind))): p.name for b in bids for p in _people(b)}
        for value, holders in sorted(groups_sharing(values).items()):
            flags.append(Flag("shared_staff", holders, figures={"by": kind, "value": _masked(kind, value)},
                              evidence=tuple(Evidence("person", names[(bid, value)], left_ref=bid) for bid in holders)))
    for kind, attr in (("same_contact", "contact"), ("same_project_manager", "project_manager")):
        values = {}
        for b in bids:
            person = getattr(b, attr)
            if person is not None and plain_name(person.name):
                values[b.bid] = [plain_name(person.name) + "|" + (_code(person.phone) or _code(person.certificate_no) or "")]
        for value, holders in sorted(groups_sharing(values).items()):
            flags.append(Flag(kind, holders, figures={"name": value.split("|")[0]}))
    return flags
