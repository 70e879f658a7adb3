"""A small bounded cache that several request threads may share safely.

Values are computed once per key (the other requests asking for the same key wait for
it instead of computing it again), the oldest entries leave when the cache is full, and
every change to the table happens under one lock. Values put in it must not be changed
by their readers (the engine's results are frozen).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """Least-recently-used cache of at most ``size`` values, safe across threads.

    Examples
    --------
    >>> cache = BoundedCache(2)
    >>> cache.get_or_compute("a", lambda: 1), cache.get_or_compute("a", lambda: 2)
    (1, 1)
    >>> _ = cache.get_or_compute("b", lambda: 2); _ = cache.get_or_compute("c", lambda: 3)
    >>> "a" in cache, len(cache)
    (False, 2)
    """

    def __init__(self, size: int):
        if size < 1:
            raise ValueError("cache size must be at least 1")
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._pending: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of ``key``, computing it (once, whoever asks at the same time)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            gate = self._pending.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
            try:
                value = compute()
            except BaseException:
                with self._lock:
                    self._pending.pop(key, None)
                raise
            with self._lock:
                self._values[key] = value
                self._values.move_to_end(key)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
                self._pending.pop(key, None)
            return value
