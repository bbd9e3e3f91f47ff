"""The per-day summary answers exactly as the full scan does, whatever happens to the
outcomes: random outcomes, corrections (the same reference again, changed), bulk PUTs, OCDS
releases merged into a procurement, and changes of the employment rule. After every step the
summary-based measurement equals the scan (repository/measurement_scan.py) for random windows
and administrations. On SQLite, and on PostgreSQL when PROCUREMENT_TEST_DATABASE_URL is set.

The values are drawn from small pools on purpose: few references (so corrections are
frequent), few days around the tertials' edges, bidder counts that collide (the median),
thresholds and execution times on both sides of the rule's limits."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ocds_fixture import release_package
from procurement_testkit import BIDDER, SOLE_TRADER, A, B, C, D, E, outcome
from test_ocds_real_world import direct_award

from municipal_shared.kit.testing import wipe
from procurement_service.models import Base
from procurement_service.repository.measurement_scan import scan_figures
from procurement_service.rules.measurement import Figures, Window
from procurement_service.use_cases.measurement import measure, rule_for

ADMINISTRATIONS = ["Kommunledningsförvaltningen", "Utbildningsförvaltningen"]
DAYS = [dt.date(2018, m, d) for m, d in ((1, 15), (4, 30), (5, 1), (8, 31), (9, 1), (12, 31))]
EDGES = [dt.date(2017, 12, 31), *DAYS, dt.date(2018, 6, 15), dt.date(2019, 1, 1)]
REFERENCES = [f"KS-P-{i}" for i in range(5)]
REASONS = [None, "", "Kräver specialistkompetens", "Kort avtalstid"]
AMOUNTS = [None, "99999.99", "100000", "100000.01", "250000"]
EXAMPLES = int(os.environ.get("SUMMARY_PROPERTY_EXAMPLES", "25"))


@st.composite
def outcomes(draw: st.DrawFn) -> dict[str, Any]:
    award = draw(st.sampled_from([*DAYS, None]))
    after = draw(st.sampled_from([None, 0, 14, 150]))
    signed = None if award is None or after is None else award + dt.timedelta(days=after)
    if award is None and draw(st.booleans()):
        signed = draw(st.sampled_from(DAYS))  # signed, no award recorded
    names = draw(st.lists(st.sampled_from([A, B, C, D, E, SOLE_TRADER]), unique=True, max_size=4))
    winners = draw(st.lists(st.sampled_from(names), unique=True, max_size=2)) if names else []
    bidders: list[Any] = [n if draw(st.booleans()) else {**BIDDER[n], "bids": 2} for n in names]
    suitable = draw(st.sampled_from([None, True, False]))
    reason = draw(st.sampled_from(REASONS))
    requirement = None
    if draw(st.booleans()):
        requirement = {
            "set": draw(st.booleans()),
            "judged_suitable": suitable,
            "reason_not_suitable": reason or ("Varor" if suitable is False else reason),
        }
    length = draw(st.sampled_from([None, 30, 122, 123, 400]))
    period = None
    if length is not None:
        start = dt.date(2018, 3, 1)
        end = start + dt.timedelta(days=length - 1)
        period = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    return outcome(
        administration=draw(st.sampled_from(ADMINISTRATIONS)),
        category=draw(st.sampled_from(["services", "works", "goods"])),
        procedure=draw(st.sampled_from(["open", "direct_award", "selective"])),
        advertised=draw(st.booleans()),
        awarded_value=draw(st.sampled_from(AMOUNTS)),
        estimated_value=draw(st.sampled_from(AMOUNTS)),
        contract_period=period,
        execution_days=None if period else draw(st.sampled_from([None, 122, 123])),
        employees_needed=draw(st.sampled_from([None, 0, 1, 2, 5])),
        employment_requirement=requirement,
        number_of_bidders_reported=draw(st.sampled_from([None, 0, 1, 3])),
        status=draw(st.sampled_from(["awarded", "contract_signed", "cancelled"])),
        bidders=bidders,
        winners=winners,
        award_date=award and award.isoformat(),
        contract_signed_date=signed and signed.isoformat(),
    )


RULES = st.fixed_dictionaries(
    {
        "categories": st.lists(
            st.sampled_from(["services", "works", "goods"]), unique=True, min_size=1
        ),
        "more_than_days": st.sampled_from([0, 121, 122]),
        "min_employees": st.sampled_from([0, 1, 2, 3]),
        "direct_award_threshold_sek": st.sampled_from(["0", "99999.99", "100000"]),
    }
)
RELEASES = st.fixed_dictionaries(
    {
        "ocid": st.sampled_from(["ocds-xyz789-P-1", "ocds-xyz789-P-2"]),
        "tenderers": st.sampled_from([None, 1, 3]),
        "amount": st.sampled_from([50_000, 250_000]),
        "currency": st.sampled_from(["SEK", "EUR"]),
        "day": st.sampled_from(DAYS),
    }
)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from(REFERENCES), outcomes()),
        st.tuples(
            st.just("bulk"),
            st.dictionaries(st.sampled_from(REFERENCES), outcomes(), min_size=1, max_size=4),
        ),
        st.tuples(st.just("rule"), RULES),
        st.tuples(st.just("ocds"), RELEASES),
    ),
    min_size=1,
    max_size=6,
)


def _release(drawn: dict[str, Any], serial: int) -> dict[str, Any]:
    release = direct_award()
    ocid = drawn["ocid"]
    when = f"{drawn['day'].isoformat()}T09:{serial % 60:02d}:00+01:00"
    release.update(ocid=ocid, id=f"{ocid}-{serial}", date=when)
    release["tender"]["id"] = f"KS-OCDS-{ocid[-1]}"
    if drawn["tenderers"] is None:
        del release["tender"]["numberOfTenderers"]
    else:
        release["tender"]["numberOfTenderers"] = drawn["tenderers"]
    award = release["awards"][0]
    award.update(date=when, value={"amount": drawn["amount"], "currency": drawn["currency"]})
    return release


async def _step(client: httpx.AsyncClient, headers: dict[str, str], step: Any, i: int) -> None:
    kind = step[0]
    if kind == "put":
        r = await client.put(f"/v1/procurements/0580/{step[1]}", json=step[2], headers=headers)
    elif kind == "bulk":
        items = [{**body, "reference": ref} for ref, body in step[1].items()]
        r = await client.put("/v1/procurements/0580", json={"items": items}, headers=headers)
    elif kind == "rule":
        r = await client.put("/v1/employment-rules/0580", json=step[1], headers=headers)
    else:
        package = release_package([_release(step[1], i)])
        r = await client.post("/v1/procurements/0580/ocds", json=package, headers=headers)
    assert r.status_code < 300, r.text


def _as_json(figures: Figures) -> dict[str, Any]:
    return {
        "competition": figures.competition.model_dump(mode="json"),
        "size_classes": figures.size_classes.model_dump(mode="json"),
        "employment_requirement": figures.employment_requirement.model_dump(mode="json"),
        "direct_awards": figures.direct_awards.model_dump(mode="json"),
        "quality": [q.model_dump(mode="json") for q in figures.quality],
    }


async def assert_summary_is_the_scan(
    app: Any, windows: list[tuple[dt.date, dt.date, str | None]]
) -> None:
    async with app.state.database.sessions() as session:
        rule = await rule_for(session, "0580")
        for start, end, administration in windows:
            summed = await measure(session, "0580", Window(start, end), rule, administration)
            scanned = await scan_figures(session, "0580", start, end, administration, rule)
            assert _as_json(summed) == _as_json(scanned), (start, end, administration)


WINDOWS = st.lists(
    st.tuples(
        st.sampled_from(EDGES),
        st.sampled_from(EDGES),
        st.sampled_from([None, *ADMINISTRATIONS, "Okänd förvaltning"]),
    ).map(lambda w: (min(w[0], w[1]), max(w[0], w[1]), w[2])),
    min_size=2,
    max_size=4,
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS, data=st.data())
async def test_the_summary_equals_the_full_scan_after_every_step(
    app: Any, client: httpx.AsyncClient, token: Callable, steps: list[Any], data: st.DataObject
) -> None:
    await wipe(app.state.database.engine, Base.metadata)
    headers = token()
    year = (dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    for i, step in enumerate(steps):
        await _step(client, headers, step, i)
        windows = [(*year, None), *data.draw(WINDOWS)]
        await assert_summary_is_the_scan(app, windows)
