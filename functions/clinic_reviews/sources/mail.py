"""A raw e-mail, as an SES receipt rule writes it to S3, read into what the intake needs (docs/sources.md).

SES prepends its own headers to the message it stores (`Return-Path`, its `Received` line "... by
inbound-smtp.<region>.amazonaws.com ... for <recipient>;", `X-SES-Spam-Verdict`, `X-SES-Virus-Verdict`,
`Received-SPF`, `Authentication-Results: amazonses.com; spf=...; dkim=...; dmarc=...`, `X-SES-RECEIPT`).
Only the FIRST occurrence of each is read: a sender can put look-alike headers into its own message, but
those come after the ones SES prepended. The rule has scanning on, so SES always adds them.

The text is the `text/plain` body when there is one, else the `text/html` body reduced to its text (tags,
scripts and styles dropped, entities decoded); attachments are never read. Every charset Python knows is
decoded (KOI8-R, windows-1251, ...), an unknown one as UTF-8 with replacement characters. Pure code.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from clinic_reviews.domain.safe_text import printable

#: The longest mail read at all (SES stores up to 40 MB; a patient's letter is a few KB, attachments aside).
MAX_MAIL_BYTES = 10 * 1024 * 1024
#: The longest text kept from a mail (the review's text; the rest is cut with a mark), subject and name.
MAX_TEXT_CHARS = 20_000
MAX_SUBJECT_CHARS = 500
MAX_NAME_CHARS = 200
MAX_ADDRESS_CHARS = 320
_VERDICT = re.compile(r"\b(spf|dkim|dmarc)=([a-z]+)", re.IGNORECASE)
_FOR = re.compile(r"\bfor\s+<?([^\s<>;]+@[^\s<>;]+)>?\s*;", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")
_SPACES = re.compile(r"[ \t\u00a0]+")


class UnreadableMail(ValueError):
    """The bytes are not a mail this reader can take (the message says why, never the content)."""


@dataclass(frozen=True)
class Verdicts:
    """What SES found: spam and virus scans, SPF, DKIM and DMARC (lower case; "missing" when absent)."""

    spam: str
    virus: str
    spf: str
    dkim: str
    dmarc: str

    @property
    def clean(self) -> bool:
        """Neither spam nor a virus by SES's scans (a scan that could not run is not a finding)."""
        return self.spam != "fail" and self.virus != "fail"

    @property
    def authenticated(self) -> bool:
        """The From domain is vouched for: DMARC passed (SPF or DKIM aligned with the From domain)."""
        return self.dmarc == "pass"

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class InboundMail:
    message_id: str
    sender: str | None  # the From address, lower case
    sender_name: str | None
    recipients: tuple[str, ...]  # SES's envelope recipient first, then To and Cc, lower case
    subject: str
    text: str
    sent_at: datetime | None
    verdicts: Verdicts

    @property
    def external_id(self) -> str:
        """The review's id: a hash of the Message-ID, so a mail delivered twice is one review."""
        return "mail-" + hashlib.sha256(self.message_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def review_text(self) -> str:
        """What the classifier and the staff read: the subject, then the body."""
        return "\n".join(part for part in (self.subject, self.text) if part)


def read_mail(raw: bytes) -> InboundMail:
    """The mail in `raw`; UnreadableMail when it is too large or has no text at all."""
    if len(raw) > MAX_MAIL_BYTES:
        raise UnreadableMail(f"mail larger than {MAX_MAIL_BYTES // 2**20} MB")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise UnreadableMail("not an e-mail (no headers)")
    sender_name, sender = _sender(message)
    subject = _clean(_header(message, "subject"))[:MAX_SUBJECT_CHARS]
    text = _body(message)
    if not subject and not text:
        raise UnreadableMail("the mail has neither a subject nor a text")
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS].rstrip() + " …"
    message_id = _header(message, "message-id").strip() or _fingerprint(message, sender, subject, text)
    return InboundMail(
        message_id=message_id,
        sender=sender,
        sender_name=sender_name,
        recipients=_recipients(message),
        subject=subject,
        text=text,
        sent_at=_date(message),
        verdicts=_verdicts(message),
    )


