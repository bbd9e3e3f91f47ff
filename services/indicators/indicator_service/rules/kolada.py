"""Kolada's value shape in and out, for indicators mapped to a Kolada KPI id.

Kolada API v2 answers `/v2/data/kpi/...` with a page:
    {"count": 1, "values": [{"kpi": "N00945", "municipality": "0580", "period": 2017,
      "values": [{"gender": "T", "count": 1, "status": "", "value": 12.3, "isdeleted": false}]}],
     "next_page": "http://api.kolada.se/v2/data/...?page=2"}
A null value is kept as a missing value (status no_data, Kolada's status text as notation),
never as a zero; a value Kolada withdrew (`isdeleted`) is recorded as missing too, so the
earlier figure stops counting and stays visible as history.

A `next_page` is followed only on this machine's Kolada test server: a loopback host and a
Kolada data path. Fetching whatever URL a client names would let it make the service read
internal addresses (SSRF), so any other URL is refused before anything is fetched."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlsplit

from indicator_service.models import Indicator, Outcome
from indicator_service.schemas import KoladaEntryIn, KoladaImportIn, OutcomeItemIn
from indicator_service.schemas_out import KoladaEntry, KoladaPage, KoladaValue
from indicator_service.vocabulary import ValueStatus
from municipal_shared.kit.problems import field_error, raise_if

SOURCE = "kolada"
DATA_PATH = "/v2/data/"
MAX_PAGES = 20  # a register maps a few KPIs over a few years: far fewer pages than this


def check_page(page: KoladaImportIn, label: str = "") -> None:
    """Kolada's `count` is the number of entries on the page: another number means a page
    cut short or stitched together, which would import part of the data as if whole.
    `label` names a fetched page (its errors point at `/next_page`); "" the posted one."""
    if page.count is not None and page.count != len(page.values):
        message = f"count {page.count} but the page holds {len(page.values)} values"
        error = field_error("/next_page", f"{label}: {message}") if label else None
        raise_if([error or field_error("/count", message)], "The Kolada page is not whole")


def followable(url: str, pointer: str = "/next_page") -> str:
    """The URL if it is on this machine's test server; otherwise a 422 naming the field."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme not in ("http", "https") or not loopback:
        message = "only a Kolada test server on this machine (a loopback host) is followed"
        raise_if([field_error(pointer, message)], "The next page cannot be fetched")
    if not parts.path.startswith(DATA_PATH) or parts.username or parts.password:
        message = f"a next page is a Kolada data URL ({DATA_PATH}...) without credentials"
        raise_if([field_error(pointer, message)], "The next page cannot be fetched")
    return url


def items_from_kolada(
    pages: list[tuple[str, list[KoladaEntryIn]]],
    municipality_code: str,
    by_kpi: dict[str, Indicator],
) -> list[OutcomeItemIn]:
    """Outcome items of every page's entries; each page comes with its label: "" for the
    posted page (errors point into `/values`), else a fetched page's (errors point at
    `/next_page` and say which page)."""
    errors = []
    items: list[OutcomeItemIn] = []
    for label, entries in pages:
        for n, entry in enumerate(entries):
            if entry.municipality != municipality_code:
                message = f"not this register's {municipality_code}"
                errors.append(_error(label, n, "municipality", message))
                continue
            indicator = by_kpi.get(entry.kpi)
            if indicator is None:
                message = f"no indicator is mapped to KPI {entry.kpi}"
                errors.append(_error(label, n, "kpi", message))
                continue
            for value in entry.values:
                missing = value.value is None or value.isdeleted
                items.append(
                    OutcomeItemIn(
                        indicator_code=indicator.code,
                        period=str(entry.period),
                        gender=value.gender,
                        source=SOURCE,
                        value=None if missing else value.value,
                        status=ValueStatus.NO_DATA if missing else ValueStatus.NORMAL,
                        notation=value.status or None,
                    )
                )
    raise_if(errors, "Kolada values do not fit the register")
    return items


def _error(label: str, n: int, field: str, message: str) -> dict[str, str]:
    if not label:
        return field_error(f"/values/{n}/{field}", message)
    return field_error("/next_page", f"{label}, values/{n}/{field}: {message}")


def kolada_from_outcomes(
    outcomes: list[Outcome], municipality_code: str, by_id: dict[int, Indicator]
) -> KoladaPage:
    """Annual current values of Kolada-mapped indicators, one entry per KPI and year, in
    Kolada's page (the whole export is one page: no next page)."""
    newest: dict[tuple[str, int, str], KoladaValue] = {}
    for outcome in sorted(outcomes, key=lambda o: o.id):  # among sources, the newest wins
        indicator = by_id.get(outcome.indicator_id)
        if indicator is None or indicator.source_ref is None or outcome.tertial is not None:
            continue
        value = None if outcome.value is None else Decimal(outcome.value).normalize()
        newest[(indicator.source_ref, outcome.year, outcome.gender)] = KoladaValue(
            gender=outcome.gender, count=1, status=outcome.notation or "", value=value
        )
    grouped: dict[tuple[str, int], list[KoladaValue]] = defaultdict(list)
    for (kpi, year, _gender), entry in sorted(newest.items()):
        grouped[(kpi, year)].append(entry)
    values = [
        KoladaEntry(kpi=kpi, municipality=municipality_code, period=year, values=values)
        for (kpi, year), values in sorted(grouped.items())
    ]
    return KoladaPage(count=len(values), values=values, next_page=None)
