"""Script tokens for the API: HS256 JWTs signed with the key in the console's SSM SecureString parameter.

People sign in through the Cognito user pool (console/pool.py); these tokens are for scripts only, issued by
an administrator with `clinic-reviews console-token` (docs/cases.md): at most 24 hours, for named clinics
(never every clinic), and revocable (`gen`, the chain's script-token generation, store/script_tokens.py).

Claims: `sub` (user id), `name`, `role` (review_manager, head_of_client_service, director, legal),
`clinics` (clinic ids), `chain`, `gen`, `iat`, `exp`, `iss`, `aud`. PyJWT checks the signature, the
algorithm (HS256 only), issuer, audience and required claims; expiry and the lifetime are checked here
against `now` (the handlers' clock, so the local stack's virtual time applies too).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from clinic_reviews.domain.cases import ALL_CLINICS, ROLES, Actor
from clinic_reviews.domain.frozen_records import record

ISSUER = "clinic-reviews"
AUDIENCE = "clinic-reviews-console"
ALGORITHM = "HS256"
LIFETIME = timedelta(hours=12)
MAX_LIFETIME = timedelta(hours=24)
LEEWAY = timedelta(seconds=30)
COOKIE = "cr_session"


class AuthError(Exception):
    """No token, or one that is not valid here. The message is public (never echoing the token); `reason`
    is the library's, for logs only."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


@record
class User:
    id: str
    name: str
    role: str
    clinics: tuple[str, ...]
    chain_id: str

    def actor(self, via: str = "console") -> Actor:
        return Actor(self.id, self.name, self.role, self.clinics, via)


def issue(user: User, key: bytes, now: datetime, lifetime: timedelta = LIFETIME, generation: int = 0) -> str:
    if user.role not in ROLES:
        raise ValueError(f"unknown role {user.role!r}; expected one of {', '.join(ROLES)}")
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise ValueError("a script token lives at most 24 hours")
    if not user.clinics or ALL_CLINICS in user.clinics:
        raise ValueError("a script token names its clinics (never every clinic)")
    claims = {
        "sub": user.id,
        "name": user.name,
        "role": user.role,
        "clinics": list(user.clinics),
        "chain": user.chain_id,
        "gen": generation,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def signed_by_pool(token: str) -> bool:
    """True for an RS256 token (the user pool's); anything unreadable is not (and fails as a script token)."""
    try:
        return jwt.get_unverified_header(token).get("alg") == "RS256"
    except jwt.PyJWTError:
        return False


def verify(token: str, key: bytes, now: datetime, generation: int = 0) -> User:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["sub", "role", "clinics", "chain", "exp", "iat", "gen"],
            },
        )
    except jwt.InvalidTokenError as exc:
        raise AuthError("invalid token", reason=type(exc).__name__) from None
    if not isinstance(claims["exp"], int) or claims["exp"] + LEEWAY.total_seconds() < now.timestamp():
        raise AuthError("the token has expired: sign in again")
    if not isinstance(claims["iat"], int) or claims["exp"] - claims["iat"] > MAX_LIFETIME.total_seconds():
        raise AuthError("invalid token (lives longer than 24 hours)")
    if claims["gen"] != generation:
        raise AuthError("the token was revoked: ask for a new one")
    clinics = claims["clinics"]
    if claims["role"] not in ROLES or not isinstance(clinics, list) or not all(isinstance(c, str) for c in clinics):
        raise AuthError("invalid token (claims)")
    if not clinics or ALL_CLINICS in clinics:
        raise AuthError("invalid token (a script token names its clinics)")
    return User(str(claims["sub"]), str(claims.get("name") or claims["sub"]), claims["role"], tuple(clinics), str(claims["chain"]))


def dev_users(policy) -> list[User]:
    """Demo users from the policy (the embedded local stack creates them in its user pool): each chain contact
    named after a role sees every clinic; a clinic's own contact of that role (e.g. the Yekaterinburg review
    manager) sees only that clinic."""
    chain = policy.chain.id
    users = [User(cid, c.name, cid, (ALL_CLINICS,), chain) for cid, c in policy.contacts.items() if cid in ROLES]
    for clinic in policy.clinics:
        users += [
            User(f"{cid}@{clinic.id}", c.name, cid, (clinic.id,), chain)
            for cid, c in clinic.contacts.items()
            if cid in ROLES
        ]
    return users
