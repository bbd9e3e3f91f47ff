"""The indicator service's use cases, one module per group. Each public async function is one
use case: it reads through the repository, applies the rules (rules/) and, when it changes
anything, records the audit entry and commits once (an error rolls all of it back).

- registers: find, list, read, load a register as decided; its audit log
- indicators: the indicator list, one indicator, an indicator's history
- outcomes: record a batch (Idempotency-Key), Kolada in and out, the changes feed
- assessments: a person's assessment of a milestone target
- assignments: load, list and read assignments; record their follow-up (Idempotency-Key)
- tertial_report: the register's report for a tertial
- composed_report: that report with the budget and procurement sections; its approval
- idempotency: a write under an Idempotency-Key, answered once and replayed after
- presenting: rows to response bodies (shaping only)"""
