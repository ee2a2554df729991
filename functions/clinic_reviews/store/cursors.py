"""Per-feed fetch cursors in the single table (`SOURCE#<clinic>` / `<platform>#<locator>`). No Scan."""

from __future__ import annotations

from collections.abc import Iterable

from clinic_reviews.domain.fetch import Cursor
from clinic_reviews.store.models import CursorItem

BATCH_GET_LIMIT = 100


def cursor_pk(clinic_id: str) -> str:
    return f"SOURCE#{clinic_id}"


def cursor_sk(platform: str, locator: str) -> str:
    return f"{platform}#{locator}"


class CursorRepository:
    def get_many(self, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], Cursor]:
        """Cursors of (clinic, platform, locator) keys, one BatchGetItem per 100; missing keys are absent."""
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[str, str, str], Cursor] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            chunk = [(cursor_pk(c), cursor_sk(p, loc)) for c, p, loc in wanted[start : start + BATCH_GET_LIMIT]]
            for item in CursorItem.batch_get(chunk):
                cursor = self._to_cursor(item)
                found[cursor.key] = cursor
        return found

    def save(self, cursor: Cursor) -> None:
        """One PutItem (the fetcher calls it only when the cursor changed)."""
        CursorItem(
            cursor_pk(cursor.clinic_id),
            cursor_sk(cursor.platform, cursor.locator),
            mark=cursor.mark,
            newest=cursor.newest,
            page_hashes=cursor.page_hashes,
            archived_key=cursor.archived_key,
            failures=cursor.failures,
            last_error=cursor.last_error,
            last_error_at=cursor.last_error_at,
            updated_at=cursor.updated_at,
        ).save()

    @staticmethod
    def _to_cursor(item: CursorItem) -> Cursor:
        clinic_id = item.pk.removeprefix("SOURCE#")
        platform, _, locator = item.sk.partition("#")
        return Cursor(
            clinic_id=clinic_id,
            platform=platform,
            locator=locator,
            mark=item.mark,
            newest=item.newest,
            page_hashes=item.page_hashes,
            archived_key=item.archived_key,
            failures=int(item.failures or 0),
            last_error=item.last_error,
            last_error_at=item.last_error_at,
            updated_at=item.updated_at,
        )
