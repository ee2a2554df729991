"""Reading a raw e-mail as SES stores it (sources/mail.py) and the policy's mailbox mapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clinic_reviews.domain.policy import PolicyError, load_policy
from clinic_reviews.sources.mail import UnreadableMail, created_at, html_to_text, read_mail

MAIL = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
SES = (
    "Return-Path: <maria@mail.example>\r\n"
    "Received: from mx.mail.example (mx.mail.example [203.0.113.25])\r\n by inbound-smtp.eu-west-1.amazonaws.com"
    " with SMTP id abc\r\n for ekb@mail.zdorovie.example.org;\r\n Mon, 07 Dec 2026 07:00:00 +0000\r\n"
    "X-SES-Spam-Verdict: {spam}\r\nX-SES-Virus-Verdict: PASS\r\n"
    "Authentication-Results: amazonses.com;\r\n spf=pass client-ip=203.0.113.25;\r\n dkim={dkim} header.i=@mail.example;"
    "\r\n dmarc={dmarc} header.from=mail.example;\r\nX-SES-RECEIPT: AEFBQUFB\r\n"
)


def _stored(raw: bytes, spam: str = "PASS", dkim: str = "pass", dmarc: str = "pass") -> bytes:
    return SES.format(spam=spam, dkim=dkim, dmarc=dmarc).encode() + raw


def test_the_verdicts_are_the_ones_ses_prepended_not_the_senders_look_alikes():
    forged = (
        b"Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass\r\n"
        b"X-SES-Spam-Verdict: PASS\r\n" + (MAIL / "koi8r_html_thanks.eml").read_bytes()
    )
    mail = read_mail(_stored(forged, spam="FAIL", dkim="fail", dmarc="fail"))
    assert (mail.verdicts.spam, mail.verdicts.dkim, mail.verdicts.dmarc) == ("fail", "fail", "fail")
    assert not mail.verdicts.clean and not mail.verdicts.authenticated
    alone = read_mail(forged)  # without SES's block the sender's own header would be read: SES always adds one
    assert alone.verdicts.dmarc == "pass"


def test_the_envelope_recipient_comes_first_then_to_and_cc():
    mail = read_mail(_stored((MAIL / "outlook_cp1251_complaint.eml").read_bytes()))
    assert mail.recipients == ("ekb@mail.zdorovie.example.org", "care@mail.zdorovie.example.org")
    assert mail.sender == "maria.ivanova@mail.example" and mail.sender_name == "Мария Иванова"
    assert mail.external_id.startswith("mail-") and len(mail.external_id) == 37


def test_html_is_reduced_to_its_visible_text():
    html = "<style>p{x:1}</style><p>Врач&nbsp;не&nbsp;пришёл</p><script>alert(1)</script><ul><li>a &amp; b</li></ul>"
    assert html_to_text(html) == "Врач не пришёл\n\na & b"


def test_an_unknown_charset_is_read_as_utf8_and_an_empty_mail_is_refused():
    raw = "From: a@b.example\r\nSubject: x\r\nContent-Type: text/plain; charset=bogus-8\r\n\r\nпривет".encode()
    assert read_mail(raw).text == "привет"
    with pytest.raises(UnreadableMail, match="neither a subject nor a text"):
        read_mail(b"From: a@b.example\r\nContent-Type: text/plain\r\n\r\n   \r\n")
    with pytest.raises(UnreadableMail, match="no headers"):
        read_mail(b"")


def test_a_mail_without_message_id_is_identified_by_its_bytes_and_an_odd_date_by_the_receipt():
    raw = b"From: a@b.example\r\nSubject: hello\r\nDate: Mon, 07 Dec 2099 09:00:00 +0300\r\n\r\ntext"
    mail = read_mail(raw)
    assert mail.message_id.startswith("sha256:") and read_mail(_stored(raw)).external_id == mail.external_id
    received = datetime(2026, 12, 7, 7, tzinfo=UTC)
    assert created_at(mail, received) == received  # a Date in the future is not believed
    plausible = read_mail(raw.replace(b"2099", b"2026"))
    assert created_at(plausible, received) == received - timedelta(hours=1)


def test_the_policy_maps_mailboxes_to_known_clinics(policy):
    spec = policy.email
    assert spec.clinic_for(("someone@else.example", "VVO@mail.zdorovie.example.org")) == "vvo-svetlanskaya"
    assert spec.clinic_for(("care@mail.zdorovie.example.org",)) == "msk-arbat"
    data = policy.to_data()
    data["email"] = {"mailboxes": {"x@mail.example": "nowhere"}}
    with pytest.raises(PolicyError, match=r"email.mailboxes\['x@mail.example'\]: unknown clinic 'nowhere'"):
        load_policy(data)


class _Policies:
    def __init__(self, policy):
        self.policy = policy

    def chain(self, chain_id):
        return self.policy


class _Intake:
    def __init__(self):
        self.items = []

    def ingest(self, items):
        from clinic_reviews.services.intake import IntakeReport

        self.items += items
        return IntakeReport(received=len(items), new=len(items))


class _Objects:
    def __init__(self, data: bytes):
        self.data = data

    def get_bytes(self, key):
        return self.data


def _service(policy, intake, contacts):
    from clinic_reviews.services.inbound_mail import InboundMailService

    return InboundMailService("zdorovie", _Policies(policy), intake, contacts, None, lambda: datetime(2026, 12, 7, 7, tzinfo=UTC))


def test_an_unverified_sender_is_refused_when_the_policy_says_reject(policy):
    raw = _stored((MAIL / "koi8r_html_thanks.eml").read_bytes(), dmarc="fail")
    strict = load_policy({**policy.to_data(), "email": {"default_clinic": "msk-arbat", "unverified": "reject"}})
    intake, contacts = _Intake(), type("C", (), {"put": lambda self, key, contact: None})()
    outcome = _service(strict, intake, contacts).receive_object(_Objects(raw), "inbound-mail/m1")
    assert (outcome.outcome, outcome.reason) == ("refused", "sender not verified (dmarc fail)") and intake.items == []
    marked = _service(policy, intake, contacts).receive_object(_Objects(raw), "inbound-mail/m1")
    assert marked.outcome == "stored" and marked.verified is False and marked.clinic_id == "ekb-center"
    assert intake.items[0]["rating"] is None and intake.items[0]["author"] is None and intake.items[0]["source"] == "email"
    silent = load_policy({k: v for k, v in policy.to_data().items() if k != "email"})
    assert _service(silent, intake, contacts).receive_object(_Objects(raw), "inbound-mail/m1").outcome == "refused"
