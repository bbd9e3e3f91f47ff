"""Coalesced freshness checks: many readers, one question to the source per round trip.

A reader must see every write acknowledged before it arrived, so it may not take the answer
of a check already on its way (that one may have left before the write). It may take the
answer of a check that leaves after it arrived. So while a check of a key is on its way, the
readers that arrive wait for the next one, which leaves as soon as the first is back: under
load the source is asked about twice per round trip instead of once per reader, and no reader
is answered from before its arrival.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Coalescer(Generic[T]):
    """`await coalescer.ask(key, check)` runs `check()` for this reader or shares a run that
    starts after it arrived. Keys are kept only while a check of theirs is on its way."""

    def __init__(self) -> None:
        self._rounds: dict[Hashable, _Rounds[T]] = {}

    async def ask(self, key: Hashable, check: Callable[[], Awaitable[T]]) -> T:
        rounds = self._rounds.get(key)
        if rounds is None:
            rounds = self._rounds[key] = _Rounds(check, idle=lambda: self._rounds.pop(key, None))
        # Shielded: a reader that gives up must not cancel the check others wait for.
        return await asyncio.shield(rounds.join())

    def __len__(self) -> int:
        return len(self._rounds)


class _Rounds(Generic[T]):
    """The check of one key on its way, and the one the readers arriving meanwhile wait for."""

    def __init__(self, check: Callable[[], Awaitable[T]], idle: Callable[[], object]) -> None:
        self.check, self.idle = check, idle
        self.running: asyncio.Future[T] | None = None
        self.waiting: asyncio.Future[T] | None = None

    def join(self) -> asyncio.Future[T]:
        if self.running is None:
            self.running = asyncio.ensure_future(self.check())
            self.running.add_done_callback(self._finished)
            return self.running
        if self.waiting is None:
            self.waiting = asyncio.get_running_loop().create_future()
        return self.waiting

    def _finished(self, _: asyncio.Future[T]) -> None:
        self.running = None
        waiting, self.waiting = self.waiting, None
        if waiting is None:
            self.idle()
        else:
            self.join().add_done_callback(lambda done: _settle(waiting, done))


def _settle(waiting: asyncio.Future[T], done: asyncio.Future[T]) -> None:
    if done.cancelled():
        waiting.cancel()
    elif (error := done.exception()) is not None:
        waiting.set_exception(error)
    else:
        waiting.set_result(done.result())
