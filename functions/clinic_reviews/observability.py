"""Logger, Metrics and Tracer: set up once, imported by every handler.

Logs never carry review texts, authors or phone numbers: handlers log keys, counts and reasons.
"""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "clinic-reviews"
NAMESPACE = "ClinicReviews"

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
# Page views and API reads record no metric on purpose; Powertools would warn on every such request.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
tracer = Tracer(service=SERVICE)
