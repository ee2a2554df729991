"""The case API and console behind one Lambda Function URL (routed by http_routes.py). docs/cases.md.

- `/api/...`: JSON, `Authorization: Bearer <JWT>` (or the console's cookie); request bodies and parameters are
  checked by console/api.py as the OpenAPI document describes them (console/api_doc.py generates it: served at
  `/openapi.json`, committed as docs/api/openapi.json). Errors are JSON `{"message", "problems"?}` with a 4xx
  status, never a stack trace.
- `/console/...`: the server-rendered pages (Russian and English) on the same service; the token lives in an
  HttpOnly, SameSite=Strict cookie. `/console/login` signs in with a user name and password through the
  stack's Cognito user pool (a new password on first sign-in, a TOTP code if the person turned MFA on, a
  reset by e-mail code), and, where CONSOLE_DEV_PASSWORD is set (a setting of the embedded local stack
  only: template.yaml never sets it), as one of the demo users with one click.

Every write goes through services/cases.py, which records who, when and what in the case's audit log.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any
from urllib.parse import quote, urlsplit

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews import http_input as request
from clinic_reviews.clients import client, secret_bytes
from clinic_reviews.console import api, pages
from clinic_reviews.console.auth import COOKIE, AuthError, User, dev_users, signed_by_pool, verify
from clinic_reviews.console.pool import SignInError, otpauth_uri, verify_pool_token
from clinic_reviews.domain import cases as rules
from clinic_reviews.domain.cases import CaseConflict, CaseError, CaseInvalid, NotAllowed, RootCause
from clinic_reviews.domain.policy import UnknownClinic
from clinic_reviews.domain.safe_text import printable
from clinic_reviews.handlers.request_limits import CASES_BYTES, limit_request_size
from clinic_reviews.http_errors import HttpError, guarded
from clinic_reviews.http_routes import APPLICATION_JSON, TEXT_HTML, Response, Router, json_text
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.services.cases import CaseNotFound, PostFailed, ReplyRejected, check_text
from clinic_reviews.settings import Settings, get_settings, requires

app = Router("cases", pages.HEADERS)
LANG_COOKIE = "cr_lang"
#: The pool's access token: only for the person's own account (MFA set-up, sign-out everywhere), never for the API.
ACCESS_COOKIE = "cr_access"
SESSION_SECONDS = 3600  # the pool's ID tokens live 60 minutes; the console does not refresh them

# ------------------------------------------------------------------------------------------------ composition
class Services:
    """What the cases function touches, each built on first use in a container: the table (cases, reviews,
    policies, replies, script-token generations), the bus, the Cognito user pool and its signing keys, Google
    (replies, with SOURCES_SECRET_NAME); the console's key (CONSOLE_SECRET_NAME) is read where a token is checked."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.table = compose.Table(settings)

    @property
    def policies(self):
        return self.table.policies

    @property
    def script_tokens(self):
        return self.table.script_tokens

    @cached_property
    def cases(self):
        return compose.case_service(self.settings, self.table)

    @cached_property
    def reply_quality(self):
        return compose.reply_quality(self.table)

    @cached_property
    def _cognito(self):
        return client("cognito-idp")

    @cached_property
    def pool(self):
        from clinic_reviews.console.pool import Pool

        settings = self.settings
        return Pool(self._cognito.meta.region_name, settings.require("user_pool_id"), settings.require("user_pool_client_id"))

    @cached_property
    def pool_keys(self):
        """The pool's signing keys, cached for an hour by this warm function."""
        from clinic_reviews.console.pool import PoolKeys

        return PoolKeys(self.pool.jwks_url, compose.get_json)

    @cached_property
    def sign_in(self):
        from clinic_reviews.console.pool import PoolSignIn

        return PoolSignIn(self._cognito, self.pool)

    @cached_property
    def account(self):
        """A signed-in person's own account: TOTP set-up, sign-out everywhere (their access token acts)."""
        from clinic_reviews.console.pool import PoolAccount

        return PoolAccount(self._cognito)


@container.cached
def services() -> Services:
    return Services(get_settings())


# ------------------------------------------------------------------------------------------------ errors
def _json(status: int, body: Any, cookies: list[str] | None = None) -> Response:
    return Response(status, json_text(body), APPLICATION_JSON, pages.HEADERS, cookies)


