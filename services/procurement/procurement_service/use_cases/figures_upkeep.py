"""The measurement summary's part in a writing use case (a helper: it never commits; the use
case that made it commits once, summary and outcomes together).

`Upkeep.begin` comes first in the transaction: it takes the municipality's summary lock
shared and reads the rule the summary counts under (repository/summary.py says why). Then,
for every procurement the use case changes, `before` counts it as it was (taken away) and
`after` names it to be counted as written (added); created ones need only `after`. `finish`
counts them and writes the difference, after every other write of the use case, so summary
rows are the last locks it takes (on PostgreSQL one statement per summary table does both:
repository/summary_add.py)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from procurement_service.repository import summary
from procurement_service.rules.measurement import Rule
from procurement_service.use_cases.measurement import rule_for


class Upkeep:
    def __init__(self, session: AsyncSession, municipality_code: str, rule: Rule) -> None:
        self.session, self.municipality_code, self.rule = session, municipality_code, rule
        self.delta = summary.Delta()
        self.added: dict[int, None] = {}  # ordered, each procurement once

    @classmethod
    async def begin(cls, session: AsyncSession, municipality_code: str) -> Upkeep:
        await summary.lock_municipality(session, municipality_code)
        return cls(session, municipality_code, await rule_for(session, municipality_code))

    async def before(self, ids: list[int]) -> None:
        """Count these stored procurements as they are now, to be taken away."""
        await summary.count_procurements(self.session, self.delta, ids, self.rule, -1)

    async def after(self, ids: list[int]) -> None:
        """These procurements are to be counted as written: by `finish`, as they are then."""
        self.added.update(dict.fromkeys(ids))

    async def finish(self) -> None:
        await self.session.flush()  # the written procurements as the summary counts them
        await summary.apply(self.session, self.delta, self.rule, list(self.added))
