"""The states of a tender and the transitions allowed between them (招标状态).

The whole life of a tender is defined here, although this package reaches only its first part: the
later stages (bidding, evaluation, award) call :func:`tender.tenders.operations.transition` and add
their own conditions, and none of them may invent a state or a move that is not in this table.
"""

from __future__ import annotations

import enum


class TenderState(str, enum.Enum):
    DRAFT = "draft"
    PENDING_FILING = "pending_filing"  # submitted to the district bureau for filing (备案)
    RETURNED = "returned"  # sent back to the tenderer with the bureau's reasons
    FILED = "filed"  # filed by the bureau, not yet announced
    PUBLISHED = "published"  # announced; documents issued; bids until the deadline
    CLOSED = "closed"  # deadline passed, bids frozen
    OPENED = "opened"  # k of n custodians decrypted the bids
    EVALUATING = "evaluating"
    CANDIDATES_PUBLISHED = "candidates_published"
    AWARDED = "awarded"
    CONTRACTED = "contracted"
    CANCELLED = "cancelled"
    FAILED = "failed"  # fewer valid bids than the procedure's minimum


S = TenderState

# Cancellation is allowed from every state before the award; each later stage adds its own
# conditions to its cancel operation.
_CANCELLABLE = (S.DRAFT, S.PENDING_FILING, S.RETURNED, S.FILED, S.PUBLISHED, S.CLOSED, S.OPENED, S.EVALUATING,
                S.CANDIDATES_PUBLISHED)

TRANSITIONS: dict[TenderState, frozenset[TenderState]] = {
    S.DRAFT: frozenset({S.PENDING_FILING}),
    S.PENDING_FILING: frozenset({S.FILED, S.RETURNED}),
    S.RETURNED: frozenset({S.PENDING_FILING}),
    S.FILED: frozenset({S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.OPENED, S.FAILED}),
    S.OPENED: frozenset({S.EVALUATING, S.FAILED}),
    S.EVALUATING: frozenset({S.CANDIDATES_PUBLISHED, S.FAILED}),
    # An upheld objection sends the candidates back to the panel.
    S.CANDIDATES_PUBLISHED: frozenset({S.AWARDED, S.EVALUATING, S.FAILED}),
    # With no candidate left to take over an award that fell (declined, not signed, disqualified), the tender fails.
    S.AWARDED: frozenset({S.CONTRACTED, S.FAILED}),
    S.CONTRACTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.FAILED: frozenset(),
}
for _state in _CANCELLABLE:
    TRANSITIONS[_state] = TRANSITIONS[_state] | {S.CANCELLED}

# States the public may see: announced tenders and everything after (a tender cancelled before
# its announcement was never public).
PUBLIC_STATES = frozenset({S.PUBLISHED, S.CLOSED, S.OPENED, S.EVALUATING, S.CANDIDATES_PUBLISHED, S.AWARDED,
                           S.CONTRACTED, S.CANCELLED, S.FAILED})
# States in which the tenderer (or its agency) may still edit the draft.
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})

# OCDS 1.1.5 tender status codelist, for the open-data export of a later issue.
OCDS_STATUS = {
    S.DRAFT: "planning", S.PENDING_FILING: "planning", S.RETURNED: "planning", S.FILED: "planned",
    S.PUBLISHED: "active", S.CLOSED: "active", S.OPENED: "active", S.EVALUATING: "active",
    S.CANDIDATES_PUBLISHED: "active", S.AWARDED: "complete", S.CONTRACTED: "complete",
    S.CANCELLED: "cancelled", S.FAILED: "unsuccessful",
}


def allowed(source: TenderState, target: TenderState) -> bool:
    return target in TRANSITIONS[source]
