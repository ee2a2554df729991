"""Revocation of command-line (script) tokens: a generation number per chain in the table.

| item                   | pk             | sk                       |
|------------------------|----------------|--------------------------|
| script-token generation| AUTH#<chain>   | SCRIPT_TOKEN_GENERATION  |

A script token carries the generation it was issued in (`gen`); `clinic-reviews console-token --revoke`
adds one, and every token of an older generation is refused. The API reads the generation at most once a
minute per warm function (one GetItem), so a revocation takes effect within a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from clinic_reviews.store.models import _Item

SORT_KEY = "SCRIPT_TOKEN_GENERATION"


class TokenGenerationItem(_Item):
    kind = UnicodeAttribute(default="token-generation")
    generation = NumberAttribute(default=0)


class ScriptTokenGenerations:
    def __init__(self, ttl: float = 60.0, monotonic: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._monotonic = monotonic
        self._cached: dict[str, tuple[float, int]] = {}

    def current(self, chain_id: str) -> int:
        hit = self._cached.get(chain_id)
        if hit is not None and self._monotonic() - hit[0] < self._ttl:
            return hit[1]
        try:
            value = int(TokenGenerationItem.get(f"AUTH#{chain_id}", SORT_KEY).generation)
        except TokenGenerationItem.DoesNotExist:
            value = 0
        self._cached[chain_id] = (self._monotonic(), value)
        return value

    def revoke(self, chain_id: str) -> int:
        """Refuse every script token issued so far; returns the new generation."""
        item = TokenGenerationItem(f"AUTH#{chain_id}", SORT_KEY)
        item.update(actions=[TokenGenerationItem.generation.add(1)])
        self._cached.pop(chain_id, None)
        return int(item.generation)
