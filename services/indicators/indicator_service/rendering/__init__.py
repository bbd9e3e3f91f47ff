"""The composed tertial report as people read it: a page in Swedish (HTML, and PDF from the
same page), and the report's figures as CSV and XLSX for controllers.

Plain functions of the composed report's output model (schemas_out.ComposedReport): no I/O
but reading the package's own templates, so each is tested without HTTP. The JSON stays
English; every Swedish word shown is in labels.py and reasons.py.
"""
