"""The two inbound channels that are not HTTP, fed anything (hypothesis): an SMS reply as SNS delivers it
(any text, any JSON, nested deeply) and a raw e-mail as SES stores it (any bytes, and headers of any text
around a real body). Neither may raise: an SMS is a known outcome, a mail is read or refused as unreadable,
and what is read carries no control character into the text staff and the classifier see."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime

from clinic_reviews.services.feedback import InboundSms
from clinic_reviews.sources.mail import UnreadableMail, read_mail
from hypothesis import given, settings
from hypothesis import strategies as st

from .. import strategies

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SETTINGS = settings(max_examples=150, deadline=None)
OUTCOMES = {"opted_out", "already", "ignored", "unreadable"}
any_text = strategies.any_text(max_size=40)


class _Requests:
    """The feedback repository's part an SMS reply touches, in memory."""

    def __init__(self) -> None:
        self.opted: set[str] = set()

    def opt_out(self, hashed: str, at: datetime, via: str) -> bool:
        fresh = hashed not in self.opted
        self.opted.add(hashed)
        return fresh

    def last_asked(self, hashed: str, now: datetime):
        return None

    def get(self, ref: str):
        return None


sms_messages = st.one_of(
    any_text,
    strategies.json_values(any_text).map(json.dumps),
    st.builds(lambda body, number: json.dumps({"messageBody": body, "originationNumber": number}),
              st.sampled_from(["STOP", "стоп", "Спасибо"]) | any_text, st.sampled_from(["+79161234567", ""]) | any_text),
    st.integers(1, 5_000).map(lambda depth: "[" * depth + "]" * depth),
    st.just('{"messageBody": "STOP", "originationNumber": "+79161234567"' + "\ud800" + "}"),
)


@SETTINGS
@given(message=sms_messages)
def test_an_sms_reply_of_any_text_is_an_outcome(message):
    assert InboundSms(_Requests(), lambda: b"salt", lambda: NOW).receive(message) in OUTCOMES


def _controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in {"Cc", "Cs"} and c not in "\n\t"}


header_lines = st.lists(
    st.tuples(st.sampled_from(["From", "Subject", "Message-ID", "Date", "To", "Content-Type", "X-Odd"]), any_text),
    max_size=5,
).map(lambda pairs: "".join(f"{name}: {value}\r\n" for name, value in pairs).encode("utf-8", "surrogatepass"))
mails = st.one_of(
    st.binary(max_size=2_000),
    st.builds(lambda headers, body: headers + b"\r\n" + body, header_lines, st.binary(max_size=500)),
    st.builds(lambda headers, text: headers + b"Subject: x\r\n\r\n" + text.encode("utf-8", "surrogatepass"),
              header_lines, any_text),
)


@SETTINGS
@given(raw=mails)
def test_a_mail_of_any_bytes_is_read_or_refused(raw):
    try:
        mail = read_mail(raw)
    except UnreadableMail as refused:
        assert str(refused)
        return
    assert mail.message_id
    assert not _controls(mail.review_text()), sorted(map(ord, _controls(mail.review_text())))
