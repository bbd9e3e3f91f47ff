"""The closed vocabularies of a budget: phases, line kinds, sections. Swedish labels are what
users see; the enum values are the English names of the glossary."""

from __future__ import annotations

import enum


class Phase(enum.StrEnum):
    DIRECTIVE = "directive"
    BOARD_PROPOSAL = "board_proposal"
    BUDGET_PREPARATION_PROPOSAL = "budget_preparation_proposal"
    COUNCIL_DECISION = "council_decision"

    @property
    def order(self) -> int:
        return list(Phase).index(self)


PHASE_LABELS = {
    Phase.DIRECTIVE: "Budgetdirektiv",
    Phase.BOARD_PROPOSAL: "Nämndens förslag",
    Phase.BUDGET_PREPARATION_PROPOSAL: "Budgetberedningens förslag",
    Phase.COUNCIL_DECISION: "Kommunfullmäktiges beslut",
}


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    DECIDED = "decided"


class DirectiveLineKind(enum.StrEnum):
    EARLIER_DECIDED_FRAME = "earlier_decided_frame"
    PRICE_AND_WAGE_INDEXATION = "price_and_wage_indexation"
    TECHNICAL_ADJUSTMENT = "technical_adjustment"
    RESOURCE_FUNDS = "resource_funds"
    ADDITION = "addition"


class ChangeKind(enum.StrEnum):
    EARMARK_MADE_PERMANENT = "earmark_made_permanent"
    REALLOCATION = "reallocation"
    RESOURCE_FUNDS = "resource_funds"
    ADDITION = "addition"
    STATE_GRANT_FINANCED = "state_grant_financed"
    EARLIER_DECISION = "earlier_decision"
    FRAME_REQUEST = "frame_request"
    OTHER = "other"


class InvestmentSection(enum.StrEnum):
    WITHIN_FRAME = "within_frame"
    BEYOND_FRAME = "beyond_frame"