def _json_error(status: int, message: str, problems: list[Any] | None = None) -> Response:
    return _json(status, HttpError(status, message, problems).body())


@app.exception_handler(api.Invalid)
def _invalid(exc: api.Invalid) -> Response:
    answer = exc.answer()
    return _json_error(answer.status, answer.message, answer.problems)


#: Errors whose messages are written for the user, and the status each answers with (http_routes.py
#: answers anything else: logged with the request id, a generic 500).
PUBLIC_ERRORS: dict[type[Exception], int] = {
    AuthError: 401, NotAllowed: 403, UnknownClinic: 404, CaseConflict: 409, CaseInvalid: 400, PostFailed: 502,
}


def _public(exc: Exception) -> Response:
    status = next(code for kind, code in PUBLIC_ERRORS.items() if isinstance(exc, kind))
    return _json_error(status, printable(str(exc)).strip("'\""))


for _kind in PUBLIC_ERRORS:
    app.exception_handler(_kind)(_public)


@app.exception_handler(CaseNotFound)
def _missing(exc: CaseNotFound) -> Response:
    return _json_error(404, "no such case")


@app.exception_handler(ReplyRejected)
def _rejected(exc: ReplyRejected) -> Response:
    return _json_error(422, str(exc), [p.to_json() for p in exc.verdict.problems])


# ------------------------------------------------------------------------------------------------ auth
def _cookies() -> dict[str, str]:
    cookies = app.request.raw_event.get("cookies")
    raw = [c for c in cookies if isinstance(c, str)] if isinstance(cookies, list) else []
    header = app.request.headers.get("cookie")
    if header:
        raw += header.split(";")
    found = {}
    for part in raw:
        name, _, value = part.strip().partition("=")
        if name:
            found[name] = value
    return found


def _token() -> str | None:
    header = app.request.headers.get("authorization") or ""
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return _cookies().get(COOKIE)


def current_user() -> User:
    """The person (a user pool ID token) or script (a script token) behind the request."""
    token = _token()
    if not token:
        raise AuthError("sign in first: send Authorization: Bearer <token>")
    chain = get_settings().require("chain_id")
    if signed_by_pool(token):
        return verify_pool_token(token, services().pool, services().pool_keys, chain)
    user = verify(token, secret_bytes("console_secret_name"), clock.now(), services().script_tokens.current(chain))
    if user.chain_id != chain:
        raise AuthError("the token is for another chain")
    return user


def _body(model: str) -> dict[str, Any]:
    """The JSON body read as `model` (console/api.py): 415 for another content type, 422 naming each bad field."""
    event = app.request.raw_event
    content_type = app.request.headers.get("content-type", "").strip()
    if content_type and not content_type.startswith(APPLICATION_JSON):
        raise HttpError(415, "send the body as application/json")
    return api.body(model, request.json_body(event, CASES_BYTES) if request.body_bytes(event, CASES_BYTES) else None)


def _query(*wanted: tuple[str, Any, bool]) -> list[Any]:
    return api.queries(app.request.query_string_parameters, *wanted)


# ------------------------------------------------------------------------------------------------ JSON API
# The operations as docs/api/openapi.json describes them (console/api_doc.py declares them for the document).
# The caller is authenticated first, then the request is read: a stranger learns nothing from a check.
@app.get("/api/cases")
def list_cases() -> Response:
    user = current_user()
    [clinic] = _query(("clinic", api.CLINIC_QUERY, False))
    rows = services().cases.queue(user.actor("api"), user.chain_id, clinic)
    return _json(200, [
        {"case": api.case_out(row.case), "clinic": row.clinic, "minutes_left": row.minutes_left, "overdue": row.overdue,
         "rating": row.record.review.rating if row.record else None, "excerpt": pages.queue_excerpt(row.record)}
        for row in rows
    ])


