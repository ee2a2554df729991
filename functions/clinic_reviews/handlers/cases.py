"""The case API and console behind one Lambda Function URL (Powertools event handler). docs/cases.md.

- `/api/...`: JSON, `Authorization: Bearer <JWT>` (or the console's cookie); request bodies are pydantic
  models validated by Powertools; the OpenAPI document is generated from this module (`/openapi.json`,
  committed as docs/api/openapi.json). Errors are JSON `{"message", "problems"?}` with a 4xx status,
  never a stack trace.
- `/console/...`: the server-rendered pages (Russian and English) on the same service; the token lives in an
  HttpOnly, SameSite=Strict cookie. `/console/login` signs in with a user name and password through the
  stack's Cognito user pool (a new password on first sign-in, a TOTP code if the person turned MFA on, a
  reset by e-mail code), and, where CONSOLE_DEV_PASSWORD is set (a setting of the embedded local stack
  only: template.yaml never sets it), as one of the demo users with one click.

Every write goes through services/cases.py, which records who, when and what in the case's audit log.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from clinic_reviews import clock, compose, container
from clinic_reviews import http_input as request
from clinic_reviews.clients import client, secret_bytes
from clinic_reviews.console import pages
from clinic_reviews.console.auth import COOKIE, AuthError, User, dev_users, signed_by_pool, verify
from clinic_reviews.console.pool import SignInError, otpauth_uri, verify_pool_token
from clinic_reviews.domain import cases as rules
from clinic_reviews.domain.cases import CaseConflict, CaseError, CaseInvalid, NotAllowed, RootCause
from clinic_reviews.domain.policy import UnknownClinic
from clinic_reviews.domain.safe_text import printable
from clinic_reviews.handlers.request_limits import CASES_BYTES, limit_request_size
from clinic_reviews.http_errors import HttpError, guarded, install
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.services.cases import CaseNotFound, PostFailed, ReplyRejected, check_text
from clinic_reviews.settings import Settings, get_settings, requires

app = LambdaFunctionUrlResolver(enable_validation=True)
SECURED = [{"bearer": []}]
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


# ------------------------------------------------------------------------------------------------ models
ActionKind = Literal["patient_called", "sorry_bonus", "escalated_to_legal"]
BonusKind = Literal["discount", "free_visit", "taxi", "gift", "refund", "other"]
Outcome = Literal["patient_satisfied", "rating_raised", "no_response"]
Topic = Literal["front_desk", "waiting", "billing", "doctor", "scheduling", "cleanliness", "diagnostics", "other"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ActionIn(_In):
    kind: ActionKind
    note: str | None = Field(default=None, max_length=rules.MAX_NOTE)
    bonus_kind: BonusKind | None = None
    bonus_value: int | None = Field(default=None, ge=0, le=rules.MAX_BONUS_VALUE)


class ReplyIn(_In):
    text: str | None = Field(default=None, max_length=8000, description="The reply; omitted: the draft as it is.")
    by_hand: bool = Field(default=False, description="Posted by hand on the platform: only record it.")


class RootCauseIn(_In):
    topic: Topic
    systemic: bool
    fix_note: str | None = Field(default=None, max_length=rules.MAX_NOTE)


class CloseIn(_In):
    outcome: Outcome
    root_cause: RootCauseIn


class ActionOut(BaseModel):
    kind: str
    at: str
    by: str
    by_name: str
    note: str | None = None
    bonus_kind: str | None = None
    bonus_value: int | None = None
    reply_mode: str | None = None


class CaseOut(BaseModel):
    id: str
    chain_id: str
    clinic_id: str
    source: str
    external_id: str
    status: str
    legal: bool
    private: bool
    owner: str | None
    owner_name: str | None
    opened_at: str
    due_at: str | None
    taken_at: str | None
    first_reply_at: str | None
    first_contact_at: str | None
    resolved_at: str | None
    closed_at: str | None
    outcome: str | None
    root_cause: dict[str, Any] | None
    actions: list[ActionOut]
    version: int


class QueueItemOut(BaseModel):
    case: CaseOut
    clinic: str
    minutes_left: int | None
    overdue: bool
    rating: int | None
    excerpt: str


class CaseDetailOut(BaseModel):
    case: CaseOut
    clinic: str
    review: dict[str, Any] | None
    draft: dict[str, Any] | None
    reply_mode: str
    minutes_left: int | None
    overdue: bool
    log: list[dict[str, Any]]


class ReplyOut(BaseModel):
    case: CaseOut
    reply_mode: str


class ErrorOut(BaseModel):
    message: str
    problems: list[Any] | None = None


ERRORS = {
    400: {"description": "Bad input", "content": {"application/json": {"schema": ErrorOut.model_json_schema()}}},
    401: {"description": "No valid token"},
    403: {"description": "The role or clinics do not allow it"},
    404: {"description": "No such case (or not one of your clinics)"},
    409: {"description": "The case is not in a state that allows it"},
    422: {"description": "Invalid body or parameters, or the reply failed the privacy check"},
}


# ------------------------------------------------------------------------------------------------ errors
def _json_error(status: int, message: str, problems: list[Any] | None = None) -> Response:
    body = HttpError(status, message, problems).body()
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=pages.HEADERS)


@app.exception_handler(RequestValidationError)
def _invalid(exc: RequestValidationError) -> Response:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return _json_error(422, "invalid request: " + "; ".join(problems), problems)


#: Errors whose messages are written for the user, and the status each answers with (http_errors.py
#: answers anything else: logged with the request id, a generic 500).
PUBLIC_ERRORS: dict[type[Exception], int] = {
    AuthError: 401, NotAllowed: 403, UnknownClinic: 404, CaseConflict: 409, CaseInvalid: 400, PostFailed: 502,
}


def _public(exc: Exception) -> Response:
    status = next(code for kind, code in PUBLIC_ERRORS.items() if isinstance(exc, kind))
    return _json_error(status, printable(str(exc)).strip("'\""))


for _kind in PUBLIC_ERRORS:
    app.exception_handler(_kind)(_public)


@app.exception_handler(RequestUnsupportedContentType)
def _unsupported(exc: RequestUnsupportedContentType) -> Response:
    return _json_error(415, "send the body as application/json")


@app.exception_handler(CaseNotFound)
def _missing(exc: CaseNotFound) -> Response:
    return _json_error(404, "no such case")


@app.exception_handler(ReplyRejected)
def _rejected(exc: ReplyRejected) -> Response:
    return _json_error(422, str(exc), [p.to_json() for p in exc.verdict.problems])


install(app, "cases", pages.HEADERS)


# ------------------------------------------------------------------------------------------------ auth
def _cookies() -> dict[str, str]:
    event = app.current_event
    raw = list(event.get("cookies") or [])
    header = event.headers.get("cookie")
    if header:
        raw += header.split(";")
    found = {}
    for part in raw:
        name, _, value = part.strip().partition("=")
        if name:
            found[name] = value
    return found


def _token() -> str | None:
    header = app.current_event.headers.get("authorization") or ""
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


def _case_out(case) -> CaseOut:
    return CaseOut.model_validate(case.to_json())


# ------------------------------------------------------------------------------------------------ JSON API
@app.get("/api/cases", security=SECURED, responses=ERRORS, tags=["cases"],
         summary="Open cases of your clinics (or one), soonest deadline first")
def list_cases(clinic: Annotated[str | None, Query(max_length=64)] = None) -> list[QueueItemOut]:
    user = current_user()
    rows = services().cases.queue(user.actor("api"), user.chain_id, clinic)
    return [
        QueueItemOut(
            case=_case_out(row.case), clinic=row.clinic, minutes_left=row.minutes_left, overdue=row.overdue,
            rating=row.record.review.rating if row.record else None, excerpt=pages.queue_excerpt(row.record),
        )
        for row in rows
    ]


@app.get("/api/cases/<case_id>", security=SECURED, responses=ERRORS, tags=["cases"],
         summary="A case with its review, classification, reply draft and privacy check, and its log")
def get_case(case_id: str) -> CaseDetailOut:
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
    return CaseDetailOut(
        case=_case_out(view.case), clinic=view.clinic, review=review,
        draft=None if view.draft is None else view.draft.to_json(), reply_mode=view.reply_mode,
        minutes_left=view.minutes_left, overdue=view.overdue,
        log=[{"event": e.event, "at": e.at.isoformat(), "actor": e.actor, "role": e.role, "via": e.via,
              "action": None if e.action is None else e.action.to_json()} for e in view.log],
    )


@app.post("/api/cases/<case_id>/take", security=SECURED, responses=ERRORS, tags=["cases"], summary="Take the case")
def take_case(case_id: str) -> CaseOut:
    user = current_user()
    return _case_out(services().cases.take(user.actor("api"), case_id))


@app.post("/api/cases/<case_id>/actions", security=SECURED, responses=ERRORS, tags=["cases"],
          summary="Record what was done: patient called, sorry bonus (kind, value), escalated to legal")
def record_action(case_id: str, body: Annotated[ActionIn, Body()]) -> CaseOut:
    user = current_user()
    case = services().cases.record_action(
        user.actor("api"), case_id, body.kind, note=body.note, bonus_kind=body.bonus_kind, bonus_value=body.bonus_value
    )
    return _case_out(case)


@app.post("/api/cases/<case_id>/reply", security=SECURED, responses={**ERRORS, 502: {"description": "The platform refused"}},
          tags=["cases"], summary="Approve and post the public reply (the privacy check must pass)")
def approve_reply(case_id: str, body: Annotated[ReplyIn, Body()]) -> ReplyOut:
    user = current_user()
    case, mode = services().cases.approve_reply(user.actor("api"), case_id, body.text, by_hand=body.by_hand)
    return ReplyOut(case=_case_out(case), reply_mode=mode)


@app.post("/api/cases/<case_id>/resolve", security=SECURED, responses=ERRORS, tags=["cases"], summary="Mark the case resolved")
def resolve_case(case_id: str) -> CaseOut:
    user = current_user()
    return _case_out(services().cases.resolve(user.actor("api"), case_id))


@app.post("/api/cases/<case_id>/close", security=SECURED, responses=ERRORS, tags=["cases"],
          summary="Close with the outcome and the root cause")
def close_case(case_id: str, body: Annotated[CloseIn, Body()]) -> CaseOut:
    user = current_user()
    cause = RootCause(body.root_cause.topic, body.root_cause.systemic, body.root_cause.fix_note)
    return _case_out(services().cases.close(user.actor("api"), case_id, body.outcome, cause))


@app.get("/api/analytics", security=SECURED, responses=ERRORS, tags=["analytics"],
         summary="Case figures over a period: turned share, time to take and to reply, bonuses, systemic causes")
def analytics(
    start: Annotated[date, Query(description="First clinic-local day")],
    end: Annotated[date, Query(description="Last clinic-local day (at most 62 days)")],
    clinic: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    user = current_user()
    return services().cases.analytics(user.actor("api"), user.chain_id, start, end, clinic).to_json()


def openapi_document() -> str:
    """The OpenAPI document generated from the routes and models above (committed as docs/api/openapi.json).
    Powertools' OpenAPI models are imported here, not at start: only this document needs them (issue 18c)."""
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Server

    return app.get_openapi_json_schema(
        title="clinic-reviews cases API",
        version="1.0.0",
        description="Cases of negative reviews: the queue by deadline, taking, actions, replies, closing (docs/cases.md).",
        servers=[Server(url="/")],
        security_schemes={"bearer": HTTPBearer(
            bearerFormat="JWT", description="The user pool's ID token, or a script token (docs/cases.md, sign-in)")},
    )


