"""HTTP routes of the indicator service: thin; rules live in service.py, rules.py and
evaluation.py."""