@app.get("/api/cases/<case_id>")
def get_case(case_id: str) -> Response:
    user = current_user()
    view = services().cases.view(user.actor("api"), case_id)
    review = None
    if view.record is not None:
        cls = view.record.classification
        review = {
            "source": view.case.source, "rating": view.record.review.rating, "text": pages.review_text(view.record, view.text),
            "url": view.record.review.url, "created_at": view.record.review.created_at.isoformat(),
            "sentiment": cls.sentiment, "topics": list(cls.topics), "triage": cls.triage, "legal": cls.legal,
            "status": view.record.status,
        }
    return _json(200, {
        "case": api.case_out(view.case), "clinic": view.clinic, "review": review,
        "draft": None if view.draft is None else view.draft.to_json(), "reply_mode": view.reply_mode,
        "minutes_left": view.minutes_left, "overdue": view.overdue,
        "log": [{"event": e.event, "at": e.at.isoformat(), "actor": e.actor, "role": e.role, "via": e.via,
                 "action": None if e.action is None else e.action.to_json()} for e in view.log],
    })


@app.post("/api/cases/<case_id>/take")
def take_case(case_id: str) -> Response:
    user = current_user()
    return _json(200, api.case_out(services().cases.take(user.actor("api"), case_id)))


@app.post("/api/cases/<case_id>/actions")
def record_action(case_id: str) -> Response:
    user = current_user()
    body = _body("ActionIn")
    case = services().cases.record_action(
        user.actor("api"), case_id, body["kind"], note=body["note"], bonus_kind=body["bonus_kind"],
        bonus_value=body["bonus_value"],
    )
    return _json(200, api.case_out(case))


@app.post("/api/cases/<case_id>/reply")
def approve_reply(case_id: str) -> Response:
    user = current_user()
    body = _body("ReplyIn")
    case, mode = services().cases.approve_reply(user.actor("api"), case_id, body["text"], by_hand=body["by_hand"])
    return _json(200, {"case": api.case_out(case), "reply_mode": mode})


@app.post("/api/cases/<case_id>/resolve")
def resolve_case(case_id: str) -> Response:
    user = current_user()
    return _json(200, api.case_out(services().cases.resolve(user.actor("api"), case_id)))


@app.post("/api/cases/<case_id>/close")
def close_case(case_id: str) -> Response:
    user = current_user()
    body = _body("CloseIn")
    cause = body["root_cause"]
    cause = RootCause(cause["topic"], cause["systemic"], cause["fix_note"])
    return _json(200, api.case_out(services().cases.close(user.actor("api"), case_id, body["outcome"], cause)))


@app.get("/api/analytics")
def analytics() -> Response:
    user = current_user()
    start, end, clinic = _query(("start", api.day, True), ("end", api.day, True), ("clinic", api.CLINIC_QUERY, False))
    return _json(200, services().cases.analytics(user.actor("api"), user.chain_id, start, end, clinic).to_json())


@app.get("/openapi.json")
def openapi() -> Response:
    """The document, built on request: only it needs Powertools' OpenAPI models and pydantic."""
    from clinic_reviews.console.api_doc import openapi_document

    return Response(200, openapi_document(), APPLICATION_JSON)


# ------------------------------------------------------------------------------------------------ console
def _html(body: str, status: int = 200, headers: dict[str, str] | None = None, cookies: list[str] | None = None) -> Response:
    return Response(status, body, TEXT_HTML, {**pages.HEADERS, **(headers or {})}, cookies)


def _redirect(location: str, cookies: list[str] | None = None) -> Response:
    return Response(303, "", None, {**pages.HEADERS, "Location": location}, cookies)


def _cookie(name: str, value: str, max_age: int) -> str:
    """HttpOnly, SameSite=Strict; Secure except on plain-HTTP localhost (the local console)."""
    local = (app.request.headers.get("host") or "").startswith(("127.0.0.1", "localhost"))
    return f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{'' if local else '; Secure'}"


def _lang(default: str = "ru") -> tuple[str, list[str]]:
    asked = app.request.query_string_parameters.get("lang")
    if asked in pages.LANGS:
        return asked, [_cookie(LANG_COOKIE, asked, 365 * 24 * 3600)]
    saved = _cookies().get(LANG_COOKIE)
    return (saved if saved in pages.LANGS else default), []


def _form() -> dict[str, str]:
    return request.form(app.request.raw_event, CASES_BYTES)


def _same_origin() -> None:
    origin = app.request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != app.request.headers.get("host"):
        raise NotAllowed("a form from another site")


def _console_user() -> User | None:
    try:
        return current_user()
    except AuthError:
        return None


def _chain_language() -> str:
    chain = get_settings().chain_id
    try:
        return services().policies.chain(chain).chain.language if chain else "ru"
    except LookupError:
        return "ru"


