"""The jinja2 environment for every message: HTML templates autoescaped, text templates not."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from clinic_reviews.domain.labels import SENTIMENT_NAMES, SOURCE_NAMES, TOPIC_NAMES, TRIAGE_NAMES, label


def _local(moment: datetime | None, tz: str, fmt: str = "%d.%m.%Y %H:%M") -> str:
    return "" if moment is None else moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def _stars(rating: int | None) -> str:
    return "—" if rating is None else "★" * rating + "☆" * (5 - rating)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
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
