"""Acknowledgement page behind a Lambda Function URL: GET shows the review, POST marks it answered.

GET never changes anything (messengers and mail scanners prefetch links); the POST from the page's
button does. Unknown or expired links get the same plain page as malformed ones.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.domain.privacy import excerpt
from clinic_reviews.handlers.request_limits import ACK_BYTES, limit_request_size
from clinic_reviews.http_errors import guarded
from clinic_reviews.http_routes import Response, Router
from clinic_reviews.notify.rendering import render
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.services.ack import AckView, LinkNotFound
from clinic_reviews.settings import get_settings, requires

HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}
app = Router("ack page", HEADERS)


def _page(view: AckView | None, status: int = 200) -> Response:
    if view is None:
        body = render("ack.html.j2", lang="ru", error=True, view=None, excerpt="")
    else:
        review = view.record.review
        body = render("ack.html.j2", lang=view.lang, error=False, view=view, excerpt=excerpt(review.text, 600, review.author))
    return Response(status, body, headers=HEADERS)


@app.get("/a/<link_id>")
def show(link_id: str) -> Response:
    try:
        return _page(services().view(link_id))
    except LinkNotFound as exc:
        logger.info("ack link refused", extra={"reason": str(exc)})
        return _page(None, 404)


@app.post("/a/<link_id>")
def acknowledge(link_id: str) -> Response:
    try:
        view = services().acknowledge(link_id)
    except LinkNotFound as exc:
        logger.info("ack link refused", extra={"reason": str(exc)})
        return _page(None, 404)
    if view.just_acknowledged:
        metrics.add_metric(name="AcknowledgedByLink", unit="Count", value=1)
    return _page(view)


@container.cached
def services():
    """Acknowledgement links: the table (links, reviews, policies); review.answered leaves with the write."""
    from clinic_reviews.services.ack import AckService

    settings = get_settings()
    table = compose.Table(settings)
    return AckService(table.links, table.reviews, table.policies, clock.now)


@limit_request_size(ACK_BYTES)
@requires("TABLE_NAME")
@guarded("ack page")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
