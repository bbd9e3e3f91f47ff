"""The procurement rules as plain functions: no session, no I/O, no clock, so each is tested
without HTTP or a database.

- procurement: organisation numbers, EU size classes, bidder counts, quality warnings
- outcome_intake: an outcome checked whole, its fingerprint and its rows
- attribution: whose procurements these are (municipality, boards)
- personal_data: sole traders' pseudonyms and redacted releases
- ocds, ocds_validation: OCDS packages read, checked against the schemas, merged
- ocds_reading, ocds_mapping: a compiled release read as a native outcome
- ocds_out: native outcomes as releases, records, packages and the feed's cursor
- measurement: the figures from the database's counts, windows of a tertial
- delivery: what is delivered to the register and under which key"""
