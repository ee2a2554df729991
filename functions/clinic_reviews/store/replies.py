"""Public replies approved in the console (docs/insights.md): who posted what, when, to which review.

| item         | pk                         | sk                      |
|--------------|----------------------------|-------------------------|
| console reply| REPLY#<chain>#<YYYY-MM>    | <at>#<case id>          |

A platform reply is stored on its review; a reply approved "by hand" is not on the platform until a
fetch sees it, and neither says who wrote it. This log does: the reply-quality figures read a month in
one Query. The text is the public reply that passed the privacy check; items expire after 400 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from clinic_reviews.domain.review import ReviewKey, from_iso, iso_z
from clinic_reviews.store.models import _Item

KEEP_DAYS = 400


class ReplyLogItem(_Item):
    kind = UnicodeAttribute(default="console_reply")
    clinic_id = UnicodeAttribute()
    source = UnicodeAttribute()
    external_id = UnicodeAttribute()
    who = UnicodeAttribute()
    at = UnicodeAttribute()
    text = UnicodeAttribute()
    expires_at = NumberAttribute(null=True)


@dataclass(frozen=True)
class ConsoleReply:
    key: ReviewKey
    who: str
    at: datetime
    text: str


def _pk(chain_id: str, month: date) -> str:
    return f"REPLY#{chain_id}#{month.strftime('%Y-%m')}"


class ReplyLogRepository:
    def record(self, chain_id: str, case_id: str, reply: ConsoleReply) -> None:
        ReplyLogItem(
            _pk(chain_id, reply.at.date()), f"{iso_z(reply.at)}#{case_id}",
            clinic_id=reply.key.clinic_id, source=reply.key.source, external_id=reply.key.external_id,
            who=reply.who, at=iso_z(reply.at), text=reply.text,
            expires_at=int((reply.at + timedelta(days=KEEP_DAYS)).timestamp()),
        ).save()

    def between(self, chain_id: str, start: datetime, end: datetime) -> Iterator[ConsoleReply]:
        """Replies approved in [start, end) (UTC months' partitions, one Query each)."""
        month = date(start.year, start.month, 1)
        while month <= end.date():
            for item in ReplyLogItem.query(
                _pk(chain_id, month), ReplyLogItem.sk.between(iso_z(start), iso_z(end))
            ):
                yield ConsoleReply(ReviewKey(item.clinic_id, item.source, item.external_id), item.who, from_iso(item.at),
                                   item.text)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
