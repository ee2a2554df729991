"""People sign in through the stack's Cognito user pool (`UserPool` in template.yaml). docs/cases.md, sign-in.

- `PoolSignIn`: the console's password flow against the pool's app client (USER_PASSWORD_AUTH), with the
  challenges a pool asks for (a new password on first sign-in, a TOTP code when the person turned MFA on)
  and the reset by e-mail code. It returns the pool's ID token; the console keeps it in its cookie.
- `verify_pool_token`: an ID token of the pool, checked like API Gateway's Cognito authorizer would: RS256
  signature against the pool's JWKS (fetched with a timeout, cached an hour, fetched again for an unknown
  key id), issuer, audience (the app client), `token_use: id`, expiry (Cognito stamps tokens with wall-clock
  time, so they are checked against it, also locally). The role is the person's one group, the clinics
  the `custom:clinics` attribute (comma-separated ids, or `*`).

- `PoolAccount`: what a signed-in person does with their own account through their access token: set up a TOTP
  authenticator app (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference) and sign out everywhere
  (GlobalSignOut: every refresh token of the person is revoked).

Tokens live at most 60 minutes (the app client's settings) and the console never refreshes them: disabling a
person or signing them out everywhere takes effect within the hour (docs/security.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import jwt

from clinic_reviews.console.auth import AuthError, User
from clinic_reviews.domain.cases import ALL_CLINICS, ROLES
from clinic_reviews.domain.frozen_records import record

CLINICS_ATTRIBUTE = "custom:clinics"
LEEWAY = 30.0
KEYS_LIFESPAN = 3600


@record
class Pool:
    region: str
    pool_id: str
    client_id: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"


class PoolKeys(jwt.PyJWKClient):
    """The pool's JSON Web Key Set through `get(url) -> dict` (the HTTP client with timeouts), cached."""

    def __init__(self, url: str, get: Callable[[str], Any]):
        super().__init__(url, cache_keys=True, lifespan=KEYS_LIFESPAN)
        self._get = get

    def fetch_data(self) -> Any:
        try:
            data = self._get(self.uri)
        except Exception as exc:  # any transport failure: refuse the token, never a 500
            raise jwt.PyJWKClientConnectionError(f"the pool's keys could not be fetched ({type(exc).__name__})") from None
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(data)
        return data


def wall_clock() -> float:
    """Now, as Cognito stamps its tokens: wall-clock time (the handlers' clock may be the local virtual one)."""
    return time.time()


def verify_pool_token(token: str, pool: Pool, keys: PoolKeys, chain_id: str) -> User:
    try:
        signing_key = keys.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token, signing_key.key, algorithms=["RS256"], audience=pool.client_id, issuer=pool.issuer,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False,
                     "require": ["exp", "iat", "sub", "aud", "iss", "token_use", "cognito:username"]},
        )
    except jwt.PyJWTError as exc:
        raise AuthError(f"invalid token ({type(exc).__name__})") from None
    if claims["token_use"] != "id":
        raise AuthError("invalid token (token_use)")
    if not isinstance(claims["exp"], int) or claims["exp"] + LEEWAY < wall_clock():
        raise AuthError("the session has expired: sign in again")
    groups = claims.get("cognito:groups") or []
    roles = [role for role in ROLES if isinstance(groups, list) and role in groups]
    if len(roles) != 1:
        raise AuthError("this account has no single role: an administrator adds it to exactly one group")
    clinics = tuple(c.strip() for c in str(claims.get(CLINICS_ATTRIBUTE) or "").split(",") if c.strip())
    if not clinics:
        raise AuthError("this account sees no clinic: an administrator sets its clinics")
    if ALL_CLINICS in clinics:
        clinics = (ALL_CLINICS,)
    username = str(claims["cognito:username"])
    return User(username, str(claims.get("name") or username), roles[0], clinics, chain_id)


# ------------------------------------------------------------------------------------------ the password flow
class SignInError(Exception):
    """A sign-in step was refused; the message is safe to show (it never says whether the user exists)."""


@record
class SignInStep:
    """Either the tokens (signed in) or the challenge the pool asks for next, with its session."""

    id_token: str | None = None
    challenge: str | None = None
    session: str | None = None
    access_token: str | None = None  # for the person's own account: MFA set-up, sign-out everywhere


