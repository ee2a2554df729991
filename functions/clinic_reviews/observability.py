"""Logger, Metrics and Tracer: set up once, imported by every handler.

Logs never carry review texts, authors or phone numbers: handlers log keys, counts and reasons.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "clinic-reviews"
NAMESPACE = "ClinicReviews"

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
tracer = Tracer(service=SERVICE)
