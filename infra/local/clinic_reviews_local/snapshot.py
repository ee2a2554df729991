"""The deployed local stack kept between processes: moto's backends right after the deploy, restored instead of
deploying again (docs/notes.md, issue-18g).

Deploying template.yaml into moto is ~400 API calls (about two thirds of a stack's start). What they leave behind is
moto's backends (one object per service, account and region) plus our own record of the deploy (`Stack`, and the
principals the IAM authorizer read). Both are pickled into `.cache/local-stack/<key>.pickle` after a deploy; the key
is a hash of everything that decides them: the transformed template, the parameters, the stack's name, the versions
of Python and of the libraries installed beside moto (their `*.dist-info` names), and the source of the local
stack's code (this package and the secrets' initialization). A start with the same key unpickles the backends into
moto's registries (`BackendDict`s) and the later calls see what they would have seen after a deploy; anything else
deploys (and writes the snapshot for next time).

Restored state is a copy of an earlier deploy, as a deployed stack on AWS is: the same random ids (function URLs,
the user pool and its client, role ids) and the same generated secrets (SSM SecureStrings) for every start with the
same key. Delete `.cache/local-stack` for new ones.

moto's Step Functions interpreter is kept apart (`LATER`) and put back when moto first imports it (a workflow created,
started or listed): a start that runs no workflow, such as a demo re-run, never imports the interpreter (~0.2 s CPU).

What moto keeps that pickle does not take is reduced here (`_Pickler`): locks (a new one), weak-value dictionaries
(rebuilt from their entries), private keys (DER bytes), two defaultdicts' lambda factories (named ones), a defaultdict subclass's own
__init__ (not called).
tests/integration/test_local_stack_snapshot.py compares a restored stack with a deployed one.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import pickle
import sys
import tempfile
import threading
import uuid
import weakref
from collections import defaultdict
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Any

from clinic_reviews_local.deferred_imports import when_imported

#: Where the snapshots are kept, under the project root (like the SAM transform's cache).
SNAPSHOTS = Path(".cache") / "local-stack"
_LOCKS = (type(threading.Lock()), type(threading.RLock()))


#: Snapshots kept in the folder: the newest (each code change makes a new key; tests use a few parameter sets).
KEEP = 8
#: Modules whose backends a snapshot keeps apart, put back when the module is first imported (see the docstring).
LATER = ("moto.stepfunctions.parser.models",)


def sources() -> list[Path]:
    """The code whose changes change a deploy: the local stack's package and the secrets' initialization."""
    from clinic_reviews import stack_secrets

    return [*sorted(Path(__file__).parent.glob("*.py")), Path(stack_secrets.__file__)]


def installed() -> list[str]:
    """The distributions (name and version) installed beside moto: the libraries whose objects a snapshot holds."""
    import moto

    return sorted(p.name for p in Path(moto.__file__).parents[1].glob("*.dist-info"))


def snapshot_key(template: dict[str, Any], parameters: dict[str, Any], stack_name: str,
                 code: list[Path] | None = None) -> str:
    """A hash of everything that decides what a deploy leaves in moto (see the module docstring)."""
    digest = hashlib.sha256()
    digest.update(json.dumps([template, parameters, stack_name, sys.version], sort_keys=True, default=str).encode())
    digest.update(" ".join(installed()).encode())
    for path in sources() if code is None else code:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:32]


def _dict_of_dicts() -> defaultdict:
    return defaultdict(dict)


#: moto's defaultdicts whose factory is a lambda (pickle cannot name it), by the lambda's name: the same, named.
_FACTORIES = {
    "SimpleSystemManagerBackend.__init__.<locals>.<lambda>": _dict_of_dicts,  # defaultdict(lambda: defaultdict(dict))
    "LambdaStorage.__init__.<locals>.<lambda>": dict,  # defaultdict(lambda: {})
}


def _defaultdict(cls: type, factory: Any) -> defaultdict:
    """An empty `cls` (a defaultdict subclass) without its own __init__ (SSM's ParameterDict takes other arguments)."""
    made = cls.__new__(cls)
    defaultdict.__init__(made, factory)
    return made


def _weak_values(items: dict[Any, Any]) -> weakref.WeakValueDictionary:
    return weakref.WeakValueDictionary(items)


def _private_key(der: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    return load_der_private_key(der, password=None)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        if isinstance(obj, _LOCKS):
            return type(obj), ()  # never held between calls
        if isinstance(obj, weakref.WeakValueDictionary):
            return _weak_values, (dict(obj.items()),)  # the values are pickled (kept) wherever else they are held
        if isinstance(obj, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            der = obj.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            return _private_key, (der,)
        if isinstance(obj, defaultdict):
            factory = _FACTORIES.get(getattr(obj.default_factory, "__qualname__", ""), obj.default_factory)
            if factory is not obj.default_factory or type(obj) is not defaultdict:
                return _defaultdict, (type(obj), factory), getattr(obj, "__dict__", None), None, iter(obj.items())
        return NotImplemented


def moto_backends() -> dict[tuple[str, str], dict[str, Any]]:
    """moto's backends in use: (module, name of its BackendDict) -> account -> its AccountSpecificBackend (the
    backends by region, and the account's list of regions, which moto builds from botocore's models)."""
    from moto.core.base_backend import BackendDict

    found: dict[tuple[str, str], dict[str, Any]] = {}
    for backends in BackendDict._instances:
        module = sys.modules[backends.backend.__module__]
        name = next(n for n, value in vars(module).items() if value is backends)
        found[(module.__name__, name)] = dict(dict.items(backends))
    return found


def _restore_backends(found: dict[tuple[str, str], dict[str, Any]]) -> None:
    from moto.core.base_backend import BackendDict, backend_lock

    with backend_lock:
        for (module, name), accounts in found.items():
            backends = getattr(importlib.import_module(module), name)
            for account, regions in accounts.items():
                regions._id = str(uuid.uuid4())  # its identity (hash, equality) is its own, as a new one's is
                dict.__setitem__(backends, account, regions)
            if backends not in BackendDict._instances:  # moto resets these when the mock stops
                BackendDict._instances.append(backends)


class Snapshots:
    """Snapshots of deployed stacks in `folder`, by key."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.pickle"

    def restore(self, key: str, later: ExitStack | None = None) -> Any | None:
        """The deploy's record (what `save` was given), with moto's backends put back; None when there is none.
        With `later`, the backends of `LATER` modules not imported yet are put back when they are, while it is open."""
        try:
            data = self._path(key).read_bytes()
        except FileNotFoundError:
            return None
        saved = pickle.loads(data)  # noqa: S301 - our own file under .cache, keyed by the code that wrote it
        _restore_backends(saved["backends"])
        for (module, name), kept in saved["later"].items():
            def put_back(found=((module, name), kept)) -> nullcontext:
                _restore_backends({found[0]: pickle.loads(found[1])})  # noqa: S301 - as above
                return nullcontext()

            if later is None:
                put_back()
            else:
                later.enter_context(when_imported(module, put_back))
        return saved["record"]

    def save(self, key: str, record: Any) -> None:
        """Keep moto's backends as they are now and `record`; written whole or not at all (parallel test workers)."""
        found = moto_backends()
        kept = {}
        for module, name in [k for k in found if k[0] in LATER]:
            apart = io.BytesIO()
            _Pickler(apart, protocol=pickle.HIGHEST_PROTOCOL).dump(found.pop((module, name)))
            kept[(module, name)] = apart.getvalue()
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump({"backends": found, "later": kept, "record": record})
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(buffer.getvalue())
        os.replace(temporary, self._path(key))
        self._prune()

    def _prune(self) -> None:
        """Only the KEEP newest snapshots stay (another process may be pruning too)."""
        kept = sorted(self.folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime if p.exists() else 0, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
