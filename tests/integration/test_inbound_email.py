"""Inbound e-mail through the deployed stack: SES's active receipt rule stores the mail under inbound-mail/ (its
bucket policy letting SES write), the bucket's notification invokes InboundEmailFunction, and the mail becomes an
unrated review of source `email`: classified, escalated when negative, its sender kept as contact data (TTL),
never in the review or in the logs. Real-shaped mails: Outlook multipart/alternative in windows-1251 and
quoted-printable with a PDF attached; an HTML-only KOI8-R mail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clinic_reviews_local.api_calls import paused
from clinic_reviews_local.mail import MailRefused, Verdicts

from .test_fetch_pipeline import stored
from .test_intake_flow import _tap

pytestmark = pytest.mark.integration

MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
CARE = "care@mail.zdorovie.example.org"


def _contact(aws, clinic_id: str, external_id: str) -> dict | None:
    with paused():
        item = aws.client("dynamodb").get_item(
            TableName=aws.outputs["TableName"],
            Key={"pk": {"S": f"CONTACT#{clinic_id}#email#{external_id}"}, "sk": {"S": "CONTACT"}},
        ).get("Item")
    return None if item is None else {k: next(iter(v.values())) for k, v in item.items()}


def _objects(aws, bucket: str, prefix: str) -> list[str]:
    with paused():
        listing = aws.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for o in listing.get("Contents", [])]


def test_a_complaint_mailed_to_client_service_is_stored_classified_escalated_and_its_sender_kept_apart(aws, caplog):
    from clinic_reviews import observability

    observability.logger.setLevel("DEBUG")
    try:
        [key] = aws.receive_email((MAIL / "outlook_cp1251_complaint.eml").read_bytes(), [CARE])
    finally:
        observability.logger.setLevel("INFO")
    assert key.startswith("inbound-mail/") and aws.lambdas.errors == []
    (record,) = stored(aws, "msk-arbat", "email")  # care@ is the chain's mailbox: the default clinic
    assert record["text"].startswith("Жалоба на администратора\nЗдравствуйте!")
    assert "receipt.pdf" not in record["text"] and "%PDF" not in record["text"]  # the attachment is not read
    assert record["sentiment"] == "negative" and "rating" not in record
    assert {"S": "waiting"} in record["topics"] and {"S": "front_desk"} in record["topics"]
    assert record["created_at"] == "2026-12-07T06:41:12Z"  # the mail's own Date (09:41 in Moscow)
    document = json.dumps(record, ensure_ascii=False)
    assert "maria.ivanova" not in document and "Мария Иванова" not in document and "author" not in record
    assert [phone for phone, _ in aws.sent_sms()] == ["+79000000001"]  # the review manager, at once

    contact = _contact(aws, "msk-arbat", record["external_id"])
    assert contact["address"] == "maria.ivanova@mail.example" and contact["name"] == "Мария Иванова"
    assert contact["verified"] is True
    assert int(contact["expires_at"]) == int(aws.clock.now().timestamp()) + 90 * 86400  # policy keep_sender_for

    logs = "\n".join(json.dumps(r.__dict__, default=str, ensure_ascii=False) for r in caplog.records)
    assert '"outcome": "stored"' in logs  # the function did log, at DEBUG, with its extras
    assert "maria.ivanova" not in logs and "Мария" not in logs and "нагрубила" not in logs

    again = aws.receive_email((MAIL / "outlook_cp1251_complaint.eml").read_bytes(), [CARE])  # SES delivers twice
    assert again != [key] and len(stored(aws, "msk-arbat", "email")) == 1  # one review per Message-ID
    assert len(aws.sent_sms()) == 1 and aws.lambdas.errors == []


def test_a_clinic_mailbox_an_unverified_sender_and_spam(aws):
    thanks = (MAIL / "koi8r_html_thanks.eml").read_bytes()
    aws.receive_email(thanks, ["vvo@mail.zdorovie.example.org"], Verdicts(dmarc="fail", dkim="none"))
    (record,) = stored(aws, "vvo-svetlanskaya", "email")  # the Vladivostok clinic's own mailbox
    assert record["sentiment"] == "positive" and "alert(1)" not in record["text"]
    assert record["text"] == "Благодарность\nДобрый день!\n\nОгромное спасибо доктору Ким за внимательный приём, " \
        "всё объяснила «по полочкам».\n\nАнна"
    contact = _contact(aws, "vvo-svetlanskaya", record["external_id"])
    assert contact["address"] == "anna.k@mail.example" and contact["verified"] is False  # marked, not trusted

    spam = thanks.replace(b"CAF=k8Qx1y2z3", b"spam-1")
    aws.receive_email(spam, ["ekb@mail.zdorovie.example.org"], Verdicts(spam="FAIL"))
    assert stored(aws, "ekb-center", "email") == [] and aws.lambdas.errors == []
    with pytest.raises(MailRefused):  # not the stack's domain: no rule takes it, SES refuses it
        aws.receive_email(thanks, ["someone@elsewhere.example"])


def test_a_poison_mail_is_put_aside_and_the_next_one_is_stored(aws):
    from clinic_reviews.handlers import inbound_email

    class Bug(TypeError):
        """A defect met by one mail only (a stand-in for a parser or store bug)."""

    class FailsOnce:
        def __init__(self, real):
            self.real, self.failed = real, False

        def ingest(self, items):
            if not self.failed:
                self.failed = True
                raise Bug("unexpected")
            return self.real.ingest(items)

    with aws.in_function("InboundEmailFunction"):
        service = inbound_email.services()  # this function's own, built in its container
        service._intake = FailsOnce(service._intake)
    tap = _tap(aws)
    [poison] = aws.receive_email((MAIL / "outlook_cp1251_complaint.eml").read_bytes(), [CARE])
    aws.receive_email((MAIL / "koi8r_html_thanks.eml").read_bytes(), ["vvo@mail.zdorovie.example.org"])
    assert aws.lambdas.errors == []  # neither invocation failed: no retry, no dead letter
    assert len(stored(aws, "vvo-svetlanskaya", "email")) == 1  # the next mail went on
    assert stored(aws, "msk-arbat", "email") == []
    [aside] = _objects(aws, aws.outputs["ArchiveBucketName"], "quarantine/")
    with paused():
        raw = json.loads(aws.client("s3").get_object(Bucket=aws.outputs["ArchiveBucketName"], Key=aside)["Body"].read())
    assert raw["object_key"] == poison and raw["source"] == "email"  # where the raw mail is, to replay it
    events = [e for e in tap() if e["detail-type"] == "review.quarantined"]
    assert len(events) == 1 and "maria" not in json.dumps(events[0])
