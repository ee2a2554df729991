"""The single DynamoDB table, as pynamodb models. docs/data-model.md draws the key design.

| item            | pk                 | sk                                   | gsi1 (open to answer)       | gsi2 (day)           |
|-----------------|--------------------|--------------------------------------|-----------------------------|----------------------|
| review          | CLINIC#<clinic>    | REVIEW#<source>#<external_id>        | OPEN#<clinic> / <due>#<sk>  | DAY#<chain>#<date> / <clinic>#<received>#<sk> |
| review history  | CLINIC#<clinic>    | HIST#<source>#<external_id>#<at>#<n> |                             |                      |
| chain policy    | POLICY             | CHAIN#<chain>                        |                             |                      |
| clinic -> chain | POLICY             | CLINIC#<clinic>                      |                             |                      |
| counters        | COUNTER#<chain>    | <name>#<local date>                  |                             |                      |
| ack link        | LINK#<id>          | LINK                                 |                             |                      |
| source cursor   | SOURCE#<clinic>    | <platform>#<locator>                 |                             |                      |
| case            | CASE#<id>          | CASE                                 | CASES#<clinic> / <due>#<id> |                      |
| case audit      | CASE#<id>          | LOG#<at>#<version>                   |                             | CASELOG#<chain>#<date> / <clinic>#<at>#<id>#<v> |
| feedback request| FEEDBACK#<ref>     | REQUEST (and CONTACT: the phone, until sent) |                     |                      |
| opt-out / asked | OPTOUT#<hash> / ASKED#<hash> | OPTOUT / ASKED             |                             |                      |
| feedback figures| FBSTATS#<chain>    | <YYYY-MM>#<clinic>                   |                             |                      |

Cases (store/cases.py, docs/cases.md) use the same indexes under their own partitions. Post-visit
feedback requests (store/feedback.py, docs/feedback.md) keep phones only as salted hashes, but for the
CONTACT item that lives until the SMS is sent.
gsi1 is sparse: only a review that is still unanswered and needs an answer (a negative, or a complaint part
in one that is not negative) carries its keys, so "what is open, by deadline" is one Query per clinic. gsi2 holds every review under the local day it was received.
"""

from __future__ import annotations

import os

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class _Index(GlobalSecondaryIndex):
    class Meta:
        projection = AllProjection()


class OpenByDueIndex(_Index):
    """Open negative reviews of a clinic, ordered by their next deadline."""

    class Meta(_Index.Meta):
        index_name = "gsi1"

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByDayIndex(_Index):
    """Every review of a chain under the clinic-local day it was received."""

    class Meta(_Index.Meta):
        index_name = "gsi2"

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class _Item(Model):
    class Meta:
        table_name = os.environ.get("TABLE_NAME", "unbound")
        region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ReviewItem(_Item):
    """One review with its classification, status and escalation state."""

    kind = UnicodeAttribute(default="review")
    chain_id = UnicodeAttribute()
    clinic_id = UnicodeAttribute()
    source = UnicodeAttribute()
    external_id = UnicodeAttribute()
    rating = NumberAttribute(null=True)
    text = UnicodeAttribute(default="")
    text_s3_key = UnicodeAttribute(null=True)
    text_length = NumberAttribute(default=0)
    author = UnicodeAttribute(null=True)
    url = UnicodeAttribute(null=True)
    lang = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    reply_text = UnicodeAttribute(null=True)
    reply_at = UnicodeAttribute(null=True)
    content_hash = UnicodeAttribute()
    # classification
    sentiment = UnicodeAttribute()
    score = NumberAttribute()
    text_sentiment = UnicodeAttribute(null=True)
    topics = ListAttribute(of=UnicodeAttribute, default=list)
    triage = NumberAttribute(null=True)
    mismatch = BooleanAttribute(default=False)
    legal = BooleanAttribute(default=False)
    staff = ListAttribute(of=UnicodeAttribute, default=list)
    message_kind = UnicodeAttribute(default="review")
    complaint = JSONAttribute(null=True)  # a complaint inside praise: {"topics", "text"} (classification/complaint.py)
    # lifecycle
    received_at = UnicodeAttribute()
    local_day = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    backfill = BooleanAttribute(default=False)
    status = UnicodeAttribute()  # open | answered | no_action
    answered_at = UnicodeAttribute(null=True)
    answered_by = UnicodeAttribute(null=True)
    escalation = UnicodeAttribute(null=True)  # execution name
    follow_up = BooleanAttribute(null=True)  # set while a case or thank reminder is not known done; else absent
    due_at = UnicodeAttribute(null=True)
    tiers_fired = UnicodeSetAttribute(null=True)
    first_sentiment = UnicodeAttribute(null=True)
    first_rating = NumberAttribute(null=True)
    version = VersionAttribute()
    # The outbox (store/outbox.py): the events this write announces, read from the table's stream by the
    # outbox function. A new `outbox_id` marks a write that carries events; other writes keep it unchanged.
    outbox_id = UnicodeAttribute(null=True)
    outbox_events = ListAttribute(of=UnicodeAttribute, null=True)
    outbox_at = UnicodeAttribute(null=True)
    outbox_tier = JSONAttribute(null=True)  # review.escalated: {"tier", "tier_number"}
    #: TTL (epoch seconds): receipt + the policy's `reviews` (or `complaints`) days; None on items stored before it.
    expires_at = NumberAttribute(null=True)
    # indexes
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    open_by_due = OpenByDueIndex()
    by_day = ByDayIndex()


class HistoryItem(_Item):
    """One step in a review's life: stored, edited, answered, a tier notified."""

    kind = UnicodeAttribute(default="history")
    at = UnicodeAttribute()
    event = UnicodeAttribute()
    detail = JSONAttribute(default=dict)
    expires_at = NumberAttribute(null=True)  # TTL: with its review


class PolicyItem(_Item):
    """A chain's policy (JSON), or the clinic -> chain pointer."""

    kind = UnicodeAttribute(default="policy")
    chain_id = UnicodeAttribute()
    body = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class CounterItem(_Item):
    """A per-chain, per-local-day counter (the daily SMS cap). Expires after a few days."""

    kind = UnicodeAttribute(default="counter")
    count = NumberAttribute(default=0)
    expires_at = NumberAttribute()
    #: The deliveries already charged (a retried delivery is not counted twice): at most the cap's worth a day.
    charged = UnicodeSetAttribute(null=True)


class CursorItem(_Item):
    """Where the scheduled fetch of one clinic's source (a location, branch, post or topic) stopped.

    Written only when something changed (a new mark, newly archived pages, a failure or a recovery),
    so a steady-state poll costs reads only.
    """

    kind = UnicodeAttribute(default="cursor")
    mark = UnicodeAttribute(null=True)  # the paging stops at items ordered before this (`...Z`)
    newest = UnicodeAttribute(null=True)  # the newest ordering key seen
    page_hashes = UnicodeAttribute(null=True)  # hashes of the raw pages last archived, space-separated
    archived_key = UnicodeAttribute(null=True)
    failures = NumberAttribute(default=0)  # consecutive failed runs
    last_error = UnicodeAttribute(null=True)  # a reason without personal data
    last_error_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


MODELS: tuple[type[_Item], ...] = (ReviewItem, HistoryItem, PolicyItem, CounterItem, CursorItem)


def bind(table_name: str, region: str | None = None) -> None:
    """Point every model at the deployed table (from Settings.table_name)."""
    for model in (*MODELS, *_Item.__subclasses__()):
        model.Meta.table_name = table_name
        if region:
            model.Meta.region = region