@app.get("/")
def home():
    return _redirect("/console")


@app.get("/console/login")
def login_page():
    lang, cookies = _lang(_chain_language())
    return _html(_login_html(lang), cookies=cookies)


def _login_html(lang: str, error: str | None = None, step: str = "password", **fields) -> str:
    settings = get_settings()
    users = []
    if settings.console_dev_password and settings.chain_id:
        users = dev_users(services().policies.chain(settings.chain_id))
    context = {"username": None, "session": None, "notice": None, **fields}
    return pages.page("console_login.html.j2", lang, users=users, error=error, step=step, **context)


def _signed_in(token: str, access_token: str | None = None) -> Response:
    cookies = [_cookie(COOKIE, token, SESSION_SECONDS)]
    if access_token:
        cookies.append(_cookie(ACCESS_COOKIE, access_token, SESSION_SECONDS))
    return _redirect("/console", cookies=cookies)


def _signed_out() -> list[str]:
    return [_cookie(COOKIE, "", 0), _cookie(ACCESS_COOKIE, "", 0)]


def _form_lang(form: dict[str, str]) -> str:
    return form["lang"] if form.get("lang") in pages.LANGS else "ru"


def _next_step(lang: str, username: str, step) -> Response:
    if step.id_token:
        logger.info("signed in", extra={"via": "pool"})
        return _signed_in(step.id_token, step.access_token)
    return _html(_login_html(lang, step=step.challenge, username=username, session=step.session))


@app.post("/console/login")
def login():
    _same_origin()
    form = _form()
    lang = _form_lang(form)
    settings = get_settings()
    if form.get("user"):
        if not (settings.console_dev_password and settings.chain_id):
            return _html(_login_html(lang, "dev login is disabled here"), 403)
        chosen = [u for u in dev_users(services().policies.chain(settings.chain_id)) if u.id == form["user"]]
        if not chosen:
            return _html(_login_html(lang, "unknown demo user"), 400)
        logger.info("dev login", extra={"user": chosen[0].id})
        username, password = chosen[0].id, settings.console_dev_password
    else:
        username, password = form.get("username", "").strip(), form.get("password", "")
    try:
        step = services().sign_in.password(username, password)
    except SignInError as exc:
        return _html(_login_html(lang, str(exc), username=username), 401)
    return _next_step(lang, username, step)


@app.post("/console/login/challenge")
def login_challenge():
    _same_origin()
    form = _form()
    lang, username = _form_lang(form), form.get("username", "").strip()
    try:
        step = services().sign_in.answer(form.get("challenge", ""), username, form.get("session", ""),
                                            form.get("value", "").strip())
    except SignInError as exc:
        return _html(_login_html(lang, str(exc), username=username), 401)
    return _next_step(lang, username, step)


@app.get("/console/login/reset")
def reset_page():
    lang, cookies = _lang(_chain_language())
    return _html(_login_html(lang, step="reset"), cookies=cookies)


@app.post("/console/login/reset")
def reset_password():
    """Step 1 (a user name): Cognito e-mails a code. Step 2 (name, code, new password): the password is set."""
    _same_origin()
    form = _form()
    lang, username = _form_lang(form), form.get("username", "").strip()
    sign_in = services().sign_in
    try:
        if not form.get("code"):
            sign_in.forgot(username)
            return _html(_login_html(lang, step="reset", username=username, notice=pages.TEXTS[lang]["reset_sent"]))
        sign_in.reset(username, form["code"].strip(), form.get("new_password", ""))
    except SignInError as exc:
        return _html(_login_html(lang, str(exc), step="reset", username=username), 400)
    return _html(_login_html(lang, notice=pages.TEXTS[lang]["reset_done"], username=username))


@app.post("/console/logout")
def logout():
    return _redirect("/console/login", cookies=_signed_out())


# ------------------------------------------------------------------ the person's own account (docs/security.md)
def _account_holder() -> tuple[User, str] | None:
    """The signed-in person and their pool access token; None for a script token or an old session without one."""
    user, access = _console_user(), _cookies().get(ACCESS_COOKIE)
    return (user, access) if user is not None and access else None


def _account_html(user: User, access: str, lang: str, error: str | None = None, status: int = 200, cookies=None):
    secret = services().account.totp_secret(access)
    body = pages.page("console_account.html.j2", lang, user=user, secret=secret, uri=otpauth_uri(secret, user.id),
                      error=error, query="")
    return _html(body, status, cookies=cookies)


