"""Per-chain daily counters with a cap (the daily SMS budget)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pynamodb.exceptions import UpdateError

from clinic_reviews.store.models import CounterItem

KEEP_DAYS = 3


class Counters:
    def take(self, chain_id: str, name: str, day: date, limit: int, once: str | None = None) -> bool:
        """Count one use of `name` on `day`; False (and nothing counted) once `limit` is reached.

        `once` names the delivery: a retry of the same delivery (a re-run step) is allowed again without
        being counted again, so the cap is charged once per delivery.
        """
        item = CounterItem(f"COUNTER#{chain_id}", f"{name}#{day.isoformat()}")
        expires = datetime.combine(day + timedelta(days=KEEP_DAYS), datetime.min.time(), tzinfo=UTC)
        actions = [CounterItem.count.add(1), CounterItem.expires_at.set(int(expires.timestamp()))]
        condition = CounterItem.count.does_not_exist() | (CounterItem.count < limit)
        if once is not None:
            actions.append(CounterItem.charged.add({once}))
            condition = condition & ~CounterItem.charged.contains(once)
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                return once is not None and self._charged(item, once)
            raise
        return True

    @staticmethod
    def _charged(item: CounterItem, once: str) -> bool:
        """Whether the delivery `once` was already counted (then it may go again, uncounted)."""
        try:
            item.refresh(consistent_read=True)
        except CounterItem.DoesNotExist:
            return False
        return once in (item.charged or set())

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
