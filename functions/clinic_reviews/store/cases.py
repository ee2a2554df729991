"""Cases in the single table: the case item, its audit log, and the open-case queue (gsi1). No Scan.

| item      | pk            | sk                     | gsi1 (open cases)                 | gsi2 (day)                                  |
|-----------|---------------|------------------------|-----------------------------------|---------------------------------------------|
| case      | CASE#<id>     | CASE                   | CASES#<clinic> / <due>#<id>       |                                             |
| audit     | CASE#<id>     | LOG#<at>#<version>     |                                   | CASELOG#<chain>#<local day> / <clinic>#<at>#<id>#<version> |

gsi1 is sparse here too: a closed case drops its keys, so the queue of one clinic is one Query, soonest
deadline first. Every change writes the case (conditional on the version it was read at) and its audit
entry in one transaction: who, with which role, through what (console, API, Telegram), when, what,
and the case after it. The audit entries of a day are what the digest's and the report's case figures
are computed from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from clinic_reviews.domain.cases import CLOSED, Action, Case, Change, LogEntry
from clinic_reviews.domain.retention import DEFAULT, Retention
from clinic_reviews.domain.review import iso_z
from clinic_reviews.store.models import ByDayIndex, OpenByDueIndex, _Item


class CaseItem(_Item):
    kind = UnicodeAttribute(default="case")
    chain_id = UnicodeAttribute()
    clinic_id = UnicodeAttribute()
    status = UnicodeAttribute()
    body = UnicodeAttribute()  # the case as JSON (domain.cases.Case.to_json)
    version = NumberAttribute()
    updated_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    open_by_due = OpenByDueIndex()  # gsi1, as for open negatives
    expires_at = NumberAttribute(null=True)  # TTL: the last change + the policy's `cases` days


class CaseLogItem(_Item):
    kind = UnicodeAttribute(default="case_log")
    event = UnicodeAttribute()
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    actor_name = UnicodeAttribute()
    role = UnicodeAttribute()
    via = UnicodeAttribute()
    detail = UnicodeAttribute()  # JSON: what changed (Change.detail)
    snapshot = UnicodeAttribute()  # JSON: the case after the change
    changed = BooleanAttribute(default=True)
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    by_day = ByDayIndex()  # gsi2, as for the reviews of a day
    expires_at = NumberAttribute(null=True)  # TTL: as its case's at the time of the entry


class StaleCase(Exception):
    """The case changed since it was read (another manager acted first): read it again."""


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


def log_day_pk(chain_id: str, day: date) -> str:
    return f"CASELOG#{chain_id}#{day.isoformat()}"


class CaseRepository:
    def get(self, case_id: str) -> Case | None:
        try:
            item = CaseItem.get(case_pk(case_id), "CASE", consistent_read=True)
        except CaseItem.DoesNotExist:
            return None
        return Case.from_json(json.loads(item.body))

    def open_cases(self, clinic_id: str) -> Iterator[Case]:
        """Open cases of one clinic, soonest deadline first (gsi1)."""
        for item in CaseItem.open_by_due.query(f"CASES#{clinic_id}"):
            yield Case.from_json(json.loads(item.body))

    def log(self, case_id: str) -> list[LogEntry]:
        """Every recorded change of the case, oldest first (its audit trail)."""
        return [_entry(item) for item in CaseLogItem.query(case_pk(case_id), CaseLogItem.sk.startswith("LOG#"))]

    def log_of_day(self, chain_id: str, day: date) -> Iterator[LogEntry]:
        """Every change recorded on a clinic-local day in the chain (gsi2), for the digest and the report."""
        for item in CaseLogItem.by_day.query(log_day_pk(chain_id, day)):
            yield _entry(item)

    def save(self, change: Change, local_day: date, retention: Retention = DEFAULT) -> bool:
        """Write the case and its audit entry in one transaction; both expire `retention.cases` days after it.

        Opening is conditional on the case not existing (False: it already does, nothing written); every
        other change on the case still having the version it was read at (else StaleCase).
        """
        case = change.case
        item = CaseItem(
            case_pk(case.id),
            "CASE",
            chain_id=case.chain_id,
            clinic_id=case.clinic_id,
            status=case.status,
            body=json.dumps(case.to_json(), ensure_ascii=False),
            version=case.version,
            updated_at=iso_z(change.at),
            gsi1pk=None if case.status == CLOSED else f"CASES#{case.clinic_id}",
            gsi1sk=None if case.status == CLOSED else f"{iso_z(case.due_at or case.opened_at)}#{case.id}",
            expires_at=retention.expires("cases", change.at),
        )
        opening = case.version == 0
        condition = CaseItem.pk.does_not_exist() if opening else CaseItem.version == case.version - 1
        at = iso_z(change.at)
        log = CaseLogItem(
            case_pk(case.id),
            f"LOG#{at}#{case.version:05d}",
            event=change.event,
            at=at,
            actor=change.actor.id,
            actor_name=change.actor.name,
            role=change.actor.role,
            via=change.actor.via,
            detail=json.dumps(change.detail(), ensure_ascii=False),
            snapshot=item.body,
            gsi2pk=log_day_pk(case.chain_id, local_day),
            gsi2sk=f"{case.clinic_id}#{at}#{case.id}#{case.version:05d}",
            expires_at=item.expires_at,
        )
        try:
            with TransactWrite(connection=CaseItem._get_connection().connection) as tx:
                tx.save(item, condition=condition)
                tx.save(log, condition=CaseLogItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if getattr(exc, "cause_response_code", None) == "TransactionCanceledException":
                if opening:
                    return False
                raise StaleCase(f"case {case.id} changed concurrently") from None
            raise
        return True


def _entry(item: CaseLogItem) -> LogEntry:
    case = Case.from_json(json.loads(item.snapshot))
    detail = json.loads(item.detail)
    action = Action.from_json(detail["action"]) if detail.get("action") else None
    return LogEntry(
        event=item.event,
        at=datetime.fromisoformat(item.at),
        actor=item.actor,
        actor_name=item.actor_name,
        role=item.role,
        via=item.via,
        case=case,
        action=action,
    )
