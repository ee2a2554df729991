"""The demo's post-visit step (docs/feedback.md): two completed visits, their SMS, and the landing page in
Chromium, saved as OUT/feedback.png. Without a browser the step still runs and says why it took no picture.

The visits are at the first clinic where it is inside the send window when the demo's clock stops, so
their SMS go at once, and their ids come from that day: a second run on the same folder sends nothing again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from clinic_reviews_local.browser import Shot

SCREENSHOT = "feedback.png"


def _clinic_in_window(policy, now: datetime):
    from clinic_reviews.domain.feedback import next_in_window

    for clinic in policy.clinics:
        if next_in_window(now, policy.feedback.window, ZoneInfo(clinic.timezone)) == now:
            return clinic
    return None


def run_feedback_step(aws, policy, out: Path, now: datetime) -> dict[str, Any]:
    """Send the visits, let their SMS go, start the screenshot of the first one's page (`report_screenshot` waits
    for it); prints one line per outcome."""
    if policy.feedback is None or not policy.feedback.enabled:
        print("feedback: skipped (the policy asks no patients after the visit: no `feedback` section)")
        return {"visits": 0}
    clinic = _clinic_in_window(policy, now)
    if clinic is None:
        print("feedback: skipped (no clinic is inside the send window when the demo ends)")
        return {"visits": 0}
    day = now.astimezone(ZoneInfo(clinic.timezone)).strftime("%Y%m%d")
    visit_end = (now - timedelta(minutes=90)).isoformat()
    visits = [
        {"clinic_id": clinic.id, "visit_id": f"DEMO-{day}-1", "visit_end": visit_end, "patient_phone": "+7 900 000-10-01",
         "consent": True, "language": policy.chain.language, "doctor": "Ким Д. С."},
        {"clinic_id": clinic.id, "visit_id": f"DEMO-{day}-2", "visit_end": visit_end, "patient_phone": "+7 900 000-10-02",
         "consent": True, "language": "en" if policy.chain.language == "ru" else "ru"},
    ]
    before = len(aws.sent_sms())
    for visit in visits:
        aws.put_events("visit.completed", visit)
    aws.advance_to(now)
    sent = [text for _, text in aws.sent_sms(before) if "/f/" in text]
    result: dict[str, Any] = {"visits": len(visits), "sms": len(sent), "screenshot": None}
    path = _link_path(clinic.id, visits[0]["visit_id"])
    if path is None:
        print("feedback: no request was sent (see logs.jsonl)")
        return result
    result["shot"] = _screenshot(aws, path, out / SCREENSHOT)
    return result


def _link_path(clinic_id: str, visit_id: str) -> str | None:
    """The path of the visit's SMS link (made again from the stored request: a second run sends no SMS)."""
    from clinic_reviews import compose
    from clinic_reviews.clients import secret_bytes
    from clinic_reviews.domain.feedback import request_ref, sign_token
    from clinic_reviews.settings import get_settings

    request = compose.Table(get_settings()).feedback.get(request_ref(clinic_id, visit_id))
    if request is None or request.status != "sent":
        return None
    return "/f/" + sign_token(secret_bytes("link_secret_name"), request.ref, request.link_expires_at)


def _screenshot(aws, path: str, target: Path) -> Shot:
    from clinic_reviews_local.browser import screenshot

    return screenshot(aws, {"/f/": "FeedbackFunction"}, path, target)


def report_screenshot(result: dict[str, Any]) -> None:
    """Wait for the step's screenshot (Chromium took it while the demo went on); say where it is, or why not."""
    shot = result.pop("shot", None)
    if shot is None:
        return
    reason = shot.result()
    if reason:
        print(f"feedback: screenshot skipped: {reason}")
        return
    result["screenshot"] = str(shot.target)
    print(f"feedback: the landing page in Chromium: {shot.target.resolve()}")
