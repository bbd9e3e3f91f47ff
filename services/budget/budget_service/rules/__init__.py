"""The budget's rules as plain functions: no session, no I/O, tested without HTTP or a database.
The use cases fetch what a rule needs and act on its answer."""
