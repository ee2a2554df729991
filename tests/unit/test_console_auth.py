"""Console tokens: HS256 only, issuer/audience/claims checked, expiry against the given clock; demo users; the CLI."""

from __future__ import annotations

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
        (lambda: jwt.encode({"sub": "a", "role": "director", "clinics": ["*"], "chain": "z", "iat": 1,
                             "exp": int(NOW.timestamp()) + 60, "iss": ISSUER, "aud": "other"}, KEY, algorithm="HS256"),
         "InvalidAudienceError"),
        (lambda: jwt.encode({"sub": "a", "role": "janitor", "clinics": ["*"], "chain": "z", "iat": 1,
                             "exp": int(NOW.timestamp()) + 60, "iss": ISSUER, "aud": AUDIENCE}, KEY, algorithm="HS256"),
         "claims"),
        (lambda: jwt.encode({"sub": "a", "role": "director", "chain": "z", "iat": 1,
                             "exp": int(NOW.timestamp()) + 60, "iss": ISSUER, "aud": AUDIENCE}, KEY, algorithm="HS256"),
         "MissingRequiredClaimError"),
    ],
)
def test_refused_tokens(token, message):
    with pytest.raises(AuthError) as refused:
        verify(token(), KEY, NOW)
    assert message in f"{refused.value} {refused.value.reason}"
    assert "Error" not in str(refused.value)  # the public message names no library class


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
                 "--role", "review_manager", "--clinic", "ekb-center"])
    assert code == 0
    user = verify(capsys.readouterr().out.strip(), KEY, datetime.now(UTC))
    assert (user.id, user.role, user.clinics) == ("olga", "review_manager", ("ekb-center",))
    assert main(["console-token", "--chain", "z", "--user", "u", "--name", "n", "--role", "legal"]) == 2
