"""Indicator service: the indicator register, targets of every kind and goal fulfilment per tertial.

Filled by its own issue; for now it answers health and readiness."""