@app.get("/console/account")
def account_page():
    holder = _account_holder()
    if holder is None:
        return _redirect("/console/login")
    lang, cookies = _lang(_chain_language())
    try:
        return _account_html(*holder, lang, cookies=cookies)
    except SignInError:  # the access token was revoked (signed out everywhere elsewhere): sign in again
        return _redirect("/console/login", cookies=_signed_out())


@app.post("/console/account/mfa")
def enable_mfa():
    """Verify the first code of the authenticator app; from then on every sign-in asks for a code."""
    _same_origin()
    holder = _account_holder()
    if holder is None:
        return _redirect("/console/login")
    form = _form()
    lang = _form_lang(form)
    try:
        services().account.enable_totp(holder[1], form.get("code", "").strip())
    except SignInError as exc:
        try:
            return _account_html(*holder, lang, str(exc), 400)
        except SignInError:
            return _redirect("/console/login", cookies=_signed_out())
    logger.info("mfa enabled", extra={"via": "pool"})
    return _redirect("/console?done=mfa")


@app.post("/console/account/sign-out-everywhere")
def sign_out_everywhere():
    """GlobalSignOut: every refresh token of the person is revoked; this browser's cookies are cleared."""
    _same_origin()
    holder = _account_holder()
    if holder is not None:
        try:
            services().account.sign_out_everywhere(holder[1])
        except SignInError:  # already signed out everywhere: nothing left to revoke
            pass
        logger.info("signed out everywhere", extra={"via": "pool"})
    return _redirect("/console/login", cookies=_signed_out())


@app.get("/console")
def queue_page():
    user = _console_user()
    if user is None:
        return _redirect("/console/login")
    lang, cookies = _lang(_chain_language())
    params = app.request.query_string_parameters
    clinic_id = params.get("clinic") or None
    service = services().cases
    policy = services().policies.chain(user.chain_id)
    rows = service.queue(user.actor(), user.chain_id, clinic_id)
    visible = [c for c in policy.clinics if user.actor().sees(c.id)]
    notice = pages.TEXTS[lang].get(f"done_{params.get('done')}") if params.get("done") else None
    body = pages.page(
        "console_queue.html.j2", lang, user=user, rows=[_row(r) for r in rows], clinics=visible, clinic_id=clinic_id,
        notice=notice, query=f"clinic={quote(clinic_id)}" if clinic_id else "",
    )
    return _html(body, cookies=cookies)


def _row(row) -> dict[str, Any]:
    return {**row.__dict__, "excerpt": pages.queue_excerpt(row.record)}


@app.get("/console/cases/<case_id>")
def case_page(case_id: str):
    user = _console_user()
    if user is None:
        return _redirect("/console/login")
    lang, cookies = _lang(_chain_language())
    done = app.request.query_string_parameters.get("done")
    return _case_html(user, case_id, lang, notice=pages.TEXTS[lang].get(f"done_{done}") if done else None, cookies=cookies)


def _case_html(user: User, case_id: str, lang: str, *, status: int = 200, error: str | None = None,
               notice: str | None = None, reply_text: str | None = None, check=None, cookies=None) -> Response:
    actor = user.actor()
    try:
        view = services().cases.view(actor, case_id)
    except CaseNotFound:
        return _html(pages.page("console_login.html.j2", lang, users=[], error="no such case", step=None, notice=None), 404)
    if reply_text is None and view.draft is not None:
        reply_text, check = view.draft.text, view.draft.check
    elif reply_text is not None and check is None and view.record is not None:
        policy, clinic = services().policies.for_clinic(view.case.clinic_id)
        check = check_text(view.record, view.text, reply_text, policy, clinic)
    quality = _quality(view, reply_text, user) if reply_text and not view.case.private else None
    can = {
        "take": rules.allowed(actor, "take"),
        "reply": rules.allowed(actor, "reply") and (not view.case.legal or rules.allowed(actor, "approve_legal_reply")),
        "act": rules.allowed(actor, "close") or rules.allowed(actor, rules.LEGAL),
    }
    body = pages.page(
        "console_case.html.j2", lang, user=user, view=view, text=pages.review_text(view.record, view.text),
        reply_text=reply_text or "", check=check, can=can, error=error, notice=notice, query="", quality=quality,
        sender=_sender(view),
    )
    return _html(body, status, cookies=cookies)


