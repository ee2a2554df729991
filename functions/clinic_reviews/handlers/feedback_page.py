"""The post-visit landing page behind a Lambda Function URL (services/feedback.py, docs/feedback.md).

    GET  /f/<token>           the question, or the answer given (GET never changes anything)
    POST /f/<token>           stars and an optional comment, once; then 303 to the GET
    POST /f/<token>/director  an unhappy patient's message to the director and/or a call-back request
    GET  /f/<token>/optout    asks for confirmation;  POST: no more requests to this number
    POST /f/<token>/seen      the page's script: shown in a real browser (204)
    POST /f/<token>/click     the page's script: a public review link was clicked (204)

A tampered or unknown link gets the "does not work" page (404), an expired one a polite page (410).
"""

from __future__ import annotations

from functools import cache

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews import http_input as request
from clinic_reviews.clients import secret_bytes
from clinic_reviews.handlers.request_limits import FEEDBACK_BYTES, limit_request_size
from clinic_reviews.http_errors import guarded
from clinic_reviews.http_routes import TEXT_PLAIN, Response, Router
from clinic_reviews.notify.feedback_page import HEADERS, render_page
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.services.feedback import LinkExpired, LinkInvalid
from clinic_reviews.settings import get_settings, requires

app = Router("feedback page", HEADERS)


def _html(body: str, status: int = 200) -> Response:
    return Response(status, body, headers=HEADERS)


def _lang(form: dict[str, str] | None = None) -> str | None:
    params = app.request.query_string_parameters
    value = (form or {}).get("lang") or params.get("lang")
    return value if value in ("ru", "en") else None


def _form() -> dict[str, str]:
    return request.form(app.request.raw_event, FEEDBACK_BYTES)


def _base(token: str) -> str:
    return f"/f/{token}"


def _refused(exc: Exception, lang: str | None) -> Response:
    if isinstance(exc, LinkExpired):
        logger.info("feedback link expired")
        return _html(render_page("expired", lang or "ru"), 410)
    logger.info("feedback link refused", extra={"reason": str(exc)})
    return _html(render_page("invalid", lang or "ru"), 404)


def _show(token: str, lang: str | None, error: str | None = None, status: int = 200) -> Response:
    try:
        view = services().view(token, lang, error)
    except LinkInvalid as exc:
        return _refused(exc, lang)
    if view.state == "expired":
        return _html(render_page("expired", view.lang, view=view), 410)
    return _html(render_page("main", view.lang, _base(token), view, error, chosen=lang is not None), status)


def _after_post(token: str, lang: str | None, error: str | None) -> Response:
    """Post/Redirect/Get: a reload never submits twice; a form error is shown at once (422)."""
    if error:
        return _show(token, lang, error, 422)
    location = _base(token) + (f"?lang={lang}" if lang else "")
    return Response(303, "", TEXT_PLAIN, {**HEADERS, "Location": location})


@app.get("/f/<token>")
def show(token: str) -> Response:
    return _show(token, _lang())


@app.post("/f/<token>")
def rate(token: str) -> Response:
    form = _form()
    lang = _lang(form)
    try:
        error = services().rate(token, form.get("rating"), form.get("comment"))
    except (LinkInvalid, LinkExpired) as exc:
        return _refused(exc, lang)
    if not error:
        metrics.add_metric(name="FeedbackRated", unit="Count", value=1)
    return _after_post(token, lang, error)


@app.post("/f/<token>/director")
def director(token: str) -> Response:
    form = _form()
    lang = _lang(form)
    try:
        error = services().tell_director(token, form.get("message"), form.get("callback"))
    except (LinkInvalid, LinkExpired) as exc:
        return _refused(exc, lang)
    return _after_post(token, lang, error)


@app.get("/f/<token>/optout")
def optout_page(token: str) -> Response:
    lang = _lang()
    try:
        view = services().view(token, lang)
    except LinkInvalid as exc:
        return _refused(exc, lang)
    return _html(render_page("optout", view.lang, _base(token), view, chosen=lang is not None))


@app.post("/f/<token>/optout")
def optout(token: str) -> Response:
    form = _form()
    lang = _lang(form)
    try:
        services().opt_out(token)
    except LinkInvalid as exc:
        return _refused(exc, lang)
    view = services().view(token, lang)
    return _html(render_page("optout", view.lang, _base(token), view, chosen=lang is not None))


@app.post("/f/<token>/seen")
def seen(token: str) -> Response:
    try:
        services().seen(token)
    except (LinkInvalid, LinkExpired):
        pass
    return Response(204, "", TEXT_PLAIN, HEADERS)


@app.post("/f/<token>/click")
def click(token: str) -> Response:
    try:
        services().click(token, _form().get("source", ""))
    except (LinkInvalid, LinkExpired):
        pass
    return Response(204, "", TEXT_PLAIN, HEADERS)


@container.cached
def services():
    """The patient's feedback page: the table (requests, policies), the link secret; a complaint goes to intake
    (the bus, the escalation state machine)."""
    from clinic_reviews.services.feedback import FeedbackPage

    settings = get_settings()
    table = compose.Table(settings)

    @cache
    def intake():
        return compose.intake(settings, table)

    return FeedbackPage(table.feedback, table.policies, intake, lambda: secret_bytes("link_secret_name"), clock.now)


@limit_request_size(FEEDBACK_BYTES)
@requires("TABLE_NAME", "BUS_NAME", "ESCALATION_STATE_MACHINE_ARN", "LINK_SECRET_NAME")
@guarded("feedback page")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