def _fingerprint(message: EmailMessage, sender: str | None, subject: str, text: str) -> str:
    """A stand-in Message-ID from what the sender wrote (not SES's headers, which differ per delivery)."""
    parts = (sender or "", _header(message, "date"), subject, text)
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


def created_at(mail: InboundMail, received: datetime) -> datetime:
    """When the patient wrote: the mail's own Date when it is plausible (not after receipt, not a month
    before it), else the moment of receipt."""
    sent = mail.sent_at
    if sent is None or sent > received + timedelta(minutes=5) or sent < received - timedelta(days=30):
        return received
    return sent


# ------------------------------------------------------------------ headers
def _header(message: EmailMessage, name: str) -> str:
    """The first occurrence of a header as text ("" when absent or undecodable)."""
    try:
        value = message.get(name)
    except (ValueError, LookupError, TypeError, IndexError):
        return ""
    return "" if value is None else str(value)


def _raw_first(message: EmailMessage, name: str) -> str:
    """The first occurrence of a header's raw value (SES's own, prepended above the sender's)."""
    for key, value in message.raw_items():
        if key.lower() == name:
            return str(value)
    return ""


def _sender(message: EmailMessage) -> tuple[str | None, str | None]:
    name, address = parseaddr(_raw_first(message, "from"))
    address = _clean(address).lower()
    if "@" not in address or len(address) > MAX_ADDRESS_CHARS or " " in address:
        return None, None
    display = _clean(_header(message, "from"))
    decoded = parseaddr(display)[0] if display else name
    return (_clean(decoded)[:MAX_NAME_CHARS] or None), address


def _recipients(message: EmailMessage) -> tuple[str, ...]:
    found: list[str] = []
    envelope = _FOR.search(_raw_first(message, "received"))
    if envelope:
        found.append(envelope.group(1))
    for name in ("to", "cc", "delivered-to"):
        values = [str(v) for k, v in message.raw_items() if k.lower() == name]
        found += [address for _, address in getaddresses(values) if "@" in address]
    seen: dict[str, None] = {}
    for address in found:
        seen.setdefault(address.strip().lower(), None)
    return tuple(seen)


def _date(message: EmailMessage) -> datetime | None:
    try:
        header = message.get("date")
        moment = getattr(header, "datetime", None)
    except (ValueError, LookupError, TypeError, IndexError, OverflowError):
        return None
    return moment if isinstance(moment, datetime) and moment.tzinfo is not None else None


def _verdicts(message: EmailMessage) -> Verdicts:
    results = _raw_first(message, "authentication-results")
    found: dict[str, str] = {}
    if results.strip().lower().startswith("amazonses.com"):
        for method, value in _VERDICT.findall(results):
            found.setdefault(method.lower(), value.lower())

    def scan(name: str) -> str:
        return _raw_first(message, name).strip().lower() or "missing"

    return Verdicts(
        spam=scan("x-ses-spam-verdict"),
        virus=scan("x-ses-virus-verdict"),
        spf=found.get("spf", "missing"),
        dkim=found.get("dkim", "missing"),
        dmarc=found.get("dmarc", "missing"),
    )


# ------------------------------------------------------------------ body
def _body(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, ValueError, LookupError, TypeError):
        part = None
    if part is None:
        return ""
    text = _decoded(part)
    if part.get_content_subtype() == "html":
        text = html_to_text(text)
    return _clean(text)


def _decoded(part: EmailMessage) -> str:
    """A text part's content in its declared charset (unknown charsets: UTF-8 with replacements)."""
    try:
        content = part.get_content()
        if isinstance(content, str):
            return content
    except (LookupError, ValueError, UnicodeError, KeyError, TypeError):
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _clean(text: str) -> str:
    """Printable text (undecodable header bytes become U+FFFD, controls go), lines trimmed, runs of spaces
    and of blank lines collapsed."""
    lines = [_SPACES.sub(" ", line).strip() for line in printable(text).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


class _TextOfHtml(HTMLParser):
    _SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})
    _BREAK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML body: tags, scripts and styles dropped, entities decoded."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return _clean("".join(parser.parts))
