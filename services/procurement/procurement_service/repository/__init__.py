"""Every query of the procurement service, by what it reads and writes. Nothing here commits;
the use cases in service.py, ocds_ingest.py, delivery.py and rekey.py commit once.

- procurements: procurements, their bidders, warnings and audit entries, the employment rule
- measurement: the counts the measurement divides
- delivery: dirty tertials and what was last published per tertial
- outbox: the outbox's counts and dead letters"""

from procurement_service.repository.procurements import (
    audit_query,
    employment_rule,
    get_procurement,
    procurements_by_reference,
    procurements_query,
)

__all__ = [
    "audit_query",
    "employment_rule",
    "get_procurement",
    "procurements_by_reference",
    "procurements_query",
]
