"""Words the award pages show for the stage's codes (translated when shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

POINT_LABELS = {"ranking": _l("The ranking of the candidates"), "scores": _l("The scores"),
                "qualification": _l("A candidate's qualification"), "price": _l("A candidate's price"),
                "project_manager": _l("A candidate's project manager"), "procedure": _l("The procedure"),
                "other": _l("Something else")}
PARTY_LABELS = {"bidder": _l("Bidder"), "committee": _l("Owners' committee member"), "owner": _l("Owner")}
OBJECTION_STATE_LABELS = {"open": _l("Waiting for the answer"), "answered": _l("Answered")}
DECISION_LABELS = {"dismissed": _l("Complaint dismissed"), "re_evaluation": _l("Re-evaluation ordered"),
                   "new_candidate": _l("The first candidate removed; the next is offered the award"),
                   "re_tender": _l("A new tender ordered")}
OUTCOME_LABELS = {"declined": _l("The candidate declined the award"),
                  "failed_to_sign": _l("The candidate did not sign the contract in time"),
                  "disqualified": _l("The candidate was disqualified")}
FILING_LABELS = {"award": _l("Award filing"), "contract": _l("Contract filing")}
FILING_STATE_LABELS = {"submitted": _l("Waiting for the bureau"), "filed": _l("Filed"),
                       "returned": _l("Returned for changes")}
DECISION_WORDS = {"file": _l("filed"), "return": _l("returned")}
DOCUMENT_ROLES = {"opening_record": _l("Opening record"), "bid_envelope": _l("Sealed bid envelope"),
                  "evaluation_report": _l("Evaluation report"), "winning_bid": _l("Winning bid (sealed envelope)"),
                  "agency_contract": _l("Agency contract"), "attachment": _l("Attachment"),
                  "contract": _l("Service contract"), "evidence": _l("Evidence"),
                  "tender_document": _l("Tender documents"), "resolution": _l("Owners' resolution")}
