"""What the pages call the evaluation stage's codes, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TITLES = {
    "professor_engineer": _l("Professor-level senior engineer"),
    "senior_engineer": _l("Senior engineer"),
    "senior_economist": _l("Senior economist"),
    "senior_accountant": _l("Senior accountant"),
    "engineer": _l("Engineer"),
    "economist": _l("Economist"),
    "accountant": _l("Accountant"),
    "other": _l("Other title"),
}
CONDUCT_KINDS = {
    "late_locking": _l("Scores locked late"),
    "absent_after_accepting": _l("Absent after accepting"),
    "flagged_scoring_upheld": _l("Scoring flag upheld by the bureau"),
    "evaluation_misconduct": _l("Penalised for evaluation misconduct"),
    "other": _l("Other conduct"),
}
RELATIONSHIPS = {
    "spouse": _l("Spouse"),
    "parent": _l("Parent"),
    "child": _l("Child"),
    "sibling": _l("Brother or sister"),
    "in_law": _l("Relative by marriage"),
    "other_relative": _l("Other relative"),
    "former_colleague": _l("Former colleague"),
    "other": _l("Other relation"),
}
EMPLOYMENT_STATUS = {
    "proposed": _l("Waiting for the city bureau"),
    "confirmed": _l("Confirmed"),
    "rejected": _l("Not confirmed"),
}
NOT_ELIGIBLE = {
    "no_profile": _l("No profile yet"),
    "inactive": _l("Account or role not active"),
    "no_title": _l("No professional title given"),
    "title_not_senior": _l("Title is not a senior title"),
    "too_few_years": _l("Too few years of practice"),
    "no_districts": _l("No districts served"),
}
DRAW_STATUS = {"prepared": _l("Published, not yet drawn"), "performed": _l("Drawn")}
SEAT_REASONS = {
    "declared_conflict": _l("Declared a conflict of interest"),
    "unavailable": _l("Not available"),
    "no_answer": _l("Did not answer"),
    "other": _l("Other reason"),
}
FILTERS = {
    "not_eligible": _l("Not eligible for the pool"),
    "specialty": _l("Other specialty"),
    "district": _l("Does not serve the district"),
    "unavailable": _l("Not available that day"),
    "conflict": _l("Conflict of interest"),
}


def label(table: dict, code) -> str:
    """The label of a code, or the code itself when the table has none."""
    code = getattr(code, "value", code)
    return str(table.get(code, code or ""))
