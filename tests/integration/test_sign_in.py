"""Sign-in through the stack's user pool (moto's cognito-idp running the template's UserPool and ConsoleClient),
pool tokens checked by the deployed CasesFunction, and revocable script tokens (docs/cases.md, sign-in)."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from .conftest import review

FORM = {"content-type": "application/x-www-form-urlencoded", "host": "console.example"}


def _form(aws, path: str, fields: dict[str, str]):
    status, headers, body = aws.http("CasesFunction", "POST", path, urlencode(fields), FORM)
    cookie = next((v for k, v in headers.items() if k.lower() == "set-cookie" and v.startswith("cr_session=")), None)
    return status, cookie, body.decode()


def _api(aws, path: str, token: str):
    status, _, data = aws.http("CasesFunction", "GET", path, None, {"authorization": f"Bearer {token}"})
    return status, json.loads(data or b"null")


@pytest.fixture
def olga(aws):
    from clinic_reviews_local.users import add_user

    aws.invoke("IntakeFunction", {"reviews": [review("m-1"), review("e-1", clinic_id="ekb-center")]})
    add_user(aws, "olga", "Ekaterinburg-2026", "review_manager", ["ekb-center"], "Ольга Кузнецова")
    return "olga"


def test_a_manager_signs_in_with_a_password_and_sees_only_her_clinics(aws, olga):
    status, cookie, _ = _form(aws, "/console/login", {"username": "olga", "password": "Ekaterinburg-2026"})
    assert status == 303 and cookie and "HttpOnly" in cookie and "Max-Age=3600" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    from clinic_reviews.console.auth import signed_by_pool

    assert signed_by_pool(token)
    status, queue = _api(aws, "/api/cases", token)
    assert status == 200 and [row["case"]["clinic_id"] for row in queue] == ["ekb-center"]


def test_a_wrong_password_or_an_unknown_user_get_the_same_answer(aws, olga):
    wrong = _form(aws, "/console/login", {"username": "olga", "password": "Ekaterinburg-2025"})
    unknown = _form(aws, "/console/login", {"username": "nobody", "password": "Ekaterinburg-2026"})
    assert wrong[0] == unknown[0] == 401 and wrong[1] is None and unknown[1] is None
    assert "wrong user name or password" in wrong[2] and "wrong user name or password" in unknown[2]


def test_first_sign_in_asks_for_a_new_password(aws, olga):
    from clinic_reviews_local.api_calls import paused

    pool_id = aws.physical("UserPool")
    with paused():
        aws.client("cognito-idp").admin_create_user(
            UserPoolId=pool_id, Username="ivan", TemporaryPassword="Temporary-2026", MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "custom:clinics", "Value": "msk-arbat"}, {"Name": "name", "Value": "Иван"}])
        aws.client("cognito-idp").admin_add_user_to_group(UserPoolId=pool_id, Username="ivan", GroupName="director")
    status, cookie, page = _form(aws, "/console/login", {"username": "ivan", "password": "Temporary-2026"})
    assert status == 200 and cookie is None and 'name="challenge" value="NEW_PASSWORD_REQUIRED"' in page
    session = page.split('name="session" value="', 1)[1].split('"', 1)[0]
    status, cookie, _ = _form(aws, "/console/login/challenge", {
        "username": "ivan", "session": session, "challenge": "NEW_PASSWORD_REQUIRED", "value": "My-own-password-1"})
    assert status == 303 and cookie
    status, queue = _api(aws, "/api/cases", cookie.split(";")[0].split("=", 1)[1])
    assert status == 200 and [row["case"]["clinic_id"] for row in queue] == ["msk-arbat"]


def test_tokens_of_another_client_or_of_the_wrong_use_are_refused(aws, olga):
    from clinic_reviews_local.api_calls import paused

    pool_id = aws.physical("UserPool")
    cognito = aws.client("cognito-idp")
    with paused():
        other = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="other",
                                                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]
        result = cognito.initiate_auth(ClientId=other["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": "olga", "PASSWORD": "Ekaterinburg-2026"})
    status, body = _api(aws, "/api/cases", result["AuthenticationResult"]["IdToken"])
    assert status == 401 and body["message"] == "invalid token (InvalidAudienceError)"
    from clinic_reviews_local.users import sign_in

    with paused():
        access = cognito.initiate_auth(
            ClientId=aws.physical("ConsoleClient"), AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "olga", "PASSWORD": "Ekaterinburg-2026"})["AuthenticationResult"]["AccessToken"]
    assert _api(aws, "/api/cases", access)[0] == 401  # an access token has no audience: not for this API
    assert _api(aws, "/api/cases", sign_in(aws, "olga", "Ekaterinburg-2026"))[0] == 200


def test_a_disabled_person_is_out_within_the_token_lifetime(aws, olga, monkeypatch):
    from clinic_reviews.console import pool
    from clinic_reviews_local.api_calls import paused
    from clinic_reviews_local.users import sign_in

    token = sign_in(aws, "olga", "Ekaterinburg-2026")
    with paused():
        aws.client("cognito-idp").admin_disable_user(UserPoolId=aws.physical("UserPool"), Username="olga")
    assert _form(aws, "/console/login", {"username": "olga", "password": "Ekaterinburg-2026"})[0] == 401  # at once
    assert _api(aws, "/api/cases", token)[0] == 200  # the token she holds works until it expires...
    real = time.time()
    monkeypatch.setattr(pool, "wall_clock", lambda: real + 3600 + 31)  # ...at most 60 minutes (+30 s leeway)
    status, body = _api(aws, "/api/cases", token)
    assert status == 401 and "expired" in body["message"]


def test_script_tokens_name_their_clinics_and_are_revoked_by_one_command(aws, olga, tmp_path, capsys):
    from clinic_reviews.cli import main
    from clinic_reviews.clients import secret_bytes
    from clinic_reviews.handlers import cases
    from clinic_reviews_local.api_calls import paused

    key = tmp_path / "key"
    key.write_bytes(secret_bytes("console_secret_name"))
    table = aws.physical("ReviewsTable")
    args = ["console-token", "--key-file", str(key), "--table", table, "--chain", "zdorovie", "--user", "crm",
            "--name", "CRM sync", "--role", "review_manager", "--hours", "24"]  # issued at wall time, the stack is a
    # day ahead on its virtual clock
    assert main(args) == 2  # no clinic named
    assert main([*args, "--clinic", "*"]) == 2
    assert main([*args, "--clinic", "ekb-center", "--hours", "25"]) == 2  # the last --hours counts
    capsys.readouterr()
    with paused():
        assert main([*args, "--clinic", "ekb-center"]) == 0
    token = capsys.readouterr().out.strip()
    status, queue = _api(aws, "/api/cases", token)
    assert status == 200 and [row["case"]["clinic_id"] for row in queue] == ["ekb-center"]
    with paused():
        assert main(["console-token", "--revoke", "--table", table, "--chain", "zdorovie"]) == 0
    assert "generation 1" in capsys.readouterr().out
    cases.services.cache_clear()  # a warm function sees it within a minute (its cache)
    status, body = _api(aws, "/api/cases", token)
    assert status == 401 and "revoked" in body["message"]
    with paused():
        assert main([*args, "--clinic", "ekb-center"]) == 0
    assert _api(aws, "/api/cases", capsys.readouterr().out.strip())[0] == 200  # a new one works


def test_the_pool_admits_no_self_sign_up_and_no_one_widens_their_own_clinics(aws):
    from clinic_reviews_local.api_calls import paused

    cognito = aws.client("cognito-idp")
    with paused():
        pool = cognito.describe_user_pool(UserPoolId=aws.physical("UserPool"))["UserPool"]
        client = cognito.describe_user_pool_client(
            UserPoolId=aws.physical("UserPool"), ClientId=aws.physical("ConsoleClient"))["UserPoolClient"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["MfaConfiguration"] == "OPTIONAL" and pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    assert {g["GroupName"] for g in cognito.list_groups(UserPoolId=aws.physical("UserPool"))["Groups"]} == {
        "review_manager", "head_of_client_service", "director", "legal"}
    assert "custom:clinics" in client["ReadAttributes"] and "custom:clinics" not in client["WriteAttributes"]
    units = client["TokenValidityUnits"]
    assert (client["IdTokenValidity"], units["IdToken"]) == (60, "minutes")
    assert (client["AccessTokenValidity"], units["AccessToken"]) == (60, "minutes")


def test_with_default_parameters_nothing_is_reachable_without_a_pool_account(aws):
    status, headers, _ = aws.http("CasesFunction", "GET", "/console", None, {"host": "console.example"})
    assert status == 303 and {k.lower(): v for k, v in headers.items()}["location"] == "/console/login"
    status, _, _ = aws.http("CasesFunction", "GET", "/api/cases", None, {"host": "console.example"})
    assert status == 401
