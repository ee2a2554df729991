"""Per-chain daily counters with a cap (the daily SMS budget)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pynamodb.exceptions import UpdateError

from clinic_reviews.store.models import CounterItem

KEEP_DAYS = 3


class Counters:
    def take(self, chain_id: str, name: str, day: date, limit: int) -> bool:
        """Count one use of `name` on `day`; False (and nothing counted) once `limit` is reached."""
        item = CounterItem(f"COUNTER#{chain_id}", f"{name}#{day.isoformat()}")
        expires = datetime.combine(day + timedelta(days=KEEP_DAYS), datetime.min.time(), tzinfo=UTC)
        try:
            item.update(
                actions=[CounterItem.count.add(1), CounterItem.expires_at.set(int(expires.timestamp()))],
                condition=CounterItem.count.does_not_exist() | (CounterItem.count < limit),
            )
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def add(self, chain_id: str, name: str, day: date) -> None:
        """Count one occurrence of `name` on `day`, without a cap."""
        item = CounterItem(f"COUNTER#{chain_id}", f"{name}#{day.isoformat()}")
        expires = datetime.combine(day + timedelta(days=KEEP_DAYS), datetime.min.time(), tzinfo=UTC)
        item.update(actions=[CounterItem.count.add(1), CounterItem.expires_at.set(int(expires.timestamp()))])

    def value(self, chain_id: str, name: str, day: date) -> int:
        try:
            return int(CounterItem.get(f"COUNTER#{chain_id}", f"{name}#{day.isoformat()}").count)
        except CounterItem.DoesNotExist:
            return 0
