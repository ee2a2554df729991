"""Logger, Metrics and Tracer: set up once, imported by every handler.

Logs never carry review texts, authors or phone numbers: handlers log keys, counts and reasons.
"""

import logging
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "clinic-reviews"
NAMESPACE = "ClinicReviews"

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
# Page views and API reads record no metric on purpose; Powertools would warn on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
tracer = Tracer(service=SERVICE)

#: Libraries that log request lines, headers or bodies at INFO/DEBUG: httpx logs every request's URL (a bot
#: token in a Telegram URL, a key in a 2GIS query string), botocore and pynamodb log whole requests and
#: responses (a GetSecretValue answer, a review's author). They log nothing below WARNING, whatever the root
#: level (tests/integration/test_logs.py runs the demo at DEBUG and looks for secrets and personal data).
QUIET_LIBRARIES = ("httpx", "httpcore", "hpack", "urllib3", "requests", "botocore", "boto3", "s3transfer", "pynamodb")
for _name in QUIET_LIBRARIES:
    logging.getLogger(_name).setLevel(logging.WARNING)
