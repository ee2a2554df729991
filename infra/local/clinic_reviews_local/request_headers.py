"""What the local stack's AWS requests carry: SigV4's headers without the signature's arithmetic.

moto checks no signature (the local stack authorizes each call itself from the caller's role: iam.py). From a
request's `Authorization` header moto reads the access key (who calls: the account) and, when the URL names
none, the region; S3 reads `X-Amz-Content-SHA256` to decode a streamed (aws-chunked) body. Signing with
SigV4 (awscrt) and building botocore's user-agent string twice per request were about a fifth of a local
call's client-side CPU (docs/notes.md, issue-18f). Inside `installed()`:

- `v4` and `s3v4` requests get the headers a SigV4 signature writes (`X-Amz-Date`, `X-Amz-Security-Token`,
  `X-Amz-Content-SHA256` for S3, `Authorization` with the credential scope and `SignedHeaders`) and a zero
  signature. Presigned URLs (`v4-query`, `s3v4-query`: links in digests and reports) are signed for real.
- The user agent botocore builds for a request is not rebuilt after the request is created (that rebuild
  only adds feature codes, which nothing local reads).
- The user agent string itself (a dozen components: platform, Python, config, features) is built once per client
  and set of feature codes, not for every request (`remembered_user_agents`): it is a function of the client's
  user-agent settings, which do not change after the client is made, and of those codes.
"""

from __future__ import annotations

import weakref
from contextlib import ExitStack
from datetime import UTC, datetime
from unittest import mock

ZERO_SIGNATURE = "0" * 64
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
_REPLACED = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256")


class LocalSigV4Auth:
    """SigV4's request headers, with a signature of zeros (botocore's signer interface)."""

    REQUIRES_REGION = True
    REQUIRES_TOKEN = False
    REQUIRES_IDENTITY_CACHE = False
    for_s3 = False

    def __init__(self, credentials, service_name, region_name):
        self.credentials = credentials
        self._service_name = service_name
        self._region_name = region_name

    def add_auth(self, request) -> None:
        from botocore.exceptions import NoCredentialsError

        if self.credentials is None:
            raise NoCredentialsError()
        for name in _REPLACED:  # a retried request carries the last attempt's
            if name in request.headers:
                del request.headers[name]
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        request.headers["X-Amz-Date"] = stamp
        signed = ["host", "x-amz-date"]
        if self.credentials.token:
            request.headers["X-Amz-Security-Token"] = self.credentials.token
            signed.append("x-amz-security-token")
        if self.for_s3:
            request.headers["X-Amz-Content-SHA256"] = self._payload(request)
            signed.append("x-amz-content-sha256")
        scope = f"{stamp[:8]}/{self._region_name}/{self._service_name}/aws4_request"
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.credentials.access_key}/{scope}, "
            f"SignedHeaders={';'.join(sorted(signed))}, Signature={ZERO_SIGNATURE}"
        )

    @staticmethod
    def _payload(request) -> str:
        """`X-Amz-Content-SHA256` for S3: the trailer marker of a streamed checksum (moto decodes the aws-chunked
        body by it), else an unsigned payload (as S3 allows over HTTPS)."""
        algorithm = request.context.get("checksum", {}).get("request_algorithm")
        if isinstance(algorithm, dict) and algorithm.get("in") == "trailer":
            return STREAMING_TRAILER
        return UNSIGNED_PAYLOAD


class LocalS3SigV4Auth(LocalSigV4Auth):
    for_s3 = True


def _keep_user_agent(self, operation_name, request, **kwargs) -> None:
    """botocore's `rebuild_and_replace_user_agent_handler`, locally: the request keeps the user agent it got."""


def remembered_user_agents(original):
    """botocore's `UserAgentString.to_string`, kept per user-agent object (one per client) and what it reads."""
    built: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def to_string(self) -> str:
        from botocore.context import get_context

        context = get_context()
        key = (frozenset(self._client_features or ()), frozenset(context.features if context else ()),
               self._session_user_agent_name, self._session_user_agent_version, self._session_user_agent_extra,
               id(self._client_config))
        kept = built.setdefault(self, {})
        if key not in kept:
            kept[key] = original(self)
        return kept[key]

    return to_string


def installed() -> ExitStack:
    """Local signing and user agents until the returned stack is closed."""
    import botocore.auth
    from botocore.useragent import UserAgentString

    patches = ExitStack()
    patches.enter_context(mock.patch.dict(botocore.auth.AUTH_TYPE_MAPS, {"v4": LocalSigV4Auth, "s3v4": LocalS3SigV4Auth}))
    patches.enter_context(mock.patch.object(UserAgentString, "rebuild_and_replace_user_agent_handler", _keep_user_agent))
    patches.enter_context(mock.patch.object(UserAgentString, "to_string", remembered_user_agents(UserAgentString.to_string)))
    return patches
