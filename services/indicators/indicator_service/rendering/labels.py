"""Swedish labels for the enums and fixed words the page and the spreadsheets show. The wire
values stay English (the glossary's names); these are what the board reads."""

from __future__ import annotations

import datetime as dt

from indicator_service.vocabulary import (
    AssignmentStatus,
    Fulfilment,
    Polarity,
    SourceKind,
    TargetKind,
    UpdateFrequency,
    ValueStatus,
)
from municipal_shared.types import Tertial

FULFILMENT = {
    Fulfilment.MET: "Uppfyllt",
    Fulfilment.PARTLY_MET: "Delvis uppfyllt",
    Fulfilment.NOT_MET: "Ej uppfyllt",
    Fulfilment.NOT_ASSESSABLE: "Kan inte bedömas",
}
# The verdict colours (also the charts'); the page always writes the label beside a colour.
FULFILMENT_COLOURS = {
    Fulfilment.MET: "#2e7d32",
    Fulfilment.PARTLY_MET: "#f2b705",
    Fulfilment.NOT_MET: "#c62828",
    Fulfilment.NOT_ASSESSABLE: "#9e9e9e",
}

TARGET_KIND = {
    TargetKind.VALUE: "Målvärde",
    TargetKind.AT_LEAST: "Lägst ett värde",
    TargetKind.AT_MOST: "Högst ett värde",
    TargetKind.INCREASE: "Ska öka",
    TargetKind.DECREASE: "Ska minska",
    TargetKind.INCREASE_FROM_BASELINE_YEAR: "Ska öka jämfört med ett basår",
    TargetKind.DECREASE_FROM_BASELINE_YEAR: "Ska minska jämfört med ett basår",
    TargetKind.INCREASE_FROM_BASELINE_VALUE: "Ska öka från ett angivet värde",
    TargetKind.RELATIVE_INCREASE_AT_LEAST: "Ska öka med minst en andel",
    TargetKind.EVENT_COUNT_AT_LEAST: "Minst ett antal tillfällen",
    TargetKind.MILESTONE: "Delmål som bedöms",
    TargetKind.FOLLOW_ONLY: "Utfallsmätning (ufm)",
    TargetKind.NONE: "Inget målvärde",
}

POLARITY = {
    Polarity.HIGHER_IS_BETTER: "högre är bättre",
    Polarity.LOWER_IS_BETTER: "lägre är bättre",
}

VALUE_STATUS = {
    ValueStatus.NORMAL: "",
    ValueStatus.PROVISIONAL: "preliminärt",
    ValueStatus.ESTIMATED: "uppskattat",
    ValueStatus.NO_DATA: "ingen uppgift (i.u.)",
    ValueStatus.SUPPRESSED: "ej redovisat (sekretess)",
    ValueStatus.CANNOT_EXIST: "kan inte förekomma",
    ValueStatus.NOT_COLLECTED: "ej insamlat",
}

UPDATE_FREQUENCY = {
    UpdateFrequency.ANNUAL: "årligen",
    UpdateFrequency.TERTIAL: "per tertial",
    UpdateFrequency.MONTHLY: "månadsvis",
    UpdateFrequency.CONTINUOUS: "löpande",
}

SOURCE_KIND = {
    SourceKind.MANUAL: "inrapporterat",
    SourceKind.SERVICE: "levererat av upphandlingstjänsten",
    SourceKind.KOLADA: "Kolada",
}

ASSIGNMENT_STATUS = {
    AssignmentStatus.NOT_STARTED: "Ej påbörjat",
    AssignmentStatus.ONGOING: "Pågår",
    AssignmentStatus.DONE: "Genomfört",
    AssignmentStatus.DELAYED: "Försenat",
    AssignmentStatus.CANCELLED: "Avbrutet",
}
ASSIGNMENT_COLOURS = {
    AssignmentStatus.NOT_STARTED: "#9e9e9e",
    AssignmentStatus.ONGOING: "#1565c0",
    AssignmentStatus.DONE: "#2e7d32",
    AssignmentStatus.DELAYED: "#f2b705",
    AssignmentStatus.CANCELLED: "#c62828",
}

SECTIONS = {
    "indicators": "Indikatorer och måluppfyllelse",
    "budget": "Budgetuppföljning",
    "procurement": "Upphandling",
    "assignments": "Uppdrag",
}

# The budget's phases (the budget service's wire names), for "the frame the budget is from".
BUDGET_PHASE = {
    "directive": "budgetdirektivet",
    "board_proposal": "nämndens förslag",
    "budget_preparation_proposal": "budgetberedningens förslag",
    "council_decision": "kommunfullmäktiges beslut",
}

SIZE_CLASS = {
    "micro": "Mikroföretag",
    "small": "Små företag",
    "medium": "Medelstora företag",
    "sme": "Små och medelstora (SME)",
    "large": "Stora företag",
    "no_data": "Okänd storlek",
}

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

# What a tertial report covers: each is cumulative from 1 January.
TERTIAL_MONTHS = {Tertial.T1: 4, Tertial.T2: 8, Tertial.T3: 12}


def tertial(value: Tertial) -> str:
    return f"Tertial {value.value[1]}"


def report_name(value: Tertial, year: int) -> str:
    """What the municipality calls the report of a tertial."""
    name = "Årsredovisning" if value is Tertial.T3 else f"Delårsrapport {value.value}"
    return f"{name} {year}"


def date(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def period_covered(value: Tertial, year: int) -> str:
    """ "1 januari–31 augusti 2018": every tertial report counts from 1 January."""
    month = TERTIAL_MONTHS[value]
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return f"1 januari–{last.day} {MONTHS[month - 1]} {year}"


def timestamp(value: dt.datetime) -> str:
    """A UTC time as Swedish local time is not known here: shown in UTC, said so."""
    utc = value.astimezone(dt.UTC)
    return f"{date(utc.date())} kl. {utc:%H.%M} (UTC)"


def unavailable(detail: str | None) -> str:
    """Why a section could not be read, in Swedish, with the technical cause as given."""
    cause = detail or "okänd orsak"
    if cause.startswith("unreachable"):
        why = "tjänsten svarade inte"
    elif cause.startswith("answered"):
        why = "tjänsten svarade med ett fel"
    elif cause.startswith("does not match the shared contract"):
        why = "svaret följde inte det gemensamma formatet"
    else:
        why = "det gick inte att läsa"
    return f"Avsnittet kunde inte läsas: {why} ({cause})."
