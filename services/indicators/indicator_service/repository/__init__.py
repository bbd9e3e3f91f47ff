"""Every query of the indicator service, one module per aggregate. Nothing here commits; the
use cases (use_cases/) commit once.

- registers: a register by its key, the list, what its answer shows, its audit log
- indicators: a register's indicators, filtered, by code, by Kolada KPI
- outcomes: current values, history, the changes feed, processed Idempotency-Keys
- reports: the latest milestone assessments, composed report approvals
- assignments: a register's assignments, the current follow-up entries, an assignment's history"""
