"""Logger, Metrics and Tracer: set up once, imported by every handler.

Logs never carry review texts, authors or phone numbers: handlers log keys, counts and reasons.
Metrics publish counts that are not zero only: CloudWatch bills a custom metric for every hour in which it is
published (docs/cost.md), and a zero says nothing a missing point does not (the alarms treat missing data as
not breaching).
Tracing is the template's `Tracing` parameter (off by default): only with it on does a handler's first call
load the X-Ray SDK (0.3 s of a cold start otherwise), and then it patches botocore alone; the platform
clients' httpx is patched where it is built (sources/http.py).
"""

from __future__ import annotations

import functools
import logging
import os
import warnings

from aws_lambda_powertools import Logger, Metrics

SERVICE = "clinic-reviews"
NAMESPACE = "ClinicReviews"


class _NonZeroMetrics(Metrics):
    def add_metric(self, name, unit, value, *args, **kwargs) -> None:
        if value:
            super().add_metric(name, unit, value, *args, **kwargs)


class _Tracer:
    """Powertools' Tracer, built on the first traced call and only when tracing is on."""

    def __init__(self) -> None:
        self._tracer = None

    @property
    def enabled(self) -> bool:
        return os.environ.get("POWERTOOLS_TRACE_DISABLED", "true").lower() not in ("true", "1")

    def tracer(self):
        if self._tracer is None:
            from aws_lambda_powertools import Tracer

            self._tracer = Tracer(service=SERVICE, patch_modules=("botocore",))
        return self._tracer

    def patch(self, modules: tuple[str, ...]) -> None:
        if self.enabled:
            self.tracer().patch(modules)

    def capture_lambda_handler(self, handler):
        traced = None

        @functools.wraps(handler)
        def run(event, context):
            nonlocal traced
            if traced is None:
                traced = self.tracer().capture_lambda_handler(handler) if self.enabled else handler
            return traced(event, context)

        return run


logger = Logger(service=SERVICE)
metrics = _NonZeroMetrics(service=SERVICE, namespace=NAMESPACE)
# Page views and API reads record no metric on purpose; Powertools would warn on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
tracer = _Tracer()

#: Libraries that log request lines, headers or bodies at INFO/DEBUG: httpx logs every request's URL (a bot
#: token in a Telegram URL, a key in a 2GIS query string), botocore and pynamodb log whole requests and
#: responses (a GetSecretValue answer, a review's author). They log nothing below WARNING, whatever the root
#: level (tests/integration/test_logs.py runs the demo at DEBUG and looks for secrets and personal data).
QUIET_LIBRARIES = ("httpx", "httpcore", "hpack", "urllib3", "requests", "botocore", "boto3", "s3transfer", "pynamodb")
for _name in QUIET_LIBRARIES:
    logging.getLogger(_name).setLevel(logging.WARNING)
