"""Delivering messages through AWS: SMS by SNS, e-mail by SES (multipart/alternative, UTF-8)."""

from __future__ import annotations

from typing import Any


def mime_message(
    sender: str, recipients: list[str], subject: str, html: str, text: str, images: list[dict] | None = None
) -> bytes:
    """A multipart/alternative message with a plain-text and an HTML part, both UTF-8.

    With `images` (each `{"cid", "filename", "data"}`, data as PNG bytes) the HTML part becomes a
    multipart/related holding the HTML and the images it shows as `cid:` references.
    The subject goes through `email.header.Header`: the modern API's folding of long non-ASCII
    subjects loses the space at a fold (seen with CPython 3.11), this one keeps it.
    """
    # The e-mail package's MIME classes (and its header registry) only when an e-mail is built: a function that
    # sends SMS or nothing in a request does not load them at its start (issue 18e).
    from email.header import Header
    from email.mime.image import MIMEImage
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    message = MIMEMultipart("alternative")
    message["Subject"] = Header(subject, "utf-8")
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message.attach(MIMEText(text, "plain", "utf-8"))
    if images:
        related = MIMEMultipart("related")
        related.attach(MIMEText(html, "html", "utf-8"))
        for image in images:
            part = MIMEImage(image["data"], "png")
            part.add_header("Content-ID", f"<{image['cid']}>")
            part.add_header("Content-Disposition", "inline", filename=image["filename"])
            related.attach(part)
        message.attach(related)
    else:
        message.attach(MIMEText(html, "html", "utf-8"))
    return message.as_bytes()


class Senders:
    """The AWS side of notifications. Callers make delivery idempotent; this only sends (e-mail only with a
    sender address: functions that send SMS alone are not given one)."""

    def __init__(self, sns_client: Any, ses_client: Any, sender_email: str | None):
        self._sns = sns_client
        self._ses = ses_client
        self.sender_email = sender_email

    def sms(self, phone: str, text: str) -> str:
        response = self._sns.publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        return response["MessageId"]

    def email(
        self,
        recipients: list[str],
        subject: str,
        html: str,
        text: str,
        sender_name: str | None = None,
        images: list[dict] | None = None,
    ) -> str:
        from email.utils import formataddr

        if not self.sender_email:
            raise RuntimeError("SENDER_EMAIL is not set in this function's environment: it sends no e-mail")
        sender = formataddr((sender_name, self.sender_email), charset="utf-8") if sender_name else self.sender_email
        raw = mime_message(sender, recipients, subject, html, text, images)
        response = self._ses.send_raw_email(Source=self.sender_email, Destinations=recipients, RawMessage={"Data": raw})
        return response["MessageId"]

