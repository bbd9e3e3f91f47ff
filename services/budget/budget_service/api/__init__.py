"""HTTP routes of the budget service: thin; rules live in service.py and rules.py."""
