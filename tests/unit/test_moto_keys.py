"""KMS keys get their RSA material when first used, Cognito pools share one imported key, and both answer as moto
answers without it (clinic_reviews_local/moto_keys.py)."""

from __future__ import annotations

import os
from unittest import mock

import boto3
from clinic_reviews_local import moto_keys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from moto import mock_aws

_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1"}
ACCOUNT, REGION = "123456789012", "eu-central-1"


def _kms(lazy: bool) -> dict:
    from moto.kms.models import kms_backends

    with mock.patch.dict(os.environ, _ENV), mock_aws(), (moto_keys.installed() if lazy else mock.MagicMock()):
        kms = boto3.client("kms", region_name=REGION)
        symmetric = kms.create_key(Description="data")["KeyMetadata"]["KeyId"]
        sealed = kms.encrypt(KeyId=symmetric, Plaintext=b"secret")["CiphertextBlob"]
        signing = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
        keys = kms_backends[ACCOUNT][REGION].keys
        untouched = type(keys[signing].private_key).__name__
        signature = kms.sign(KeyId=signing, Message=b"m", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["Signature"]
        public = serialization.load_der_public_key(kms.get_public_key(KeyId=signing)["PublicKey"])
        public.verify(signature, b"m", padding.PKCS1v15(), hashes.SHA256())  # raises when the pair does not match
        return {
            "decrypted": kms.decrypt(CiphertextBlob=sealed)["Plaintext"],
            "verified": kms.verify(KeyId=signing, Message=b"m", Signature=signature,
                                   SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["SignatureValid"],
            "symmetric_key_made": getattr(keys[symmetric].private_key, "generated", True),
            "signing_key_before_use": untouched,
            "described": kms.describe_key(KeyId=signing)["KeyMetadata"]["SigningAlgorithms"],
        }


def test_a_kms_key_makes_its_rsa_material_only_when_used_and_signs_as_moto_does():
    own, lazy = _kms(lazy=False), _kms(lazy=True)
    assert own["symmetric_key_made"] is True and own["signing_key_before_use"] == "RSAPrivateKey"
    assert lazy["symmetric_key_made"] is False and lazy["signing_key_before_use"] == "LazyPrivateKey"
    for answers in (own, lazy):
        answers.pop("symmetric_key_made"), answers.pop("signing_key_before_use")
    assert lazy == own
    assert own["decrypted"] == b"secret" and own["verified"] is True


def _cognito(shared: bool) -> dict:
    from joserfc import jwk, jwt
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.utilities.utils import load_resource

    with mock.patch.dict(os.environ, _ENV), mock_aws(), (moto_keys.installed() if shared else mock.MagicMock()):
        idp = boto3.client("cognito-idp", region_name=REGION)
        pools = [idp.create_user_pool(PoolName=f"p{i}")["UserPool"]["Id"] for i in range(2)]
        client = idp.create_user_pool_client(UserPoolId=pools[1], ClientName="c",
                                             ExplicitAuthFlows=["ADMIN_USER_PASSWORD_AUTH"])["UserPoolClient"]
        idp.admin_create_user(UserPoolId=pools[1], Username="u", TemporaryPassword="Passw0rd!x",
                              MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pools[1], Username="u", Password="Passw0rd!x", Permanent=True)
        tokens = idp.admin_initiate_auth(UserPoolId=pools[1], ClientId=client["ClientId"],
                                         AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": "u", "PASSWORD": "Passw0rd!x"})
        published = jwk.KeySet.import_key_set(load_resource("cognitoidp/resources/jwks-public.json"))
        claims = jwt.decode(tokens["AuthenticationResult"]["IdToken"], published).claims  # verifies the signature
        keys = [cognitoidp_backends[ACCOUNT][REGION].user_pools[p].json_web_key for p in pools]
        return {"user": claims["cognito:username"], "shared": keys[0] is keys[1]}


def test_cognito_pools_share_one_imported_key_that_signs_tokens_moto_publishes():
    assert _cognito(shared=False) == {"user": "u", "shared": False}
    assert _cognito(shared=True) == {"user": "u", "shared": True}
