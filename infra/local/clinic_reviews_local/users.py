"""The console's people in the local stack's user pool (moto's cognito-idp), and the pool's keys.

- `add_user`: an account as an administrator creates it on AWS (`aws cognito-idp admin-create-user`, then
  the group of its role and `custom:clinics`), here with a permanent password at once.
- `add_demo_users`: the policy's demo users (console/auth.dev_users) with the local demo password; the
  console's one-click demo sign-in (`LocalStack(dev_login=True)`) signs them in with it, through the pool.
- `sign_in`: the ID token of a user, through the console's app client (the demo's API calls use it).
- `jwks_transport`: the pool's JWKS URL answered as moto publishes it (in-process moto intercepts `requests`,
  not httpx): the functions fetch and verify real RS256 keys, the ones moto signs its tokens with.
"""

from __future__ import annotations

from typing import Any

import httpx

from clinic_reviews_local.api_calls import paused

#: Local only: the demo users' password. The deployed pool has no such users (AllowAdminCreateUserOnly).
DEMO_PASSWORD = "Local-demo-2026"


def _pool_ids(aws) -> tuple[str, str]:
    return aws.physical("UserPool"), aws.physical("ConsoleClient")


def add_user(aws, username: str, password: str, role: str, clinics: tuple[str, ...] | list[str], name: str,
             email: str | None = None) -> None:
    pool_id, _ = _pool_ids(aws)
    cognito = aws.client("cognito-idp")
    attributes = [{"Name": "name", "Value": name}, {"Name": "custom:clinics", "Value": ",".join(clinics)}]
    if email:
        attributes += [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    with paused():
        cognito.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=attributes,
                                  MessageAction="SUPPRESS")
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=role)


def add_demo_users(aws, policy) -> list[Any]:
    from clinic_reviews.console.auth import dev_users

    users = dev_users(policy)
    existing = set()
    with paused():
        for page in aws.client("cognito-idp").get_paginator("list_users").paginate(UserPoolId=_pool_ids(aws)[0]):
            existing |= {u["Username"] for u in page["Users"]}
    for user in users:
        if user.id not in existing:
            add_user(aws, user.id, DEMO_PASSWORD, user.role, user.clinics, user.name)
    return users


def sign_in(aws, username: str, password: str = DEMO_PASSWORD) -> str:
    _, client_id = _pool_ids(aws)
    with paused():
        answer = aws.client("cognito-idp").initiate_auth(
            ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
        )
    return answer["AuthenticationResult"]["IdToken"]


def _serve_jwks(request: httpx.Request) -> httpx.Response:
    import requests

    if not request.url.path.endswith("/.well-known/jwks.json"):
        return httpx.Response(404)
    answer = requests.get(str(request.url), timeout=5)
    return httpx.Response(answer.status_code, content=answer.content, headers={"content-type": "application/json"})


jwks_transport = httpx.MockTransport(_serve_jwks)
