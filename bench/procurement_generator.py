"""Generated tender outcomes of 2018 for the procurement benchmarks, and the same outcomes as
OCDS release packages.

Why one generator for every path: the API bulk ingest, the raw asyncpg paths and the OCDS
intake must write the same outcomes, or their rates are not comparable. The set is realistic
enough to exercise what the service does per bidder: about 5 bids per procurement, about one
in five with a single bid, a size mix close to Upphandlingsmyndigheten's (SMEs about 75 % of
bids), 5 % of sizes missing, sole traders (whose organisation number is a personal identity
number, pseudonymised on arrival) and bidders from abroad (another register than SE-BLV).

The random stream of dates, bidder counts and sizes is the one the benchmark has always used
(seed 2018); which companies are sole traders or foreign is drawn from a separate stream, so
adding them changed identities only, not the shape of the data."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from stdnum import luhn

SIZE_MIX = [("micro", 30), ("small", 25), ("medium", 20), ("large", 20), (None, 5)]
BIDDER_COUNTS = [
    (1, 20),
    (2, 8),
    (3, 10),
    (4, 12),
    (5, 12),
    (6, 10),
    (7, 9),
    (8, 8),
    (9, 6),
    (10, 5),
]
CATEGORIES = ["services", "works", "goods"]
ADMINISTRATIONS = [
    "Kommunledningsförvaltningen",
    "Utbildningsförvaltningen",
    "Miljö- och samhällsbyggnadsförvaltningen",
]
SOLE_TRADER_SHARE, FOREIGN_SHARE = 0.04, 0.02
FOREIGN_SCHEMES = [("DK-CVR", 30_000_000), ("NO-ORG", 900_000_000), ("FI-PRO", 2_000_000)]
BUYER_NUMBER = "212000-0449"  # Linköpings kommun, the buyer every OCDS release names


@dataclass(frozen=True)
class Company:
    scheme: str  # SE-BLV, or a foreign register
    number: str  # organisation number, a sole trader's personal identity number, or foreign id
    name: str
    size: str | None
    sole_trader: bool = False

    @property
    def winner(self) -> str:
        """How the native format names it among the winners."""
        return self.number if self.scheme == "SE-BLV" else f"{self.scheme}:{self.number}"


def companies(n: int, rng: random.Random) -> list[tuple[str, str | None]]:
    """Valid legal-person organisation numbers (digits 3-4 >= 20) with a size class."""
    classes = [c for c, w in SIZE_MIX for _ in range(w)]
    out = []
    for i in range(n):
        base = f"55{6000000 + i:07d}"
        number = base + luhn.calc_check_digit(base)
        out.append((f"{number[:6]}-{number[6:]}", rng.choice(classes)))
    return out


def _personal_number(mix: random.Random, taken: set[str]) -> str:
    while True:
        born = dt.date(1950, 1, 1) + dt.timedelta(days=mix.randrange(50 * 365))
        base = born.strftime("%y%m%d") + f"{mix.randrange(1000):03d}"
        number = f"{base[:6]}-{base[6:]}{luhn.calc_check_digit(base)}"
        if number not in taken:
            taken.add(number)
            return number


def mixed_pool(pool: list[tuple[str, str | None]], seed: int) -> list[Company]:
    """Some companies become sole traders (micro or unknown size) or foreign bidders."""
    mix = random.Random(seed * 7919 + 1)
    taken: set[str] = set()
    out = []
    for i, (number, size) in enumerate(pool):
        draw = mix.random()
        if draw < SOLE_TRADER_SHARE:
            name = f"Enskild firma {i}"
            sole_size = "micro" if size is not None else None
            out.append(Company("SE-BLV", _personal_number(mix, taken), name, sole_size, True))
        elif draw < SOLE_TRADER_SHARE + FOREIGN_SHARE:
            scheme, base = FOREIGN_SCHEMES[i % len(FOREIGN_SCHEMES)]
            foreign_size = size if mix.random() < 0.5 else None  # often not stated abroad
            out.append(Company(scheme, str(base + i), f"Foreign Company {i}", foreign_size))
        else:
            out.append(Company("SE-BLV", number, f"Företag {number}", size))
    return out


def _bidder(company: Company) -> dict[str, Any]:
    bidder: dict[str, Any] = {"organisation_number": company.number, "name": company.name}
    if company.scheme != "SE-BLV":
        bidder = {"scheme": company.scheme, **bidder}
    if company.size:
        bidder["size_class"] = company.size
    return bidder


def outcomes(count: int, seed: int = 2018) -> Iterator[dict[str, Any]]:
    """`count` tender outcomes in the native format (the bulk endpoint's items)."""
    rng = random.Random(seed)
    pool = mixed_pool(companies(20_000, rng), seed)
    sizes = [n for n, w in BIDDER_COUNTS for _ in range(w)]
    start = dt.date(2018, 1, 1)
    for i in range(count):
        award = start + dt.timedelta(days=rng.randrange(365))
        bidders = rng.sample(pool, rng.choice(sizes))
        category = rng.choice(CATEGORIES)
        months = rng.choice([2, 3, 6, 12, 24, 36])
        begin = award + dt.timedelta(days=30)
        end = begin + dt.timedelta(days=30 * months)
        suitable = category != "goods" and rng.random() < 0.6
        yield {
            "reference": f"B-{i:07d}",
            "administration": rng.choice(ADMINISTRATIONS),
            "board_code": "KS",
            "title": f"Upphandling {i}",
            "category": category,
            "procedure": rng.choice(["open", "open", "open", "selective", "direct_award"]),
            "advertised": True,
            "status": "contract_signed",
            "estimated_value": str(rng.randrange(50_000, 20_000_000)),
            "contract_period": {"start_date": begin.isoformat(), "end_date": end.isoformat()},
            "employees_needed": rng.randrange(1, 20),
            "employment_requirement": {
                "set": suitable and rng.random() < 0.5,
                "judged_suitable": suitable,
                **({} if suitable else {"reason_not_suitable": "Varor"}),
            },
            "bidders": [_bidder(c) for c in bidders],
            "winners": [bidders[0].winner],
            "award_date": award.isoformat(),
            "contract_signed_date": (award + dt.timedelta(days=14)).isoformat(),
        }


# ---- the same outcomes as OCDS ---------------------------------------------------------------

_METHODS: dict[str, tuple[str, str | None]] = {
    "open": ("open", None),
    "selective": ("selective", None),
}
_METHODS["direct_award"] = ("open", "Annonserad direktupphandling")  # advertised, as generated
_SCALES = {"micro": "micro", "small": "small", "medium": "medium", "large": "large"}
EMPLOYMENT_GOAL = "social.disadvantagedEmploymentOpportunities"


def _party_id(bidder: dict[str, Any]) -> str:
    return f"{bidder.get('scheme', 'SE-BLV')}-{bidder['organisation_number']}"


def _at_noon(day: str) -> str:
    return f"{day}T12:00:00+01:00"


def release(item: dict[str, Any]) -> dict[str, Any]:
    """One OCDS release (award and contract) holding a generated outcome: tenderers with
    their scale, the winner as supplier, the employment requirement as the sustainability
    goal when it was set. OCDS has no "judged suitable", so that is lost on this path."""
    reference = item["reference"]
    ocid = f"ocds-bench01-{reference}"
    buyer = {"id": f"SE-BLV-{BUYER_NUMBER}", "name": item["administration"]}
    parties: list[dict[str, Any]] = [
        {
            **buyer,
            "identifier": {"scheme": "SE-BLV", "id": BUYER_NUMBER},
            "roles": ["buyer", "procuringEntity"],
        }
    ]
    winners = set(item["winners"])  # SE-BLV numbers bare, foreign ones SCHEME:id
    tenderers = []
    for bidder in item["bidders"]:
        party_id = _party_id(bidder)
        scheme = bidder.get("scheme", "SE-BLV")
        number = bidder["organisation_number"]
        winner = (number if scheme == "SE-BLV" else f"{scheme}:{number}") in winners
        party: dict[str, Any] = {
            "id": party_id,
            "name": bidder["name"],
            "identifier": {"scheme": scheme, "id": number},
            "roles": ["tenderer", "supplier"] if winner else ["tenderer"],
        }
        if bidder.get("size_class") in _SCALES:
            party["details"] = {"scale": _SCALES[bidder["size_class"]]}
        parties.append(party)
        tenderers.append({"id": party_id, "name": bidder["name"]})
    suppliers = [
        {"id": p["id"], "name": p["name"]} for p in parties[1:] if "supplier" in p["roles"]
    ]
    period = {
        "startDate": _at_noon(item["contract_period"]["start_date"]),
        "endDate": _at_noon(item["contract_period"]["end_date"]),
    }
    method, details = _METHODS[item["procedure"]]
    tender: dict[str, Any] = {
        "id": reference,
        "title": item["title"],
        "status": "complete",
        "mainProcurementCategory": item["category"],
        "procurementMethod": method,
        "value": {"amount": int(item["estimated_value"]), "currency": "SEK"},
        "contractPeriod": period,
        "employeesNeeded": item["employees_needed"],
        "tenderers": tenderers,
        "numberOfTenderers": len(tenderers),
    }
    if details:
        tender["procurementMethodDetails"] = details
    if item["employment_requirement"]["set"]:
        tender["hasSustainability"] = True
        tender["sustainability"] = [
            {"goal": EMPLOYMENT_GOAL, "strategies": ["contractPerformanceConditions"]}
        ]
    award_id = f"{reference}-1"
    return {
        "ocid": ocid,
        "id": f"{ocid}-award",
        "date": _at_noon(item["contract_signed_date"]),
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "language": "sv",
        "buyer": buyer,
        "parties": parties,
        "tender": tender,
        "awards": [
            {
                "id": award_id,
                "date": _at_noon(item["award_date"]),
                "status": "active",
                "suppliers": suppliers,
                "contractPeriod": period,
            }
        ],
        "contracts": [
            {
                "id": f"{reference}-C1",
                "awardID": award_id,
                "status": "active",
                "dateSigned": _at_noon(item["contract_signed_date"]),
                "period": period,
            }
        ],
    }


def release_package(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uri": f"https://upphandling.example.se/ocds/bench-{items[0]['reference']}.json",
        "version": "1.1",
        "publishedDate": "2018-12-31T12:00:00+01:00",
        "publisher": {"name": "Linköpings kommun", "scheme": "SE-BLV", "uid": BUYER_NUMBER},
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        "releases": [release(item) for item in items],
    }
