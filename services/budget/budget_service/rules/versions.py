"""How versions follow each other and when they lock: a decided version is never edited; the
next one is a revision (same phase) or moves the budget to a later phase."""

from __future__ import annotations

from budget_service.vocabulary import Phase, VersionStatus
from municipal_shared.kit.problems import Conflict, InvalidContent


def ensure_editable(number: int, status: str) -> None:
    if status == VersionStatus.DECIDED:
        raise Conflict(
            f"Version {number} is decided and locked; create a revision to change it",
            version=number,
        )


def successor_kind(head_number: int, head_phase: Phase, head_status: str, phase: Phase) -> str:
    """How a new version may follow the head: 'revision' (same phase, supersedes the decided
    head) or 'next_phase'. The head must be decided: a draft is edited, not succeeded."""
    if head_status != VersionStatus.DECIDED:
        raise Conflict(
            f"Version {head_number} is still a draft: decide it (or edit it) first",
            version=head_number,
        )
    if phase.order < head_phase.order:
        raise InvalidContent(
            f"Phase {phase} comes before the head's phase {head_phase}",
            field="/phase",
        )
    return "revision" if phase == head_phase else "next_phase"


def discard_allowed(number: int, head_number: int) -> None:
    """Only a draft at the head of the chain, never the first version, may be discarded."""
    if number != head_number or number == 1:
        raise Conflict(f"Only the latest draft after version 1 can be discarded, not {number}")
