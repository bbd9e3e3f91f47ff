"""A hand-made set of tender outcomes across T1 and T2 2018 whose figures are computed by hand
in test_measurement.py."""

from __future__ import annotations

from typing import Any

A = "556036-0793"  # micro, as stated
B = "556677-8899"  # small, from 30 staff and EUR 5 m turnover
C = "556123-4567"  # medium, as stated
D = "556987-6542"  # large, from 400 staff and EUR 100 m turnover
E = "802456-7896"  # size unknown: no data
SOLE_TRADER = "121212-1212"  # a personal identity number

BIDDER = {
    A: {"organisation_number": A, "name": "Alfa Konsult AB", "size_class": "micro"},
    B: {
        "organisation_number": B,
        "name": "Beta Bygg AB",
        "headcount": 30,
        "turnover_eur": "5000000",
    },
    C: {"organisation_number": C, "name": "Gamma Service AB", "size_class": "medium"},
    D: {
        "organisation_number": D,
        "name": "Delta Group AB",
        "headcount": 400,
        "turnover_eur": "100000000",
    },
    E: {"organisation_number": E, "name": "Epsilon Ekonomisk förening"},
    SOLE_TRADER: {
        "organisation_number": SOLE_TRADER,
        "name": "Sven Svensson Måleri",
        "size_class": "micro",
    },
}


def outcome(**fields: Any) -> dict[str, Any]:
    base = {
        "administration": "Kommunledningsförvaltningen",
        "board_code": "KS",
        "title": "Upphandling",
        "category": "services",
        "procedure": "open",
        "advertised": True,
        "status": "contract_signed",
    }
    bidders = fields.pop("bidders", [])
    return {
        **base,
        **fields,
        "bidders": [dict(BIDDER[b]) if isinstance(b, str) else b for b in bidders],
    }


SET = {
    "KS-2018-001": outcome(
        title="Städtjänster",
        bidders=[A, B, D],
        winners=[A],
        award_date="2018-02-15",
        contract_period={"start_date": "2018-03-01", "end_date": "2019-02-28"},
        employees_needed=3,
        employment_requirement={"set": True, "judged_suitable": True},
        contract_signed_date="2018-03-01",
    ),
    "KS-2018-002": outcome(
        title="Markarbeten",
        category="works",
        bidders=[{**BIDDER[C], "bids": 2}, E],
        winners=[C],
        award_date="2018-04-10",
        contract_period={"start_date": "2018-06-01", "end_date": "2018-12-31"},
        employees_needed=5,
        employment_requirement={"set": False, "judged_suitable": True},
        contract_signed_date="2018-05-20",
    ),
    "KS-2018-003": outcome(
        title="Målning",
        category="goods",
        bidders=[SOLE_TRADER],
        winners=[SOLE_TRADER],
        award_date="2018-06-01",
        contract_signed_date="2018-06-10",
    ),
    "KS-2018-004": outcome(
        title="Konsultstöd",
        procedure="direct_award",
        awarded_value="250000",
        bidders=[B, D],
        winners=[D],
        award_date="2018-07-01",
        contract_signed_date="2018-07-10",
        contract_period={"start_date": "2018-07-15", "end_date": "2018-09-30"},
    ),
    "KS-2018-005": outcome(
        title="Specialistutredning",
        procedure="selective",
        bidders=[A, B, C, E],
        winners=[B, C],
        award_date="2018-08-20",
        employees_needed=1,
        contract_signed_date="2018-09-05",
        contract_period={"start_date": "2018-09-01", "end_date": "2020-08-31"},
        employment_requirement={
            "set": False,
            "judged_suitable": False,
            "reason_not_suitable": "Kräver specialistkompetens",
        },
    ),
    "KS-2018-006": outcome(title="Avbruten upphandling", status="cancelled", bidders=[A]),
}
