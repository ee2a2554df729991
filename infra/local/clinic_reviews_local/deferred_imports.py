"""moto packages the local stack never uses, imported when first used instead of when another module names them.

moto 5.2.5's Step Functions interpreter imports `moto.batch.utils` (for one enum of its Batch task), which runs
`moto/batch/__init__.py`, which imports Batch's models and with them all of EC2 (`moto.ec2`: ~300 modules, a
Regions-and-zones backend built at import from three boto3 Sessions, 91 instance-type files): about 0.4 s CPU of a
0.9-2 s stack start. SSM's models import `ec2_backends` only to look up instances for `SendCommand` targets.
Nothing here calls EC2 or Batch.

`deferred(...)` puts a stand-in for each package into `sys.modules` (and on its parent) before anything imports it.
The stand-in has the package's `__path__`, so its submodules (`moto.batch.utils`) import as usual; the first time a
name the package's `__init__` would define is asked for, the `__init__` runs in the stand-in, which is then the
package itself. The modules known to bind such a name at their import (`from moto.ec2 import ec2_backends` in SSM's
models) are imported right then, and get a `Later` reference that loads the package when it is used; anyone else
asking (moto's dispatcher for an EC2 request) loads it at once. tests/unit/test_deferred_imports.py checks both.

`when_imported(module, install)` is the other half: what the local stack patches in a module it may never need is
installed right after that module's own code runs, when something first imports it. moto's Step Functions interpreter
(`STEP_FUNCTIONS`, ~0.2 s CPU to import: its ANTLR parser's tables) is imported by moto when a workflow is first
created, started or listed; a demo re-run, which runs none, never imports it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

#: moto's Step Functions interpreter (its backend and the ASL parser): imported when a workflow is first used.
STEP_FUNCTIONS = "moto.stepfunctions.parser.models"

#: package -> {a name other modules bind from it at their import: those modules}; they are imported with a `Later`.
MOTO_PACKAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "moto.batch": {},
    "moto.ec2": {"ec2_backends": ("moto.ssm.models",)},
}

_lock = threading.RLock()
_loading: set[str] = set()
_handing_out: set[tuple[str, str]] = set()  # (package, name) answered with a Later right now


class DeferredPackage(types.ModuleType):
    """A package whose `__init__` has not run yet (see the module docstring)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or self.__name__ in _loading:
            raise AttributeError(name)  # dunder probes; a name its own __init__ has not bound yet
        if (self.__name__, name) in _handing_out:
            return Later(self.__name__, name)
        return getattr(load(self), name)


def load(module: types.ModuleType) -> types.ModuleType:
    """Run a deferred package's `__init__` (once, whichever thread asks first); other modules pass through."""
    with _lock:
        if type(module) is DeferredPackage and module.__name__ not in _loading:
            _loading.add(module.__name__)
            try:
                module.__spec__.loader.exec_module(module)
                module.__class__ = types.ModuleType
            finally:
                _loading.discard(module.__name__)
    return module


class Later:
    """A deferred package's attribute, bound before the package loaded: the first use loads it."""

    def __init__(self, package: str, name: str):
        self._package, self._name = package, name

    def resolve(self) -> Any:
        return getattr(load(importlib.import_module(self._package)), self._name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.resolve(), name)

    def __getitem__(self, key: Any) -> Any:
        return self.resolve()[key]

    def __contains__(self, key: Any) -> bool:
        return key in self.resolve()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.resolve())

    def __len__(self) -> int:
        return len(self.resolve())


def _stand_in(name: str) -> DeferredPackage | None:
    if name in sys.modules:
        return None  # already imported: nothing to save
    module = importlib.util.module_from_spec(importlib.util.find_spec(name))
    module.__class__ = DeferredPackage
    return module


@contextmanager
def deferred(packages: dict[str, dict[str, tuple[str, ...]]] = MOTO_PACKAGES) -> Iterator[list[str]]:
    """While open, `packages` not yet imported are stand-ins (yielded: their names); on close those never used are
    taken out again (a `Later` handed out still works: it imports the package then)."""
    installed = []
    with _lock:
        for name, binders in packages.items():
            module = _stand_in(name)
            if module is None:
                continue
            parent, _, child = name.rpartition(".")
            sys.modules[name] = module
            setattr(sys.modules[parent], child, module)
            installed.append(name)
            for bound, importers in binders.items():
                _handing_out.add((name, bound))
                try:
                    for importer in importers:
                        importlib.import_module(importer)
                finally:
                    _handing_out.discard((name, bound))
    try:
        yield installed
    finally:
        with _lock:
            for name in installed:
                module = sys.modules.get(name)
                if type(module) is DeferredPackage:
                    del sys.modules[name]
                    parent, _, child = name.rpartition(".")
                    if getattr(sys.modules[parent], child, None) is module:
                        delattr(sys.modules[parent], child)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds the modules someone waits for (`when_imported`) as the path finder does, and runs what waits for each
    right after the module's own code, inside its import: whoever imported it gets it patched."""

    def __init__(self):
        self.waiting: dict[str, list[Callable[[], None]]] = {}

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in self.waiting:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenRun(spec.loader, self, fullname)
        return spec

    def ran(self, fullname: str) -> None:
        with _lock:
            waiting = self.waiting.pop(fullname, [])
        for then in waiting:
            then()


class _ThenRun(importlib.abc.Loader):
    def __init__(self, loader: Any, hook: _AfterImport, fullname: str):
        self._loader, self._hook, self._fullname = loader, hook, fullname

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        self._hook.ran(self._fullname)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)  # get_source, get_filename, is_package, ...


_after_import = _AfterImport()


@contextmanager
def when_imported(module: str, install: Callable[[], AbstractContextManager]) -> Iterator[None]:
    """`install()` entered as soon as `module` is imported (at once when it is already), in the importing thread;
    closed with this block. Not imported by then: nothing was installed and nothing waits any more."""
    opened = ExitStack()

    def then() -> None:
        opened.enter_context(install())

    with _lock:
        waits = module not in sys.modules
        if waits:
            if _after_import not in sys.meta_path:
                sys.meta_path.insert(0, _after_import)
            _after_import.waiting.setdefault(module, []).append(then)
    if not waits:
        then()
    try:
        yield
    finally:
        with _lock:
            waiting = _after_import.waiting.get(module, [])
            if then in waiting:
                waiting.remove(then)
            if not waiting:
                _after_import.waiting.pop(module, None)
            if not _after_import.waiting and _after_import in sys.meta_path:
                sys.meta_path.remove(_after_import)
        opened.close()
