"""Script tokens (HS256 only, issuer/audience/claims, expiry against the given clock, at most 24 h, named clinics,
generation) and user pool ID tokens (RS256 against the pool's keys, issuer, audience, token_use, expiry, role
group, clinics); demo users; the CLI."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from clinic_reviews.console.auth import AUDIENCE, ISSUER, AuthError, User, dev_users, issue, verify

KEY = b"k" * 48
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
OLGA = User("olga", "Ольга", "review_manager", ("ekb-center",), "zdorovie")


def test_round_trip_and_actor():
    user = verify(issue(OLGA, KEY, NOW), KEY, NOW + timedelta(hours=11))
    assert user == OLGA
    actor = user.actor("api")
    assert actor.sees("ekb-center") and not actor.sees("msk-arbat") and actor.via == "api"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda: issue(OLGA, KEY, NOW - timedelta(hours=13)), "expired"),
        (lambda: issue(OLGA, b"x" * 48, NOW), "InvalidSignatureError"),
        (lambda: jwt.encode({"sub": "a", "role": "director", "clinics": ["*"], "chain": "z", "iat": 1, "exp": 9e9,
                             "iss": ISSUER, "aud": AUDIENCE}, None, algorithm="none"), "invalid token"),
        (lambda: jwt.encode({"sub": "a", "role": "director", "clinics": ["c"], "chain": "z", "iat": 1, "gen": 0,
                             "exp": int(NOW.timestamp()) + 60, "iss": ISSUER, "aud": "other"}, KEY, algorithm="HS256"),
         "InvalidAudienceError"),
        (lambda: jwt.encode({"sub": "a", "role": "janitor", "clinics": ["c"], "chain": "z", "gen": 0,
                             "iat": int(NOW.timestamp()),
                             "exp": int(NOW.timestamp()) + 60, "iss": ISSUER, "aud": AUDIENCE}, KEY, algorithm="HS256"),
         "claims"),
        (lambda: jwt.encode({"sub": "a", "role": "director", "chain": "z", "iat": 1, "gen": 0,
                             "exp": int(NOW.timestamp()) + 60, "iss": ISSUER, "aud": AUDIENCE}, KEY, algorithm="HS256"),
         "MissingRequiredClaimError"),
        (lambda: jwt.encode({"sub": "a", "role": "director", "clinics": ["*"], "chain": "z", "gen": 0,
                             "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 60, "iss": ISSUER,
                             "aud": AUDIENCE}, KEY, algorithm="HS256"), "names its clinics"),
        (lambda: jwt.encode({"sub": "a", "role": "director", "clinics": ["c"], "chain": "z", "gen": 0,
                             "iat": int(NOW.timestamp()) - 3600, "exp": int(NOW.timestamp()) + 24 * 3600,
                             "iss": ISSUER, "aud": AUDIENCE}, KEY, algorithm="HS256"), "longer than 24 hours"),
        (lambda: issue(OLGA, KEY, NOW, generation=1), "revoked"),
    ],
)
def test_refused_tokens(token, message):
    with pytest.raises(AuthError, match=message):
        verify(token(), KEY, NOW)


def test_script_tokens_are_issued_for_named_clinics_and_a_day_at_most():
    with pytest.raises(ValueError, match="every clinic"):
        issue(User("d", "D", "director", ("*",), "z"), KEY, NOW)
    with pytest.raises(ValueError, match="24 hours"):
        issue(OLGA, KEY, NOW, timedelta(hours=25))
    assert verify(issue(OLGA, KEY, NOW, timedelta(hours=24), generation=3), KEY, NOW, generation=3) == OLGA


def test_demo_users_come_from_the_policy(policy):
    users = {u.id: u for u in dev_users(policy)}
    assert set(users) == {
        "review_manager", "head_of_client_service", "director", "legal",
        "review_manager@ekb-center", "review_manager@vvo-svetlanskaya",
    }
    assert users["review_manager@ekb-center"].clinics == ("ekb-center",)
    assert users["director"].clinics == ("*",)


def test_the_cli_issues_a_token_from_a_key_file(tmp_path, capsys):
    from clinic_reviews.cli import main

    key = tmp_path / "key"
    key.write_bytes(KEY + b"\n")
    code = main(["console-token", "--key-file", str(key), "--chain", "zdorovie", "--user", "olga", "--name", "Ольга",
                 "--role", "review_manager", "--clinic", "ekb-center"])  # no --table: generation 0
    assert code == 0
    user = verify(capsys.readouterr().out.strip(), KEY, datetime.now(UTC))
    assert (user.id, user.role, user.clinics) == ("olga", "review_manager", ("ekb-center",))
    assert main(["console-token", "--chain", "z", "--user", "u", "--name", "n", "--role", "legal"]) == 2


# ------------------------------------------------------------------------------------------ user pool ID tokens
def _rsa():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


PRIVATE, STRANGER = _rsa(), _rsa()
def _pool():
    from clinic_reviews.console.pool import Pool

    return Pool("eu-central-1", "eu-central-1_abc", "client-1")


def _keys(calls: list | None = None):
    from clinic_reviews.console.pool import PoolKeys

    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE.public_key())), "kid": "k1", "alg": "RS256", "use": "sig"}

    def get(url):
        if calls is not None:
            calls.append(url)
        return {"keys": [jwk]}

    return PoolKeys(_pool().jwks_url, get)


def _id_token(key=PRIVATE, kid="k1", **overrides):
    now = int(time.time())
    claims = {"iss": _pool().issuer, "aud": "client-1", "token_use": "id", "sub": "u-1", "cognito:username": "olga",
              "name": "Ольга", "iat": now, "exp": now + 3600, "cognito:groups": ["review_manager"],
              "custom:clinics": "ekb-center, vvo-svetlanskaya"}
    claims = {k: v for k, v in {**claims, **overrides}.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_a_pool_id_token_gives_the_person_their_role_and_clinics_and_keys_are_fetched_once():
    from clinic_reviews.console.auth import signed_by_pool
    from clinic_reviews.console.pool import verify_pool_token

    calls: list = []
    keys = _keys(calls)
    token = _id_token()
    assert signed_by_pool(token) and not signed_by_pool(issue(OLGA, KEY, NOW)) and not signed_by_pool("x.y")
    user = verify_pool_token(token, _pool(), keys, "zdorovie")
    assert user == User("olga", "Ольга", "review_manager", ("ekb-center", "vvo-svetlanskaya"), "zdorovie")
    verify_pool_token(_id_token(**{"custom:clinics": "*", "cognito:groups": ["director"]}), _pool(), keys, "zdorovie")
    assert calls == ["https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_abc/.well-known/jwks.json"]


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda: _id_token(key=STRANGER), "InvalidSignatureError"),
        (lambda: _id_token(kid="k2"), "PyJWKClientError"),
        (lambda: _id_token(aud="client-2"), "InvalidAudienceError"),
        (lambda: _id_token(iss="https://cognito-idp.eu-central-1.amazonaws.com/other"), "InvalidIssuerError"),
        (lambda: _id_token(token_use="access"), "token_use"),
        (lambda: _id_token(exp=int(time.time()) - 60), "expired"),
        (lambda: _id_token(**{"cognito:groups": None}), "single role"),
        (lambda: _id_token(**{"cognito:groups": ["review_manager", "director"]}), "single role"),
        (lambda: _id_token(**{"custom:clinics": None}), "no clinic"),
        (lambda: jwt.encode({"iss": _pool().issuer, "aud": "client-1"}, None, algorithm="none", headers={"kid": "k1"}),
         "invalid token"),
        (lambda: jwt.encode({"iss": _pool().issuer, "aud": "client-1"}, b"k" * 32, algorithm="HS256",
                            headers={"kid": "k1"}), "invalid token"),  # HMAC with a guessed secret
        (lambda: "\x00\xff not a token", "invalid token"),
    ],
)
def test_refused_pool_tokens(token, message):
    from clinic_reviews.console.pool import verify_pool_token

    with pytest.raises(AuthError, match=message):
        verify_pool_token(token(), _pool(), _keys(), "zdorovie")


def test_unreachable_keys_refuse_the_token_instead_of_failing():
    from clinic_reviews.console.pool import PoolKeys, verify_pool_token

    def down(url):
        raise OSError("connection refused")

    with pytest.raises(AuthError, match="invalid token"):
        verify_pool_token(_id_token(), _pool(), PoolKeys(_pool().jwks_url, down), "zdorovie")
