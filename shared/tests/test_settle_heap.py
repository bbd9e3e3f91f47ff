"""A started service moves what it holds for good out of the collector's way (kit app)."""

from __future__ import annotations

import gc

from municipal_shared.kit.app import settle_heap


def test_what_is_alive_at_start_is_frozen_and_garbage_is_not() -> None:
    before = gc.get_freeze_count()
    kept = [object() for _ in range(1000)]
    cycle: list[object] = []
    cycle.append(cycle)  # garbage the moment the name goes
    del cycle
    settle_heap()
    assert gc.get_freeze_count() >= before + len(kept)
    assert gc.collect() == 0  # the cycle was collected before the freeze, not frozen
