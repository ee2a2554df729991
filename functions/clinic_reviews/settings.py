"""Settings of a function: what its handler declares it needs, read from the function's environment.

Each handler declares the variables it reads with `@requires(...)` (outermost but for the request-size
limit, which answers 413 before anything else); on the
first invocation in a container (the cold start) a missing one fails with its name, before any work.
After that check the function's `Settings` hold only what it declared, so code that reads a setting
its handler did not declare finds nothing and fails the same way. tests/unit/test_settings_contract.py
proves that template.yaml gives every function exactly the variables its handler declares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from functools import wraps
from typing import Any, TypeVar

from clinic_reviews import container
from clinic_reviews.domain.frozen_records import record

F = TypeVar("F", bound=Callable[..., Any])
#: Variables read by libraries (Powertools), not by our code: Globals may set them for every function.
LIBRARY_PREFIXES = ("POWERTOOLS_",)
#: What a boolean variable may say (the spellings pydantic accepted before, case-insensitive).
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


class SettingsError(RuntimeError):
    """A setting the running code needs is missing from the environment, or says something it cannot mean."""


def _whole_number(name: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise SettingsError(f"{name.upper()} must be a whole number, not {text!r}") from None


def _yes_no(name: str, text: str) -> bool:
    word = text.strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise SettingsError(f"{name.upper()} must be true or false, not {text!r}")


#: How a variable's text becomes its field's value, by the field's annotation (text as it is otherwise).
_READERS: dict[str, Callable[[str, str], Any]] = {"int": _whole_number, "bool": _yes_no}


@record
class Settings:
    """Names of the deployed resources and a few knobs. Each field is the upper-case environment variable
    of the same name; none is required here: handlers say which they need (`requires`). A plain dataclass
    (not a pydantic model): it is read by every handler at import, and pydantic alone cost about half of
    `import boto3` there (docs/notes.md, issue 18b)."""

    table_name: str | None = None
    bus_name: str | None = None
    escalation_state_machine_arn: str | None = None
    archive_bucket: str | None = None
    sender_email: str | None = None
    link_secret_name: str | None = None
    sources_secret_name: str | None = None  # the chain's platform credentials (docs/sources.md)
    webhook_secret_name: str | None = None  # the generic webhook's HMAC key
    fetch_clinics_per_batch: int = 10
    public_base_url: str | None = None
    feedback_state_machine_arn: str | None = None  # post-visit feedback requests (docs/feedback.md)
    feedback_base_url: str | None = None  # where the SMS links of feedback requests point
    phone_salt_secret_name: str | None = None  # the salt of patients' phone hashes
    event_source: str = "clinic-reviews"
    max_inline_text: int = 32_000
    cost_explorer: bool = False  # the monthly report asks Cost Explorer for the month's bill (docs/cost.md)
    stage: str | None = None  # the stage whose cost allocation tag Cost Explorer filters on (with COST_EXPLORER)
    # cases (docs/cases.md)
    console_secret_name: str | None = None  # HMAC key of the script tokens (console/auth.py)
    user_pool_id: str | None = None  # the Cognito user pool people sign in with (console/pool.py)
    user_pool_client_id: str | None = None  # the console's app client of that pool
    console_dev_password: str | None = None  # local stack only: the demo users' password (one-click sign-in)
    chain_id: str | None = None  # the chain the console's dev login and the Telegram bot serve
    telegram_secret_name: str | None = None  # {"bot_token", "webhook_secret"} of the team's bot

    def require(self, field: str) -> str:
        value = getattr(self, field)
        if not value:
            raise SettingsError(f"{field.upper()} is not set in this function's environment")
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str], only: frozenset[str] | None = None) -> Settings:
        """The settings in `environ`; with `only`, just those variables (a handler's declaration).
        A number or a yes/no that does not parse fails with the variable's name (SettingsError)."""
        values = {
            field.name: _READERS.get(str(field.type), lambda _name, text: text)(field.name, environ[field.name.upper()])
            for field in fields(cls)
            if environ.get(field.name.upper()) and (only is None or field.name.upper() in only)
        }
        return cls(**values)


_DECLARED = "settings.declared"


def variables() -> frozenset[str]:
    """Every environment variable a `Settings` field reads."""
    return frozenset(field.name.upper() for field in fields(Settings))


def requires(*names: str, optional: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Declare the environment variables a handler needs; checked once per container, at its cold start.

    The missing ones fail the invocation with their names (SettingsError) before the handler runs.
    `optional` ones may be read when set and are never required (template.yaml must not set them
    unless the handler needs them: e.g. the local stack's CONSOLE_DEV_PASSWORD).
    """
    declared, maybe = frozenset(names), frozenset(optional)
    unknown = (declared | maybe) - variables()
    if unknown:
        raise ValueError(f"no setting reads {', '.join(sorted(unknown))}")

    def decorate(handler: F) -> F:
        @wraps(handler)
        def checked(event: Any, context: Any) -> Any:
            check(declared, maybe)
            return handler(event, context)

        checked.required_settings = declared  # type: ignore[attr-defined]
        checked.optional_settings = maybe  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def check(declared: frozenset[str], optional: frozenset[str] = frozenset()) -> None:
    """Fail with the names of the declared variables this container's environment lacks (once per container)."""
    built = container.current().built
    readable = declared | optional
    if built.get(_DECLARED) == readable:
        return
    environ = container.current().environ
    missing = sorted(name for name in declared if not environ.get(name))
    if missing:
        raise SettingsError(f"{', '.join(missing)} not set in this function's environment (template.yaml)")
    built[_DECLARED] = readable
    built.pop(_read, None)  # settings read before the check (none on AWS) are read again


def _read() -> Settings:
    current = container.current()
    return Settings.from_env(current.environ, current.built.get(_DECLARED))


#: Settings of this container: after a handler's check, only what that handler declared.
get_settings = container.cached(_read)