@app.get("/openapi.json", include_in_schema=False)
def openapi():
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi_document())


# ------------------------------------------------------------------------------------------------ console
def _html(body: str, status: int = 200, headers: dict[str, str] | None = None, cookies: list[str] | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.TEXT_HTML, body=body,
                    headers={**pages.HEADERS, **(headers or {})}, cookies=cookies)


def _redirect(location: str, cookies: list[str] | None = None) -> Response:
    return Response(status_code=303, headers={**pages.HEADERS, "Location": location}, body="", cookies=cookies)


def _cookie(name: str, value: str, max_age: int) -> str:
    """HttpOnly, SameSite=Strict; Secure except on plain-HTTP localhost (the local console)."""
    local = (app.current_event.headers.get("host") or "").startswith(("127.0.0.1", "localhost"))
    return f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{'' if local else '; Secure'}"


def _lang(default: str = "ru") -> tuple[str, list[str]]:
    asked = (app.current_event.query_string_parameters or {}).get("lang")
    if asked in pages.LANGS:
        return asked, [_cookie(LANG_COOKIE, asked, 365 * 24 * 3600)]
    saved = _cookies().get(LANG_COOKIE)
    return (saved if saved in pages.LANGS else default), []


def _form() -> dict[str, str]:
    return request.form(app.current_event.raw_event, CASES_BYTES)


