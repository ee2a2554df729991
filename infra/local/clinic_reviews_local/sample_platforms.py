"""The demo's Google and 2GIS: normalized sample reviews shown as those platforms' API pages.

For a clinic whose policy lists a `google` or `2gis` source, the demo does not hand such a review to
the intake: it publishes it on the fake platform (platforms.py) the way the platform would show it
at that moment, and the scheduled FetchFunction reads it from there, through the real connector, parser,
cursor and archive. Everything else (Yandex, ProDoctorov, the site, e-mail, VK comments...) arrives as
an import would, straight to the intake.
"""

from __future__ import annotations

from typing import Any

from clinic_reviews_local.platforms import FakePlatforms

STARS = ("ONE", "TWO", "THREE", "FOUR", "FIVE")
PLATFORMS = ("google", "2gis")
#: What the chain's sources secret holds locally (docs/sources.md): the fake platforms accept anything.
LOCAL_CREDENTIALS = {
    "google": {"client_id": "demo-client", "client_secret": "demo-secret", "refresh_token": "demo-refresh"},
    "2gis": {"key": "demo-2gis-key"},
    "vk": {"token": "demo-vk-token"},
}


def google_review(account: str, location: str, review: dict[str, Any]) -> dict[str, Any]:
    """A Business Profile API v4 review (reviews.list item)."""
    rating = review.get("rating")
    item = {
        "name": f"accounts/{account}/locations/{location}/reviews/{review['external_id']}",
        "reviewId": str(review["external_id"]),
        "reviewer": {"displayName": review.get("author") or "A Google User", "isAnonymous": not review.get("author")},
        "starRating": STARS[rating - 1] if rating else "STAR_RATING_UNSPECIFIED",
        "createTime": review["created_at"],
        "updateTime": review.get("seen_at") or review["created_at"],
    }
    if review.get("text"):
        item["comment"] = review["text"]
    if review.get("reply"):
        item["reviewReply"] = {"comment": review["reply"]["text"], "updateTime": review["reply"]["created_at"]}
    return item


def twogis_review(branch: str, review: dict[str, Any]) -> dict[str, Any]:
    """A 2GIS reviews API 2.0 review."""
    reply = review.get("reply")
    return {
        "id": str(review["external_id"]),
        "text": review.get("text") or "",
        "rating": review.get("rating"),
        "provider": "2gis",
        "is_hidden": False,
        "hiding_reason": None,
        "url": review.get("url"),
        "date_created": review["created_at"],
        "date_edited": review.get("seen_at"),
        "object": {"id": branch, "type": "branch"},
        "user": {"name": review.get("author") or ""},
        "official_answer": None if not reply else {"text": reply["text"], "date_created": reply["created_at"]},
    }


class SamplePlatforms:
    """What Google and 2GIS show now for the demo's clinics; `publish` a review (new, edited or answered)."""

    def __init__(self, policy):
        self.fake = FakePlatforms()
        self._where: dict[tuple[str, str], dict[str, Any]] = {}
        for clinic in policy.clinics:
            for source in getattr(clinic, "sources", None) or []:
                data = source.to_data() if hasattr(source, "to_data") else dict(source)
                if data.get("platform") in PLATFORMS:
                    self._where[(clinic.id, data["platform"])] = data
        self._shown: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        self.published = 0

    def serves(self, review: dict[str, Any]) -> bool:
        return (review.get("clinic_id"), review.get("source")) in self._where

    def publish(self, review: dict[str, Any]) -> None:
        where = (review["clinic_id"], review["source"])
        source = self._where[where]
        shown = self._shown.setdefault(where, {})
        self.published += 1
        if review["source"] == "google":
            shown[str(review["external_id"])] = google_review(source["account_id"], source["location_id"], review)
            items = sorted(shown.values(), key=lambda r: r["updateTime"], reverse=True)
            self.fake.load("google", str(source["location_id"]), {"reviews": items, "totalReviewCount": len(items)})
        else:
            shown[str(review["external_id"])] = twogis_review(str(source["branch_id"]), review)
            items = sorted(shown.values(), key=lambda r: r["date_edited"] or r["date_created"], reverse=True)
            self.fake.load("2gis", str(source["branch_id"]), {"meta": {"code": 200, "total_count": len(items)}, "reviews": items})
