"""SES email receiving, locally: a mail for the stack's domain runs the active receipt rule set's S3 actions.

moto stores receipt rule sets and rules (and checks an S3 action's bucket exists) but receives no mail. This
stand-in does what SES does when a mail arrives (docs/sources.md): it takes the ACTIVE rule set only (the
operator activates it once: `aws ses set-active-receipt-rule-set`), runs each enabled rule whose recipients
match one of the envelope recipients (an address, a domain, or `.domain` for its subdomains), checks that
the bucket policy lets `ses.amazonaws.com` put the object for that rule (aws:SourceAccount, aws:SourceArn),
and stores the mail at `<ObjectKeyPrefix><SES message id>` with SES's headers prepended: its Received line,
and, when the rule scans, the spam and virus verdicts and the SPF/DKIM/DMARC results the caller chooses
(no DNS here). The bucket's notifications then invoke the function as S3 does.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from dataclasses import dataclass
from email.utils import format_datetime, parseaddr
from typing import Any

from clinic_reviews_local.deployer import ACCOUNT
from clinic_reviews_local.iam import Statement

_DELIVERIES = itertools.count(1)


@dataclass(frozen=True)
class Verdicts:
    """What SES's checks say about one mail (PASS, FAIL, GRAY, ...; spf/dkim/dmarc in lower case)."""

    spam: str = "PASS"
    virus: str = "PASS"
    spf: str = "pass"
    dkim: str = "pass"
    dmarc: str = "pass"


class MailRefused(RuntimeError):
    """SES could not store the mail (no active rule set, no matching rule, the bucket policy refuses SES)."""


def recipient_matches(pattern: str, address: str) -> bool:
    """SES's rule recipients: an address, a domain (its addresses), or `.domain` (addresses of its subdomains)."""
    pattern, address = pattern.lower(), address.lower()
    domain = address.rpartition("@")[2]
    if "@" in pattern:
        return pattern == address
    if pattern.startswith("."):
        return domain.endswith(pattern)
    return domain == pattern


def ses_headers(raw: bytes, recipient: str, message_id: str, region: str, moment, verdicts: Verdicts, scan: bool) -> bytes:
    """The headers SES prepends to a stored mail (the shape of a real one; the receipt blobs are placeholders)."""
    from email import message_from_bytes

    sender = parseaddr(str(message_from_bytes(raw).get("from", "")))[1] or "unknown@invalid"
    domain = sender.rpartition("@")[2]
    lines = [
        f"Return-Path: <{sender}>",
        f"Received: from mx.{domain} (mx.{domain} [203.0.113.25])\r\n by inbound-smtp.{region}.amazonaws.com with SMTP id"
        f" {message_id}\r\n for {recipient};\r\n {format_datetime(moment)}",
    ]
    if scan:
        lines += [
            f"X-SES-Spam-Verdict: {verdicts.spam}",
            f"X-SES-Virus-Verdict: {verdicts.virus}",
            f"Received-SPF: {verdicts.spf} (spfCheck: domain of {domain} designates 203.0.113.25 as permitted sender)"
            f" client-ip=203.0.113.25; envelope-from={sender}; helo=mx.{domain};",
            f"Authentication-Results: amazonses.com;\r\n spf={verdicts.spf} (spfCheck: domain of {domain} designates"
            f" 203.0.113.25 as permitted sender) client-ip=203.0.113.25; envelope-from={sender};"
            f" helo=mx.{domain};\r\n dkim={verdicts.dkim} header.i=@{domain};\r\n dmarc={verdicts.dmarc} header.from={domain};",
        ]
    receipt = base64.b64encode(hashlib.sha256(message_id.encode()).digest()).decode()
    lines += [f"X-SES-RECEIPT: {receipt}", "X-SES-DKIM-SIGNATURE: a=rsa-sha256; q=dns/txt; d=amazonses.com; v=1; b=local"]
    return ("\r\n".join(lines) + "\r\n").encode() + raw


def _bucket_allows_ses(s3: Any, bucket: str, key: str, rule_arn: str) -> bool:
    try:
        document = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except s3.exceptions.ClientError:
        return False
    context = {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": rule_arn}
    allowed = False
    for index, raw in enumerate(document.get("Statement", [])):
        principal = (raw.get("Principal") or {}).get("Service")
        if "ses.amazonaws.com" not in ([principal] if isinstance(principal, str) else principal or []):
            continue
        statement = Statement.read(f"{bucket} policy [{index}]", raw)
        if statement.action_matched("s3:PutObject") and statement.covers(f"arn:aws:s3:::{bucket}/{key}", context):
            if statement.effect == "Deny":
                return False
            allowed = True
    return allowed


def deliver(session_client: Any, region: str, raw: bytes, recipients: list[str], moment, verdicts: Verdicts) -> list[str]:
    """Store `raw` as the active rule set's S3 actions do; the keys written. MailRefused when nothing takes it."""
    ses, s3 = session_client("ses"), session_client("s3")
    active = ses.describe_active_receipt_rule_set()
    if "Metadata" not in active:
        raise MailRefused("no active receipt rule set: SES rejects the mail (activate the stack's rule set)")
    rule_set = active["Metadata"]["Name"]
    message_id = hashlib.sha1(raw + str(next(_DELIVERIES)).encode()).hexdigest()
    written = []
    for rule in active.get("Rules", []):
        matched = [r for r in recipients if any(recipient_matches(p, r) for p in rule.get("Recipients", []))]
        if not rule.get("Enabled") or not matched:
            continue
        rule_arn = f"arn:aws:ses:{region}:{ACCOUNT}:receipt-rule-set/{rule_set}:receipt-rule/{rule['Name']}"
        stored = ses_headers(raw, matched[0], message_id, region, moment, verdicts, bool(rule.get("ScanEnabled")))
        for action in rule.get("Actions", []):
            target = action["S3Action"]
            key = target.get("ObjectKeyPrefix", "") + message_id
            if not _bucket_allows_ses(s3, target["BucketName"], key, rule_arn):
                raise MailRefused(f"the policy of bucket {target['BucketName']} does not let SES put {key}")
            s3.put_object(Bucket=target["BucketName"], Key=key, Body=stored)
            written.append(key)
    if not written:
        raise MailRefused(f"no rule of {rule_set} takes mail for {', '.join(recipients)}")
    return written


__all__ = ["MailRefused", "Verdicts", "deliver", "recipient_matches", "ses_headers"]