def _same_origin() -> None:
    origin = app.current_event.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != app.current_event.headers.get("host"):
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


@app.get("/", include_in_schema=False)
def home():
    return _redirect("/console")


@app.get("/console/login", include_in_schema=False)
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


@app.post("/console/login", include_in_schema=False)
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


@app.post("/console/login/challenge", include_in_schema=False)
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


@app.get("/console/login/reset", include_in_schema=False)
def reset_page():
    lang, cookies = _lang(_chain_language())
    return _html(_login_html(lang, step="reset"), cookies=cookies)


@app.post("/console/login/reset", include_in_schema=False)
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


@app.post("/console/logout", include_in_schema=False)
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


@app.get("/console/account", include_in_schema=False)
def account_page():
    holder = _account_holder()
    if holder is None:
        return _redirect("/console/login")
    lang, cookies = _lang(_chain_language())
    try:
        return _account_html(*holder, lang, cookies=cookies)
    except SignInError:  # the access token was revoked (signed out everywhere elsewhere): sign in again
        return _redirect("/console/login", cookies=_signed_out())


@app.post("/console/account/mfa", include_in_schema=False)
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


@app.post("/console/account/sign-out-everywhere", include_in_schema=False)
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


@app.get("/console", include_in_schema=False)
def queue_page():
    user = _console_user()
    if user is None:
        return _redirect("/console/login")
    lang, cookies = _lang(_chain_language())
    params = app.current_event.query_string_parameters or {}
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


