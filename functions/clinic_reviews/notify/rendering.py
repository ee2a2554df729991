"""The jinja2 environment for every message: HTML templates autoescaped, text templates not.

Compiled templates are kept in the temp folder (jinja2's FileSystemBytecodeCache: a folder of this user's alone,
each entry checked against its template's source and the Python version; its file names carry jinja2's version
and a digest of this file, where the options compiled into the code are set), so a process that renders them again
(the local stack and the demo's re-run, the CLI, tests) does not compile them again (~0.2 s for a demo run). On
Lambda a new environment's /tmp is empty: it compiles as before. A cache that cannot be read or written is skipped.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined

from clinic_reviews.domain.labels import SENTIMENT_NAMES, SOURCE_NAMES, TOPIC_NAMES, TRIAGE_NAMES, label


def _local(moment: datetime | None, tz: str, fmt: str = "%d.%m.%Y %H:%M") -> str:
    return "" if moment is None else moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def _stars(rating: int | None) -> str:
    return "—" if rating is None else "★" * rating + "☆" * (5 - rating)


class _CompiledTemplates(FileSystemBytecodeCache):
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
    """jinja2's version and this file (the environment's options are compiled into the templates' code)."""
    return hashlib.sha256(f"{jinja2.__version__}\n".encode() + Path(__file__).read_bytes()).hexdigest()[:16]


def compiled_templates(directory: str | None = None) -> FileSystemBytecodeCache | None:
    """The cache of compiled templates (default: jinja2's folder in the temp folder)."""
    try:
        return _CompiledTemplates(directory, pattern=f"__jinja2_%s.{options_digest()}.cache")
    except (OSError, RuntimeError):  # no temp folder, or one another user could write to: compile each time
        return None


@lru_cache(maxsize=1)
def environment() -> Environment:
    return build_environment(compiled_templates())


def build_environment(bytecode_cache: FileSystemBytecodeCache | None) -> Environment:
    env = Environment(
        bytecode_cache=bytecode_cache,
        loader=PackageLoader("clinic_reviews.notify", "templates"),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["local"] = _local
    env.filters["stars"] = _stars
    env.globals.update(
        source_name=lambda key, lang: label(SOURCE_NAMES, key, lang),
        sentiment_name=lambda key, lang: label(SENTIMENT_NAMES, key, lang),
        topic_name=lambda key, lang: label(TOPIC_NAMES, key, lang),
        triage_name=lambda key, lang: label(TRIAGE_NAMES, key, lang),
    )
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
