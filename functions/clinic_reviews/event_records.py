"""The records of the S3 and SNS notifications that invoke the import, inbound e-mail and inbound SMS functions.

Read from the event as AWS sends it, the fields these functions use and nothing else. Powertools' data classes
(`S3Event`, `SNSEvent`) read them the same way, but importing one imports every event kind of the package: about
10 ms of CPU, a sixteenth of `import boto3`, at every cold start of those functions (issue 18; compared with
them in tests/unit/test_event_records.py). A missing field raises KeyError, as theirs did.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote_plus


def s3_objects(event: Mapping[str, Any]) -> Iterator[tuple[str, str, int]]:
    """(bucket, key, size) of each record of an S3 event notification; the key URL-decoded (S3 sends `a+b%C3%A9`
    for `a bé`). Intelligent-Tiering events name the object `get_object`, the others `object`."""
    for record in event["Records"]:
        s3 = record["s3"]
        found = s3.get("get_object") or s3["object"]
        yield s3["bucket"]["name"], unquote_plus(found["key"]), int(found["size"])


def sns_messages(event: Mapping[str, Any]) -> Iterator[str]:
    """The message of each record of an SNS notification."""
    for record in event["Records"]:
        yield record["Sns"]["Message"]
