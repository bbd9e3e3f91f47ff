"""Closed vocabularies of the indicator register; English names from the glossary."""

from __future__ import annotations

import enum


class Polarity(enum.StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class SourceKind(enum.StrEnum):
    MANUAL = "manual"
    SERVICE = "service"  # delivered by another service of the system (e.g. procurement)
    KOLADA = "kolada"  # a Kolada KPI id in source_ref


class UpdateFrequency(enum.StrEnum):
    ANNUAL = "annual"
    TERTIAL = "tertial"
    MONTHLY = "monthly"
    CONTINUOUS = "continuous"


class BandOwner(enum.StrEnum):
    """Whose tolerance band applies: the indicator's own, else the register's."""

    REGISTER = "register"
    INDICATOR = "indicator"


# Wire names of the target kinds; each is declared in rules/target_kinds.py (parameters, rule).
class TargetKind(enum.StrEnum):
    VALUE = "value"  # a number for the year; polarity decides at least / at most
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    INCREASE = "increase"  # versus the latest earlier value
    DECREASE = "decrease"
    INCREASE_FROM_BASELINE_YEAR = "increase_from_baseline_year"  # value may arrive later
    DECREASE_FROM_BASELINE_YEAR = "decrease_from_baseline_year"
    INCREASE_FROM_BASELINE_VALUE = "increase_from_baseline_value"  # a fixed, stated value
    RELATIVE_INCREASE_AT_LEAST = "relative_increase_at_least"  # by at least N % vs a year
    EVENT_COUNT_AT_LEAST = "event_count_at_least"
    MILESTONE = "milestone"  # qualitative, assessed by a person with a motivation
    FOLLOW_ONLY = "follow_only"  # ufm: no target, never coloured
    NONE = "none"


class ValueStatus(enum.StrEnum):
    """SDMX OBS_STATUS-like codes; a missing value is a status, never a zero."""

    NORMAL = "normal"
    PROVISIONAL = "provisional"
    ESTIMATED = "estimated"
    NO_DATA = "no_data"  # i.u, ingen uppgift
    SUPPRESSED = "suppressed"
    CANNOT_EXIST = "cannot_exist"
    NOT_COLLECTED = "not_collected"


VALUE_BEARING = {ValueStatus.NORMAL, ValueStatus.PROVISIONAL, ValueStatus.ESTIMATED}


class Fulfilment(enum.StrEnum):
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_ASSESSABLE = "not_assessable"


class AssignmentStatus(enum.StrEnum):
    """Where an assignment stands in a tertial's follow-up."""

    NOT_STARTED = "not_started"
    ONGOING = "ongoing"
    DONE = "done"
    DELAYED = "delayed"  # needs a reason
    CANCELLED = "cancelled"  # needs a reason


NEEDS_REASON = {AssignmentStatus.DELAYED, AssignmentStatus.CANCELLED}


class AssignmentIssuer(enum.StrEnum):
    """Who gave the assignment."""

    COUNCIL = "council"  # kommunfullmäktige, in the budget directive
    BOARD = "board"  # the board itself


class AssignmentAddressee(enum.StrEnum):
    """Whom the assignment is addressed to."""

    THIS_BOARD = "this_board"
    ALL_BOARDS = "all_boards"  # "Samtliga nämnder ..."
    SOME_BOARDS = "some_boards"  # a group the wording names ("Samtliga lokalintensiva nämnder")
