"""The use cases of the procurement service: each public function is one thing a caller asks
for; a write commits once (municipal_shared.kit.database.commit).

- procurements: tender outcomes in the native format, one or many; reading them; the audit log
- ocds_intake: OCDS release and record packages
- ocds_out: OCDS out, a record package per process and the release package feed
- measurement: the figures per tertial or range; the employment-requirement rule
- delivery: dirty tertials published into the outbox (run by the worker)
- outbox: the operator's view of the outbox and its dead letters
- rekey: moving every sole trader's pseudonym to a new key (an operator command)"""
