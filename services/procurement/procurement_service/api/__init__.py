"""HTTP routes of the procurement service: thin; rules live in service.py, rules.py and
measurement.py."""
