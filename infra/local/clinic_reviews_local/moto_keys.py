"""Key material in the embedded AWS: made when first used, and the same key parsed once per process.

- KMS: moto 5.2.5's `Key` generates an RSA-2048 private key for every key it creates (30-300 ms of CPU, random),
  even a symmetric one, which uses it only if someone calls Sign, Verify or GetPublicKey on it, which AWS refuses
  for a symmetric key anyway. Here the private key is generated on its first use (`LazyPrivateKey`).
- Cognito: every user pool imports the same bundled JWKS private key (`jwks-private.json`; joserfc recovers the
  primes from it: 80-200 ms). Pools of moto share that key's contents anyway; here they share one imported key
  (`SharedRSAKey`). The key is read-only once imported (it signs tokens).

`installed()` patches both into moto's models; tests/unit/test_moto_keys.py compares with moto's own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

_lock = threading.Lock()


class LazyPrivateKey:
    """moto's KMS private key for `key_spec`, generated when first used (attribute access is delegated)."""

    def __init__(self, generate: Any, key_spec: str):
        self._generate, self._key_spec, self._key = generate, key_spec, None

    @property
    def generated(self) -> bool:
        return self._key is not None

    def real(self) -> Any:
        with _lock:
            if self._key is None:
                self._key = self._generate(self._key_spec)
        return self._key

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # copy/pickle probes are not a use
        return getattr(self.real(), name)


class SharedRSAKey:
    """joserfc's `RSAKey` as moto's Cognito pools import their signing key: one imported key per key document."""

    imported: dict[str, Any] = {}

    @classmethod
    def import_key(cls, value: Any) -> Any:
        from joserfc import jwk

        text = json.dumps(value, sort_keys=True)
        with _lock:
            if text not in cls.imported:
                cls.imported[text] = jwk.RSAKey.import_key(value)
            return cls.imported[text]


class _Jwk:
    """`joserfc.jwk` as moto.cognitoidp.models sees it (it uses `jwk.RSAKey.import_key` only)."""

    RSAKey = SharedRSAKey

    def __getattr__(self, name: str) -> Any:
        from joserfc import jwk

        return getattr(jwk, name)


@contextmanager
def installed() -> Iterator[None]:
    import moto.cognitoidp.models as cognito_models
    import moto.kms.models as kms_models

    generate = kms_models.generate_private_key
    with ExitStack() as patches:
        patches.enter_context(mock.patch.object(kms_models, "generate_private_key",
                                                lambda key_spec: LazyPrivateKey(generate, key_spec)))
        patches.enter_context(mock.patch.object(cognito_models, "jwk", _Jwk()))
        yield
