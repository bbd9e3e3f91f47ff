"""Procurement service: tender outcomes from the procurement system, SME and
employment-requirement measurement per tertial.

Filled by its own issue; for now it answers health and readiness."""