@app.get("/console/cases/<case_id>", include_in_schema=False)
def case_page(case_id: str):
    user = _console_user()
    if user is None:
        return _redirect("/console/login")
    lang, cookies = _lang(_chain_language())
    done = (app.current_event.query_string_parameters or {}).get("done")
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


@app.post("/console/cases/<case_id>/take", include_in_schema=False)
def console_take(case_id: str):
    return _console_write(case_id, "taken", lambda actor, form: services().cases.take(actor, case_id))


@app.post("/console/cases/<case_id>/actions", include_in_schema=False)
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


@app.post("/console/cases/<case_id>/reply", include_in_schema=False)
def console_reply(case_id: str):
    return _console_write(
        case_id, "reply",
        lambda actor, form: services().cases.approve_reply(
            actor, case_id, form.get("text", ""), by_hand=form.get("mode") != "platform"
        ),
    )


@app.post("/console/cases/<case_id>/check", include_in_schema=False)
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


@app.post("/console/cases/<case_id>/resolve", include_in_schema=False)
def console_resolve(case_id: str):
    return _console_write(case_id, "resolved", lambda actor, form: services().cases.resolve(actor, case_id))


@app.post("/console/cases/<case_id>/close", include_in_schema=False)
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
    return app.resolve(request.readable(event, CASES_BYTES), context)  # a body Powertools can read, or a 400
