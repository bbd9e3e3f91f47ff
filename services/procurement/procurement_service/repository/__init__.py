"""Every query of the procurement service, by what it reads and writes. Nothing here commits;
the use cases (use_cases/) commit once.

- procurements: procurements, their bidders, warnings and audit entries, the employment rule
- ocds: the OCDS releases as received
- ocds_out: one process's releases, and the OCDS feed's next releases and native outcomes
- rekey: the rows a key change rewrites, in batches
- measurement: the counts the measurement divides, summed from the per-day summary
- measurement_scan: the same counts by scanning the procurements (the tests' reference)
- summary, summary_sql, summary_add: keeping the per-day summary in the transaction of every
  change (summary_add: on PostgreSQL counted by the statement that adds it)
- rows: many rows in one statement (the bulk intake, the summary's upserts)
- delivery: dirty tertials and what was last published per tertial
- outbox: the outbox's counts and dead letters"""

from procurement_service.repository.procurements import (
    audit_query,
    employment_rule,
    get_procurement,
    procurements_by_reference,
    procurements_query,
    stored_hashes,
)

__all__ = [
    "audit_query",
    "employment_rule",
    "get_procurement",
    "procurements_by_reference",
    "procurements_query",
    "stored_hashes",
]
