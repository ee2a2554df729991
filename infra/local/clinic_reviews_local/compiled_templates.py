"""The messages' jinja2 templates compiled once and kept for later runs of the local stack (`kept`, entered by
stack.py), as Python keeps modules' bytecode in __pycache__: a demo re-run renders 16 templates, and compiling
them was ~0.2 s of its CPU.

jinja2's FileSystemBytecodeCache checks each entry against its template's source and the Python version, not
against the environment's options (autoescape, trim blocks), which are compiled into the code: the file names
here carry a digest of notify/rendering.py, where they are set, and jinja2's version. A folder that cannot be
read or written only compiles.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2
from jinja2 import FileSystemBytecodeCache


class _KeptTemplates(FileSystemBytecodeCache):
    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def options_digest() -> str:
    """jinja2's version and notify/rendering.py (the environment's options are compiled into the templates)."""
    from clinic_reviews.notify import rendering

    source = Path(rendering.__file__).read_bytes()
    return hashlib.sha256(f"{jinja2.__version__}\n".encode() + source).hexdigest()[:16]


def bytecode_cache(folder: Path) -> FileSystemBytecodeCache:
    """The compiled templates kept in `folder`."""
    return _KeptTemplates(str(folder), pattern=f"__jinja2_%s.{options_digest()}.cache")


@contextmanager
def kept(folder: Path) -> Iterator[None]:
    """While open, the messages' environment (notify/rendering.py) reads and writes its compiled templates in
    `folder`."""
    from clinic_reviews.notify.rendering import environment

    folder.mkdir(parents=True, exist_ok=True)
    env = environment()
    previous, env.bytecode_cache = env.bytecode_cache, bytecode_cache(folder)
    try:
        yield
    finally:
        env.bytecode_cache = previous