NEW_PASSWORD = "NEW_PASSWORD_REQUIRED"
TOTP = "SOFTWARE_TOKEN_MFA"
_MESSAGES = {
    "NotAuthorizedException": "wrong user name or password",
    "UserNotFoundException": "wrong user name or password",
    "PasswordResetRequiredException": "your password was reset: choose a new one with the code from your e-mail",
    "UserNotConfirmedException": "this account is not confirmed yet",
    "InvalidPasswordException": "the new password does not meet the policy: at least 12 characters, "
                                "upper and lower case letters and a digit",
    "CodeMismatchException": "wrong code",
    "ExpiredCodeException": "the code has expired: ask for a new one",
    "TooManyRequestsException": "too many attempts: wait a minute",
    "LimitExceededException": "too many attempts: wait a minute",
    "TooManyFailedAttemptsException": "too many attempts: wait a minute",
    "InvalidParameterException": "the form is incomplete",
}


def _ask(client: Any, operation: str, **kwargs) -> dict[str, Any]:
    """One call to the pool; its refusal as a SignInError with a message safe to show."""
    try:
        return getattr(client, operation)(**kwargs)
    except client.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise SignInError(_MESSAGES.get(code, "sign-in is not available right now: try again")) from None


class PoolSignIn:
    def __init__(self, client: Any, pool: Pool):
        self._client = client
        self._pool = pool

    def _call(self, operation: str, **kwargs) -> dict[str, Any]:
        return _ask(self._client, operation, ClientId=self._pool.client_id, **kwargs)

    @staticmethod
    def _step(answer: dict[str, Any]) -> SignInStep:
        result = answer.get("AuthenticationResult")
        if result:
            return SignInStep(id_token=result["IdToken"], access_token=result.get("AccessToken"))
        if answer.get("ChallengeName") not in (NEW_PASSWORD, TOTP):
            raise SignInError("this account needs a sign-in step the console does not offer: ask an administrator")
        return SignInStep(challenge=answer["ChallengeName"], session=answer.get("Session"))

    def password(self, username: str, password: str) -> SignInStep:
        if not username or not password:
            raise SignInError("wrong user name or password")
        return self._step(self._call("initiate_auth", AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": username, "PASSWORD": password}))

    def answer(self, challenge: str, username: str, session: str, value: str) -> SignInStep:
        """A new password (NEW_PASSWORD_REQUIRED) or a TOTP code (SOFTWARE_TOKEN_MFA)."""
        field = {NEW_PASSWORD: "NEW_PASSWORD", TOTP: "SOFTWARE_TOKEN_MFA_CODE"}.get(challenge)
        if field is None or not (username and session and value):
            raise SignInError("the form is incomplete")
        return self._step(self._call("respond_to_auth_challenge", ChallengeName=challenge, Session=session,
                                     ChallengeResponses={"USERNAME": username, field: value}))

    def forgot(self, username: str) -> None:
        """Cognito e-mails a code to the account's verified address (and says nothing when there is none)."""
        if username:
            self._call("forgot_password", Username=username)

    def reset(self, username: str, code: str, new_password: str) -> None:
        if not (username and code and new_password):
            raise SignInError("the form is incomplete")
        self._call("confirm_forgot_password", Username=username, ConfirmationCode=code, Password=new_password)


# ------------------------------------------------------------------------------------------ the person's own account
ISSUER = "clinic-reviews"


def otpauth_uri(secret: str, username: str) -> str:
    """What an authenticator app reads (typed in, or as a QR code): `otpauth://totp/...` (Key Uri Format)."""
    return f"otpauth://totp/{quote(ISSUER)}:{quote(username)}?secret={quote(secret)}&issuer={quote(ISSUER)}"


class PoolAccount:
    """A signed-in person's own account, through their access token (no IAM: the token is the credential)."""

    def __init__(self, client: Any):
        self._client = client

    def totp_secret(self, access_token: str) -> str:
        """A new authenticator secret for the person (it becomes theirs once a code from it is verified)."""
        return _ask(self._client, "associate_software_token", AccessToken=access_token)["SecretCode"]

    def enable_totp(self, access_token: str, code: str) -> None:
        """Verify a code from the app, then ask for a TOTP code at every sign-in from now on."""
        if not code.isascii() or not code.isdigit() or len(code) != 6:
            raise SignInError("wrong code")
        answer = _ask(self._client, "verify_software_token", AccessToken=access_token, UserCode=code,
                      FriendlyDeviceName="console")
        if answer.get("Status") != "SUCCESS":
            raise SignInError("wrong code")
        _ask(self._client, "set_user_mfa_preference", AccessToken=access_token,
             SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    def sign_out_everywhere(self, access_token: str) -> None:
        """Revoke every refresh token of the person: no device gets new tokens; issued ones end within the hour."""
        _ask(self._client, "global_sign_out", AccessToken=access_token)
