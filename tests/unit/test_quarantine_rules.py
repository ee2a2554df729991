"""Which storing errors are poison (put aside) and which are transient (retried): store/quarantine.is_transient."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from clinic_reviews.store.quarantine import is_transient
from clinic_reviews.store.reviews import Conflict
from pynamodb.exceptions import PutError


def _client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutItem")


def _wrapped(cause: Exception) -> PutError:
    try:
        raise PutError("Failed to put item", cause) from cause
    except PutError as exc:
        return exc


@pytest.mark.parametrize(("error", "transient"), [
    (_client_error("ProvisionedThroughputExceededException", 400), True),
    (_client_error("ThrottlingException", 400), True),
    (_client_error("InternalServerError", 500), True),
    (_client_error("ValidationException", 400), False),  # e.g. the item is over 400 KB: poison
    (_wrapped(_client_error("ValidationException", 400)), False),
    (_wrapped(_client_error("ThrottlingException", 400)), True),
    (ReadTimeoutError(endpoint_url="https://dynamodb"), True),
    (Conflict("lost the race"), True),
    (KeyError("a bug"), False),
    (ValueError("a bug"), False),
])
def test_transient_or_poison(error, transient):
    assert is_transient(error) is transient
