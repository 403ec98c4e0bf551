"""A per-process cache for values that are never changed once made (the page cache's kept
answers, `core.pagecache.Kept`).

Django's LocMemCache pickles every value on `set` and unpickles it on every `get`, so that a
caller changing what it got cannot change what is kept; and it checks every key for what
memcached would refuse. For a frozen value read on every request both are pure cost: this
backend keeps the object itself and takes any string as a key. Everything else (expiry,
MAX_ENTRIES, culling, the lock) is LocMemCache's.
"""

from __future__ import annotations

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache


class FrozenObjectCache(LocMemCache):
    def validate_key(self, key):
        """In process memory any string is a key (no memcached rules to warn about)."""

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                raise ValueError(f"Key '{key}' not found")
            value = self._cache[key] + delta
            self._cache[key] = value
            self._cache.move_to_end(key, last=False)
        return value
