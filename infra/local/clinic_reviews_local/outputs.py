"""The demo's output folder: what the system sent, stored and rendered, in files a person can open."""

from __future__ import annotations

import json
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from clinic_reviews.domain.review import iso_z_or_none

from clinic_reviews_local.api_calls import paused
from clinic_reviews_local.lambdas import visible_messages
from clinic_reviews_local.stack import LocalStack

TAP_NAME = "demo-event-tap"


@dataclass
class EventTap:
    """A local-only rule on the bus that copies every clinic-reviews event into a queue the demo reads."""

    queue_url: str
    queue_arn: str


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "message"


class DemoOutputs:
    def __init__(self, out: Path, policy, resumed: bool):
        self.out = out
        self.policy = policy
        self.resumed = resumed
        out.mkdir(parents=True, exist_ok=True)
        (out / "emails").mkdir(exist_ok=True)
        mode = "a" if resumed else "w"
        self._files = {name: (out / name).open(mode, encoding="utf-8") for name in ("sms.jsonl", "events.jsonl")}
        if not resumed:
            for old in (out / "emails").glob("*.eml"):
                old.unlink()
        self._email_number = len(list((out / "emails").glob("*.eml")))
        self._sms_seen = 0
        self._emails_seen = 0
        self.counts: Counter[str] = Counter()

    @contextmanager
    def function_logs(self):
        """The functions' structured logs go to logs.jsonl instead of the terminal."""
        import logging

        handle = (self.out / "logs.jsonl").open("a" if self.resumed else "w", encoding="utf-8")
        logger = logging.getLogger("clinic-reviews")
        saved = [(h, h.setStream(handle)) for h in logger.handlers if isinstance(h, logging.StreamHandler)]
        try:
            yield
        finally:
            for handler, stream in saved:
                handler.setStream(stream)
            handle.close()

    # ------------------------------------------------------------------ live collection
    def tap_events(self, aws: LocalStack) -> EventTap:
        sqs, events = aws.client("sqs"), aws.client("events")
        with paused():
            url = sqs.create_queue(QueueName=TAP_NAME)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            bus = aws.outputs["BusName"]
            events.put_rule(Name=TAP_NAME, EventBusName=bus, EventPattern=json.dumps({"source": ["clinic-reviews"]}))
            events.put_targets(Rule=TAP_NAME, EventBusName=bus, Targets=[{"Id": "tap", "Arn": arn}])
        return EventTap(url, arn)

    def collect(self, aws: LocalStack, tap: EventTap) -> None:
        """Write what was sent since the last call, stamped with the virtual time."""
        now = iso_z_or_none(aws.clock.now())
        from clinic_reviews.notify.sms_text import segments

        for phone, text in aws.sent_sms(self._sms_seen):
            self._write("sms.jsonl", {"at": now, "to": phone, "segments": segments(text), "text": text})
            self.counts["sms"] += 1
            self._sms_seen += 1
        for message in aws.sent_emails(self._emails_seen):
            self._emails_seen += 1
            self._email_number += 1
            name = f"{self._email_number:03d}-{_slug(message.subject)}"
            (self.out / "emails" / f"{name}.eml").write_text(message.raw, encoding="utf-8")
            self.counts["emails"] += 1
        sqs = aws.client("sqs")
        with paused():
            while visible_messages(tap.queue_arn):  # a look at moto's queue: most steps deliver no event
                batch = sqs.receive_message(QueueUrl=tap.queue_url, MaxNumberOfMessages=10).get("Messages", [])
                if not batch:
                    break
                for message in batch:
                    event = json.loads(message["Body"])
                    self._write("events.jsonl", event)
                    self.counts[f"event:{event.get('detail-type')}"] += 1
                sqs.delete_message_batch(QueueUrl=tap.queue_url, Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)])

    def _write(self, name: str, row: dict[str, Any]) -> None:
        handle = self._files[name]
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()

    # ------------------------------------------------------------------ final state
    def write_reviews(self, aws: LocalStack, policy, days: list[date]) -> list:
        from clinic_reviews import compose
        from clinic_reviews.events import review_detail
        from clinic_reviews.settings import get_settings

        repository = compose.Table(get_settings()).reviews
        records = []
        with paused():
            for day in days:
                records.extend(repository.by_day(policy.chain.id, day))
        with (self.out / "reviews.jsonl").open("w", encoding="utf-8") as handle:
            for record in records:
                row = review_detail(record)
                row.update(
                    text=repository.full_text(record) if record.text_s3_key else record.review.text,
                    text_s3_key=record.text_s3_key,
                    local_day=record.local_day.isoformat(),
                    escalation=record.escalation,
                    tiers_fired=sorted(record.tiers_fired),
                    due_at=iso_z_or_none(record.due_at),
                    staff=list(record.classification.staff),
                    text_sentiment=record.classification.text_sentiment,
                )
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.records = records
        return records

    def write_escalations(self, aws: LocalStack, records: list) -> None:
        """For each escalated review: its ladder, which tiers fired and when, and the workflow's cost."""
        from clinic_reviews import compose
        from clinic_reviews.settings import get_settings

        repository = compose.Table(get_settings()).reviews
        executions = {e["name"]: e for e in aws.executions()}
        rows = []
        with paused():
            for record in records:
                if not record.escalation or record.escalation not in executions:
                    continue
                execution = executions[record.escalation]
                history = aws.execution_history(execution["executionArn"])
                started = json.loads(history[0]["executionStartedEventDetails"]["input"])
                fired = {
                    item.event.split(":", 1)[1]: item.at
                    for item in repository.history(record.key)
                    if item.event.startswith("notified:")
                }
                clinic = self.policy.clinic(record.review.clinic_id)
                rows.append(
                    {
                        "clinic_id": record.review.clinic_id,
                        "source": record.review.source,
                        "external_id": record.review.external_id,
                        "execution": record.escalation,
                        "status": execution["status"],
                        "review_status": record.status,
                        "answered_at": iso_z_or_none(record.answered_at),
                        "transitions": sum(1 for e in history if e["type"].endswith("StateEntered")),
                        "ladder": [
                            {
                                "tier": tier["id"],
                                "due": tier["due"],
                                "due_local": _local(tier["due"], clinic.timezone),
                                "send_at": tier["send_at"],
                                "fired_at": fired.get(tier["id"]),
                            }
                            for tier in started["tiers"]
                        ],
                    }
                )
        path = self.out / "escalations.jsonl"
        if self.resumed and path.is_file():  # workflows of earlier runs ended with their process: keep their rows
            known = {row["execution"] for row in rows}
            earlier = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            rows = [row for row in earlier if row["execution"] not in known] + rows
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.escalations = rows

    def write_digest(self, aws: LocalStack, sent: dict[str, Any]) -> None:
        """The chain's digest as the DigestFunction's run (`sent`: its answer) rendered and archived it, both parts."""
        from clinic_reviews.services.digest import text_archive_key

        html = aws.read_object(sent["archived"], "ArchiveBucket")
        text = aws.read_object(text_archive_key(sent["archived"]), "ArchiveBucket")
        (self.out / "digest.html").write_bytes(html)
        (self.out / "digest.txt").write_bytes(text)

    def write_summary(self, *, input_lines, rejected, intake, digest, calls, window, wall_seconds) -> dict[str, Any]:
        with (self.out / "rejected.jsonl").open("w", encoding="utf-8") as handle:
            for row in rejected:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        for handle in self._files.values():
            handle.close()
        records = self.records
        transitions = [row["transitions"] for row in self.escalations]
        stored = len(records)
        summary = {
            "run": "resumed (re-fetch of the same input)" if self.resumed else "first run (timeline replay)",
            "window": {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in window.items()},
            "input_lines": input_lines,
            "rejected_lines": len(rejected),
            "intake": {k: v for k, v in intake.items() if k != "rejected"},
            "stored_reviews": stored,
            "by_sentiment": dict(Counter(r.classification.sentiment for r in records)),
            "by_source": dict(Counter(r.review.source for r in records)),
            "by_clinic": dict(Counter(r.review.clinic_id for r in records)),
            "by_status": dict(Counter(r.status for r in records)),
            "backfill": sum(1 for r in records if r.backfill),
            "escalated_reviews": len(self.escalations),
            "tiers_fired": sum(1 for row in self.escalations for tier in row["ladder"] if tier["fired_at"]),
            "state_transitions": {
                "total": sum(transitions),
                "per_escalated_review": round(sum(transitions) / len(transitions), 2) if transitions else 0,
            },
            "sent_this_run": {"sms": self.counts["sms"], "emails": self.counts["emails"]},
            "events_this_run": {k.split(":", 1)[1]: v for k, v in sorted(self.counts.items()) if k.startswith("event:")},
            "digest": digest,
            "aws_api_calls": {
                "total": sum(calls.values()),
                "per_delivered_review": round(sum(calls.values()) / max(intake.get("deliveries", 0), 1), 2),
                "by_operation": dict(sorted(calls.items())),
            },
            "wall_seconds": wall_seconds,
        }
        (self.out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        return summary


def _local(z: str, tz: str) -> str:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(z.replace("Z", "+00:00")).astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")
