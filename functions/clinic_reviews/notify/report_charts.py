"""The monthly report's charts as small PNGs (matplotlib, Agg, no pyplot).

matplotlib is imported here, inside `render_charts`, and nowhere else: the other functions share the
package but never pay for it at a cold start.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass

from clinic_reviews.domain.labels import SOURCE_NAMES, TOPIC_NAMES, label
from clinic_reviews.domain.report import UNANSWERED, MonthlyReport

WIDTH, DPI = 4.8, 125  # 600 px wide, type large enough to read when a phone shrinks it to ~360 px
NEGATIVE, NEUTRAL, POSITIVE, PREVIOUS, ACCENT = "#cf222e", "#8c959f", "#2da44e", "#c8d1da", "#0969da"
BUCKET_NAMES = {
    "1h": ("≤ 1 ч", "≤ 1 h"),
    "4h": ("1–4 ч", "1–4 h"),
    "8h": ("4–8 ч", "4–8 h"),
    "24h": ("8–24 ч", "8–24 h"),
    "more": ("> 24 ч", "> 24 h"),
    UNANSWERED: ("без ответа", "unanswered"),
}
MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    png: bytes

    @property
    def filename(self) -> str:
        return f"{self.name}.png"

    @property
    def content_id(self) -> str:
        return f"{self.name}@report"


def _text(lang: str, ru: str, en: str) -> str:
    return en if lang == "en" else ru


def _month_short(report: MonthlyReport, first) -> str:
    if report.lang == "en":
        return first.strftime("%b %Y")
    return f"{MONTHS_SHORT[first.month - 1]} {first.year}"


def render_charts(report: MonthlyReport) -> list[Chart]:
    """volume, response, bottlenecks, clinics (each only when it has something to show)."""
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "matplotlib"))
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    lang = report.lang
    charts: list[Chart] = []

    def figure(height: float) -> tuple:
        fig = Figure(figsize=(WIDTH, height), dpi=DPI)
        ax = fig.add_subplot()
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(labelsize=9)
        return fig, ax

    def save(name: str, title: str, fig) -> None:
        fig.tight_layout(pad=0.6)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        charts.append(Chart(name, title, buffer.getvalue()))

    if report.is_empty:
        return charts

    # 1. reviews per day, by sentiment
    fig, ax = figure(2.3)
    days = [d.day for d, *_ in report.daily]
    neg = [n for _, n, _, _ in report.daily]
    neu = [n for _, _, n, _ in report.daily]
    pos = [n for _, _, _, n in report.daily]
    ax.bar(days, neg, color=NEGATIVE, label=_text(lang, "негатив", "negative"), width=0.8)
    ax.bar(days, neu, bottom=neg, color=NEUTRAL, label=_text(lang, "нейтрально", "neutral"), width=0.8)
    ax.bar(days, pos, bottom=[a + b for a, b in zip(neg, neu)], color=POSITIVE,
           label=_text(lang, "позитив", "positive"), width=0.8)
    ax.set_xlim(0.3, len(days) + 0.7)
    ax.set_xticks([d for d in days if d == 1 or d % 5 == 0])
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8, frameon=False, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              columnspacing=1.5, handlelength=1.2)
    title = _text(lang, "Обращения по дням", "Requests by day")
    ax.set_title(title, fontsize=10, loc="left")
    save("volume", title, fig)

    # 2. time to first reply (business time), negatives and the rest
    if any(n or o for _, n, o in report.response):
        fig, ax = figure(2.3)
        names = [BUCKET_NAMES[b][1 if lang == "en" else 0] for b, _, _ in report.response]
        negatives = [n for _, n, _ in report.response]
        others = [o for _, _, o in report.response]
        positions = list(range(len(names)))
        ax.bar([p - 0.2 for p in positions], negatives, width=0.4, color=NEGATIVE, label=_text(lang, "негатив", "negative"))
        ax.bar([p + 0.2 for p in positions], others, width=0.4, color=ACCENT,
               label=_text(lang, "остальные", "the rest"))
        ax.set_xticks(positions, names)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=8, frameon=False)
        title = _text(lang, "Время до первого ответа (рабочее)", "Time to first reply (business time)")
        ax.set_title(title, fontsize=10, loc="left")
        save("response", title, fig)

    # 3. bottlenecks: negative mentions by topic, this month and last
    if report.bottlenecks:
        items = list(reversed(report.bottlenecks))
        fig, ax = figure(0.8 + 0.36 * len(items))
        names = [label(TOPIC_NAMES, b.topic, lang) for b in items]
        positions = list(range(len(items)))
        if report.has_previous:
            ax.barh([p - 0.2 for p in positions], [b.previous or 0 for b in items], height=0.4, color=PREVIOUS,
                    label=_month_short(report, report.previous_month))
            ax.barh([p + 0.2 for p in positions], [b.count for b in items], height=0.4, color=NEGATIVE,
                    label=_month_short(report, report.month))
            ax.legend(fontsize=8, frameon=False, loc="lower right")
        else:
            ax.barh(positions, [b.count for b in items], height=0.55, color=NEGATIVE)
        ax.set_yticks(positions, names)
        ax.xaxis.get_major_locator().set_params(integer=True)
        title = _text(lang, "Узкие места: темы негативных отзывов", "Bottlenecks: topics of negative reviews")
        ax.set_title(title, fontsize=10, loc="left")
        save("bottlenecks", title, fig)

    # 4. average rating by clinic and by platform, this month and last
    rows = [("clinic", r) for r in report.clinics if r.current.average_rating is not None]
    rows += [("platform", r) for r in report.platforms if r.current.average_rating is not None]
    if rows:
        rows = list(reversed(rows))
        fig, ax = figure(0.8 + 0.32 * len(rows))
        names = [
            report.clinic_names.get(r.key, r.key) if kind == "clinic" else label(SOURCE_NAMES, r.key, lang)
            for kind, r in rows
        ]
        positions = list(range(len(rows)))
        current = [r.current.average_rating for _, r in rows]
        colors = [ACCENT if kind == "clinic" else "#8250df" for kind, _ in rows]
        if report.has_previous:
            previous = [(r.previous.average_rating if r.previous else None) or 0 for _, r in rows]
            ax.barh([p - 0.2 for p in positions], previous, height=0.4, color=PREVIOUS,
                    label=_month_short(report, report.previous_month))
            ax.barh([p + 0.2 for p in positions], current, height=0.4, color=colors)
        else:
            ax.barh(positions, current, height=0.55, color=colors)
        for p, value in zip(positions, current):
            ax.text(value + 0.05, p + (0.2 if report.has_previous else 0), f"{value:.1f}", va="center", fontsize=8)
        ax.set_xlim(0, 5.4)
        ax.set_yticks(positions, names)
        title = _text(lang, "Средняя оценка: клиники и площадки", "Average rating: clinics and platforms")
        ax.set_title(title, fontsize=10, loc="left")
        save("ratings", title, fig)
    return charts
