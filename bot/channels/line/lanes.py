"""Background work that keeps each person's messages in order but serves people side by side.

A person who taps two buttons quickly must have them handled in that order (the second
answers the question the first one asked), while one slow reply must not hold up everyone
else. So each key (a LINE user) gets a lane — a queue worked by one task — and at most
``concurrency`` lanes run at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class Lanes(Generic[T]):
    def __init__(self, work: Callable[[T], Awaitable[None]], *, concurrency: int = 8) -> None:
        self._work = work
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[str, deque[T]] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    @property
    def busy(self) -> int:
        """Items queued or running."""
        return sum(len(q) for q in self._queues.values()) + len(self._tasks)

    def submit(self, key: str, item: T) -> bool:
        """Queue ``item`` behind the key's earlier items; ``False`` once closed."""
        if self._closed:
            return False
        self._queues.setdefault(key, deque()).append(item)
        if key not in self._tasks:
            self._idle.clear()
            self._tasks[key] = asyncio.create_task(self._run(key), name=f"lane:{key}")
        return True

    async def _run(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                item = queue.popleft()
                async with self._slots:
                    try:
                        await self._work(item)
                    except asyncio.CancelledError:
                        raise
                    except Exception:  # the work reports its own failures; the lane goes on
                        log.exception("lane %s: work failed", key)
        finally:
            del self._tasks[key]
            if not queue:
                self._queues.pop(key, None)
            if not self._tasks:
                self._idle.set()

    async def idle(self) -> None:
        """Return once nothing is queued or running."""
        await self._idle.wait()

    async def close(self, timeout: float = 5.0) -> None:
        """Take no more work; let running work finish for up to ``timeout`` s, then cancel.

        What is cancelled or never started stays pending in the inbox for the next start.
        """
        self._closed = True
        for queue in self._queues.values():
            queue.clear()
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _done, running = await asyncio.wait(tasks, timeout=timeout)
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
