"""The running cost of the system as a small block at the end of the monthly report: the estimate of
`clinic-reviews cost` for the month's real review count, and Cost Explorer's figure where there is one."""

from __future__ import annotations

from dataclasses import replace
from html import escape

MARK = "</div></body>"


def cost_lines(estimate: dict, actual_usd: float | None, lang: str) -> list[str]:
    ru = lang != "en"
    lines = [
        (f"Работа системы в AWS: около ${estimate['per_chain_month_usd']:.2f} в месяц на сеть, "
         f"${estimate['per_clinic_month_usd']:.2f} на клинику ({estimate['reviews_per_month']:g} отзывов, "
         f"по ценам {estimate['region']} на {estimate['prices_as_of']})") if ru else
        (f"Running this system on AWS: about ${estimate['per_chain_month_usd']:.2f} a month for the chain, "
         f"${estimate['per_clinic_month_usd']:.2f} a clinic ({estimate['reviews_per_month']:g} reviews, "
         f"{estimate['region']} list prices of {estimate['prices_as_of']})"),
    ]
    if estimate.get("sms_usd") is not None:
        lines.append(f"SMS сотрудникам: около ${estimate['sms_usd']:.2f}" if ru
                     else f"SMS to staff: about ${estimate['sms_usd']:.2f}")
    if actual_usd is not None:
        lines.append(f"Счёт AWS за месяц (Cost Explorer): ${actual_usd:.2f}" if ru
                     else f"AWS bill of the month (Cost Explorer): ${actual_usd:.2f}")
    return lines


def report_with_cost(documents, estimate: dict, actual_usd: float | None, lang: str):
    """The report's documents (notify.report_render.ReportDocuments) with the cost block at their end."""
    lines = cost_lines(estimate, actual_usd, lang)
    block = '<p class="cost" style="color:#666;font-size:12px">' + "<br>".join(escape(x) for x in lines) + "</p>"

    def add(html: str) -> str:
        at = html.rfind(MARK)
        return html + block if at < 0 else html[:at] + block + html[at:]

    return replace(documents, email_html=add(documents.email_html), archive_html=add(documents.archive_html),
                   text=documents.text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n")