def _sender(view):
    """Who wrote a mail (contact data kept apart from the review for the policy's time; docs/sources.md), or None."""
    if view.record is None or view.record.review.source != "email":
        return None
    return services().table.contacts.get(view.record.review.key, clock.now())


def _quality(view, text: str, user: User):
    """The reply's checklist score before it is posted (docs/insights.md); None without its review."""
    if view.record is None:
        return None
    policy, clinic = services().policies.for_clinic(view.case.clinic_id)
    allowed = services().cases.reply_context(policy, clinic).allowed()
    return services().reply_quality.console_score(view.record, view.text, text, user.name, allowed)


def _console_write(case_id: str, done: str, write) -> Response:
    user = _console_user()
    if user is None:
        return _redirect("/console/login")
    lang, _ = _lang(_chain_language())
    form = _form()
    try:
        _same_origin()
        write(user.actor(), form)
    except ReplyRejected as exc:
        return _case_html(user, case_id, lang, status=422, error=str(exc), reply_text=form.get("text", ""), check=exc.verdict)
    except (CaseError, PostFailed, ValueError) as exc:
        status = 403 if isinstance(exc, NotAllowed) else 409 if isinstance(exc, CaseConflict) else 502 \
            if isinstance(exc, PostFailed) else 400
        return _case_html(user, case_id, lang, status=status, error=str(exc), reply_text=form.get("text"))
    except CaseNotFound:
        return _case_html(user, case_id, lang)
    target = "/console" if done == "closed" else f"/console/cases/{case_id}"
    return _redirect(f"{target}?done={done}")


@app.post("/console/cases/<case_id>/take")
def console_take(case_id: str):
    return _console_write(case_id, "taken", lambda actor, form: services().cases.take(actor, case_id))


@app.post("/console/cases/<case_id>/actions")
def console_action(case_id: str):
    def write(actor, form):
        kind = form.get("kind", "")
        bonus = kind == rules.SORRY_BONUS
        value = form.get("bonus_value", "").strip()
        if bonus and not value.isdigit():
            raise CaseInvalid("a sorry bonus needs its value, a whole number")
        services().cases.record_action(
            actor, case_id, kind, note=form.get("note") or None,
            bonus_kind=(form.get("bonus_kind") or None) if bonus else None, bonus_value=int(value) if bonus else None,
        )

    return _console_write(case_id, "action", write)


@app.post("/console/cases/<case_id>/reply")
def console_reply(case_id: str):
    return _console_write(
        case_id, "reply",
        lambda actor, form: services().cases.approve_reply(
            actor, case_id, form.get("text", ""), by_hand=form.get("mode") != "platform"
        ),
    )


@app.post("/console/cases/<case_id>/check")
def console_check(case_id: str):
    """The edited reply scored and shown again: nothing is posted or recorded."""
    user = _console_user()
    if user is None:
        return _redirect("/console/login")
    lang, _ = _lang(_chain_language())
    form = _form()
    try:
        _same_origin()
    except CaseError as exc:
        return _case_html(user, case_id, lang, status=403, error=str(exc))
    return _case_html(user, case_id, lang, reply_text=form.get("text", ""))


@app.post("/console/cases/<case_id>/resolve")
def console_resolve(case_id: str):
    return _console_write(case_id, "resolved", lambda actor, form: services().cases.resolve(actor, case_id))


@app.post("/console/cases/<case_id>/close")
def console_close(case_id: str):
    def write(actor, form):
        cause = RootCause(form.get("topic", ""), form.get("systemic") == "yes", form.get("fix_note") or None)
        services().cases.close(actor, case_id, form.get("outcome", ""), cause)

    return _console_write(case_id, "closed", write)


@limit_request_size(CASES_BYTES)
@requires(
    "TABLE_NAME", "CONSOLE_SECRET_NAME", "CHAIN_ID", "SOURCES_SECRET_NAME", "USER_POOL_ID",
    "USER_POOL_CLIENT_ID", optional=("CONSOLE_DEV_PASSWORD",),
)
@guarded("cases")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(request.readable(event, CASES_BYTES), context)  # a body of UTF-8 text, or a 400
