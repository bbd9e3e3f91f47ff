"""The indicator service's rules as pure functions: no session, no I/O, no clock, so each is
tested without HTTP or a database.

- evaluation, evaluation_values, target_kinds, target_rules, target_comparisons: goal
  fulfilment per kind of target
- register_checks: a register body and outcome values against the register
- register_definition: a register's definition as one document, and what changed in it
- outcome_intake: where delivered items land, and what an Idempotency-Key is bound to
- kolada: Kolada's value shape in and out
- tertial_report: which outcome a report uses and how it is evaluated
- approved_report: approving a composed report, and what changed since
- assignments: assignments and their follow-up against the register, the report's section"""
