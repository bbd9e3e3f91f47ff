"""The register's reports: the tertial report (tertial.py) and the composed report with the
budget and procurement services' sections (composed.py: its use cases; sections.py: reading a
peer; snapshot.py: the report as approved; changes.py: what changed since)."""
