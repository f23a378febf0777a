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
PANEL_STATES = {
    "none": _l("Not drawn yet"),
    "drawing": _l("Candidate list published, not yet drawn"),
    "inviting": _l("Drawn; waiting for the experts' answers"),
    "formed": _l("Formed"),
    "scoring": _l("Scoring"),
    "locked": _l("Every score locked; computing the flags"),
    "flagged": _l("The panel handles the flags"),
    "reported": _l("Report drafted"),
}
INVITATION_STATUS = {
    "pending": _l("Waiting for the answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "expired": _l("No answer in time"),
    "withdrawn": _l("Absent after accepting"),
}
BLIND_DECISIONS = {"pending": _l("Waiting for the bureau"), "breach": _l("Breaks the blind rule"),
                   "no_breach": _l("Does not break the blind rule")}
PARTS = {"technical": _l("Technical proposal (blind)"), "business": _l("Business and credentials"),
         "presentation": _l("On-site presentation")}
FLAG_KINDS = {
    "score_outlier": _l("A score far from the other experts'"),
    "ranking_contrary": _l("A ranking contrary to the other experts'"),
    "identical_file": _l("Identical files in different bids"),
    "shared_metadata": _l("The same document metadata"),
    "creation_times_close": _l("Documents created within minutes"),
    "same_uploader": _l("The same uploading account"),
    "same_device": _l("The same uploading device"),
    "same_address": _l("The same network address"),
    "same_security_account": _l("Bid securities from one account"),
    "shared_staff": _l("The same people in different bids"),
    "similar_text": _l("Near-duplicate text"),
    "shared_rare_strings": _l("Shared rare strings or errors"),
    "identical_price": _l("Identical prices"),
    "price_progression": _l("Prices in a regular progression"),
    "abnormally_low": _l("Abnormally low price: ask for the bidder's written explanation"),
    "below_labour_floor": _l("Price below the labour cost of its own staffing plan"),
    "low_dispersion": _l("Prices with very low dispersion"),
    "lowest_gap": _l("A large gap between the two lowest prices"),
}
FLAG_ACTIONS = {
    "confirm": _l("Keep my score (reason required)"),
    "change": _l("Change my score"),
    "confirmed": _l("Score kept"),
    "changed": _l("Score changed"),
    "no_action": _l("Looked at; nothing to act on"),
    "explanation_requested": _l("Written explanation requested from the bidder"),
    "referred": _l("Referred to the bureau"),
}
REPORT_STATES = {"draft": _l("Draft"), "signing": _l("Being signed by the experts"), "signed": _l("Signed")}
