"""Produce items in a thread ahead of their consumer, so making rows and writing them overlap."""

import queue
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Generic, Self, TypeVar

T = TypeVar("T")
_END = object()


class Prefetch(Generic[T]):
    """Iterate over items made by a thread that keeps up to `depth` of them ready."""

    def __init__(self, items: Iterator[T], depth: int = 2) -> None:
        """Start the thread that makes the items."""
        self._queue: queue.Queue[object] = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._make, args=(items,), name="prefetch", daemon=True)
        self._thread.start()

    def _make(self, items: Iterator[T]) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
            self._put(_END)
        except BaseException as error:  # handed to the consumer, which raises it
            self._put(error)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def next_or_none(self) -> T | None:
        """Return the next item (waiting for it), or None after the last."""
        item = self._queue.get()
        if item is _END:
            self._queue.put(_END)
            return None
        if isinstance(item, BaseException):
            raise item
        return item  # type: ignore[return-value]

    def __iter__(self) -> Iterator[T]:
        """Yield the items in order."""
        while (item := self.next_or_none()) is not None:
            yield item

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        """Stop the thread (it may be waiting to hand over an item nobody will take) and wait for it."""
        self._stop.set()
        self._thread.join()
