"""The one place handlers read the time. Domain code never does: it is given `now`.

On AWS this is the system clock. The embedded local AWS replaces the source with its virtual
clock, so that a whole day of deadlines can be replayed in seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """Current time, timezone-aware UTC, whole seconds."""
    moment = _source() if _source is not None else datetime.now(UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def use(source: Callable[[], datetime] | None) -> None:
    """Install another time source (None restores the system clock)."""
    global _source
    _source = source
