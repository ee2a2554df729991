"""Check the bundled demo input samples/reviews.jsonl (stdlib only).

    .venv/bin/python samples/check_reviews.py [path/to/reviews.jsonl]

Prints line counts, valid/broken lines, counts by clinic, source, rating bucket, sentiment and reply
timing, the line numbers of the special cases, and asserts the constraints the demo relies on.
Exits non-zero (AssertionError) when the file drifts from them.

The file is meant to hold exactly three broken lines, one of each kind: not JSON, a rating out of
1..5, and an unknown clinic id. Everything else must be a valid review. One review is edited: its
(clinic_id, source, external_id) appears twice, the second line later in the file with the same
created_at, a new text and rating, a reply and a `seen_at` (when the demo fetches the edit).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

CLINICS = {"msk-arbat": 3, "ekb-center": 5, "vvo-svetlanskaya": 10}  # fixed UTC offsets (Russia has no DST)
UNKNOWN_CLINIC = "spb-nevsky"
SOURCES = ("google", "yandex", "2gis", "prodoctorov", "napopravka", "vk", "site", "email", "call_center")
NO_RATING = {"vk", "site", "email", "call_center"}  # sentiment comes from the text
NO_URL = {"site", "email", "call_center"}
KEYS = {
    "clinic_id",
    "source",
    "external_id",
    "rating",
    "text",
    "author",
    "created_at",
    "reply",
    "url",
    "lang",
}
HISTORY = re.compile(r"^[hw]-")  # external ids of the history lines (check_history)
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DIGEST = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)  # 08:00 Moscow, Dec 8
MSK = timezone(timedelta(hours=3))
DAY = "2026-12-07"
MIN_REPLY_DELAY = timedelta(minutes=15)  # the demo polls every few minutes: a reply is seen after its review
CONTACT = re.compile(r"care@zdorovie\.example|\+7 800 000-00-00")
PHONE = re.compile(r"(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
LEGAL = re.compile(
    r"(?<![а-яё])суд(?:а|у|ом|е|ы)?(?![а-яё])|прокурат|росздравнадзор|роспотребнадзор|журналист"
    r"|\blawyer|\bthe press\b|\bcourt\b",
    re.IGNORECASE,
)
HOSTILE = ("<script>alert('x')</script>", "<img src=x onerror=alert(1)>", '"><b>')

#: Intended sentiment where the stars do not tell it: reviews without a rating (VK, site, e-mail,
#: call centre) and the two deliberate rating/text mismatches. Every other review: 1-2 negative,
#: 3 neutral, 4-5 positive (the edited review counts with its first version).
TEXT_SENTIMENT = {
    ("msk-arbat", "call_center", "cc-189761"): "neg",  # could not get through on the phone
    ("msk-arbat", "site", "form-10860"): "neg",  # refund request, with the author's phone and e-mail
    ("msk-arbat", "vk", "33630"): "pos",  # thanks to nurse Anna
    ("msk-arbat", "site", "form-10442"): "neu",  # suggestion: a water cooler
    ("msk-arbat", "email", "mail-5182"): "neg",  # the ~3,000-character complaint
    ("ekb-center", "vk", "36095"): "neg",  # "good doctors, but" getting through by phone is a quest
    ("ekb-center", "site", "form-10282"): "pos",  # thanks to nurse Oksana
    ("ekb-center", "call_center", "cc-196541"): "neg",  # histology results late
    ("ekb-center", "email", "mail-5217"): "pos",  # thanks to the surgeon
    ("vvo-svetlanskaya", "vk", "39423"): "neu",  # question: open on December 31?
    ("vvo-svetlanskaya", "site", "form-10400"): "neg",  # gastroscopy cancelled without warning
    ("vvo-svetlanskaya", "call_center", "cc-142787"): "pos",  # thanks to the pediatrician
    ("msk-arbat", "2gis", "159638911"): "neg",  # MISMATCH: five stars, angry text
    ("msk-arbat", "2gis", "154222218"): "pos",  # MISMATCH: one star, glowing text
}


def when(value: str) -> datetime:
    assert isinstance(value, str) and TS.match(value), f"bad timestamp {value!r}"
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def local(clinic: str, value: str) -> datetime:
    return when(value).astimezone(timezone(timedelta(hours=CLINICS[clinic])))


def classify(raw: str) -> tuple[str, dict | None]:
    """('ok' | 'json' | 'rating' | 'clinic', parsed object or None)."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError:
        return "json", None
    assert isinstance(obj, dict), "a line must be a JSON object"
    rating = obj.get("rating")
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5
    ):
        return "rating", obj
    if obj.get("clinic_id") not in CLINICS:
        return "clinic", obj
    return "ok", obj


def check_review(n: int, r: dict) -> None:
    where = f"line {n}"
    extra = set(r) - KEYS
    assert set(r) >= KEYS, f"{where}: missing {sorted(KEYS - set(r))}"
    assert extra <= {"seen_at"}, f"{where}: unexpected keys {sorted(extra)}"
    assert r["source"] in SOURCES, f"{where}: source {r['source']!r}"
    assert isinstance(r["external_id"], str) and r["external_id"], f"{where}: external_id"
    assert isinstance(r["text"], str), f"{where}: text"
    assert r["author"] is None or (isinstance(r["author"], str) and r["author"].strip()), f"{where}: author"
    assert r["lang"] in ("ru", "en"), f"{where}: lang"
    if r["source"] in NO_RATING:
        assert r["rating"] is None, f"{where}: {r['source']} has no rating"
    else:
        assert r["rating"] is not None, f"{where}: {r['source']} reviews carry stars"
    if r["source"] in NO_URL:
        assert r["url"] is None, f"{where}: {r['source']} has no public URL"
    else:
        assert isinstance(r["url"], str) and re.match(r"^https://[a-z0-9.-]+\.example/\S+$", r["url"]), (
            f"{where}: url {r['url']!r} (https on a .example domain)"
        )
    created = when(r["created_at"])
    assert created < DIGEST, f"{where}: created_at after the digest"
    if "seen_at" in r:
        seen = when(r["seen_at"])
        assert created < seen < DIGEST, f"{where}: seen_at must fall between created_at and the digest"
    reply = r["reply"]
    if reply is not None:
        assert isinstance(reply, dict) and set(reply) == {"text", "created_at"}, f"{where}: reply keys"
        assert isinstance(reply["text"], str) and reply["text"].strip(), f"{where}: reply text"
        answered = when(reply["created_at"])
        assert answered - created >= MIN_REPLY_DELAY, f"{where}: reply at least 15 min after the review"
        assert answered < DIGEST, f"{where}: reply must come before 2026-12-08T05:00:00Z"
        if "seen_at" in r:
            assert answered > when(r["seen_at"]), f"{where}: the edit's reply comes after the edit is fetched"
        assert not PHONE.search(reply["text"].replace("+7 800 000-00-00", "")), (
            f"{where}: reply holds a phone"
        )


def bucket(delay: timedelta | None) -> str:
    if delay is None:
        return "never"
    if delay <= timedelta(minutes=30):
        return "<=30m"
    if delay < timedelta(hours=3):
        return "30m-3h"
    if delay <= timedelta(hours=5):
        return "3h-5h"
    return ">5h (next opening / morning)"


def check_history(history: dict[tuple, dict]) -> None:
    """The months before the replay (issue 19): the history spike detection compares the window with.

    Every history negative has a reply (the chain answered them, some with a copied template) with a
    private contact; Arbat's waiting complaints from 25 November on are the spike the demo must find.
    """
    print(f"history lines (h-*, w-*): {len(history)}")
    assert 40 <= len(history) <= 60
    assert all(r["created_at"] < "2026-12-02" for r in history.values()), "history ends before the replay"
    negatives = [k for k, r in history.items() if r["rating"] <= 2]
    assert all(history[k]["reply"] and CONTACT.search(history[k]["reply"]["text"]) for k in negatives)
    spike = [k for k in history if k[2].startswith("w-")]
    assert len(spike) == 5 and all(k[0] == "msk-arbat" and history[k]["created_at"] >= "2026-11-24" for k in spike)
    texts = Counter(r["reply"]["text"] for r in history.values() if r["reply"])
    assert texts.most_common(1)[0][1] >= 5, "one reply template copied many times (near-duplicate detection)"


def main(path: Path) -> None:
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "no BOM"
    assert data.endswith(b"\n"), "the file ends with a newline"
    lines = data.decode("utf-8").split("\n")[:-1]
    assert all(line.strip() for line in lines), "no blank lines"
    total = len(lines)

    valid: list[tuple[int, dict]] = []
    broken: dict[str, list[int]] = defaultdict(list)
    broken_ids = []
    for n, raw in enumerate(lines, 1):
        kind, obj = classify(raw)
        if kind == "ok":
            check_review(n, obj)
            valid.append((n, obj))
        else:
            broken[kind].append(n)
            if obj is not None:
                broken_ids.append((obj.get("clinic_id"), obj.get("source"), obj.get("external_id")))

    print(f"lines: {total}   valid: {len(valid)}   broken: {sum(map(len, broken.values()))}")
    for kind, label in (("json", "not JSON"), ("rating", "rating out of 1..5"), ("clinic", "unknown clinic")):
        print(f"  broken ({label}): line {', '.join(map(str, broken[kind]))}")
        assert len(broken[kind]) == 1, f"exactly one broken line of kind {kind!r}"
        assert broken[kind][0] not in (1, total), "broken lines are neither first nor last"
    assert set(broken) == {"json", "rating", "clinic"}
    spb = next(lines[n - 1] for n in broken["clinic"])
    assert json.loads(spb)["clinic_id"] == UNKNOWN_CLINIC
    assert json.loads(lines[broken["rating"][0] - 1])["rating"] == 7
    assert len(valid) >= 66, "at least 66 valid lines"

    # --- identity: unique per (clinic, source, external_id) except the one edited pair -------------
    by_key: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
    for n, r in valid:
        by_key[(r["clinic_id"], r["source"], r["external_id"])].append((n, r))
    twice = {k: v for k, v in by_key.items() if len(v) > 1}
    assert len(twice) == 1, f"exactly one edited review, got {sorted(twice)}"
    ((edit_key, [(n1, first), (n2, second)]),) = twice.items()
    assert n1 < n2 and "seen_at" not in first and "seen_at" in second
    assert first["created_at"] == second["created_at"] and first["text"] != second["text"]
    assert (
        first["rating"] == 1
        and second["rating"] == 4
        and first["reply"] is None
        and second["reply"] is not None
    )
    assert local(first["clinic_id"], first["created_at"]).strftime("%H:%M") == "10:00"
    assert sum("seen_at" in r for _, r in valid) == 1, "seen_at only on the edit"
    assert not set(broken_ids) & set(by_key), "broken lines do not reuse a valid review's key"
    reviews = {k: v[0][1] for k, v in by_key.items()}  # first version
    latest = {k: v[-1][1] for k, v in by_key.items()}
    print(f"unique reviews: {len(reviews)}   edited: {edit_key} on lines {n1} and {n2}")
    check_history({k: r for k, r in reviews.items() if HISTORY.match(k[2])})
    reviews = {k: r for k, r in reviews.items() if not HISTORY.match(k[2])}  # the rest is checked as before
    latest = {k: r for k, r in latest.items() if k in reviews}

    # --- ordering: the file reads in arrival order (seen_at, else created_at) -------------------------
    arrivals = [r.get("seen_at", r["created_at"]) for _, r in valid]
    assert arrivals == sorted(arrivals), "valid lines are in arrival order"

    # --- distributions ---------------------------------------------------------------------------
    by_clinic = Counter(k[0] for k in reviews)
    print("by clinic:", dict(by_clinic), "(unique reviews)")
    assert 27 <= by_clinic["msk-arbat"] <= 33 and 17 <= by_clinic["ekb-center"] <= 23
    assert 14 <= by_clinic["vvo-svetlanskaya"] <= 18
    print("by source:", dict(Counter(k[1] for k in reviews).most_common()))
    assert {k[1] for k in reviews} == set(SOURCES), "every source is represented"
    ratings = Counter("none" if r["rating"] is None else str(r["rating"]) for r in reviews.values())
    print("by rating:", {b: ratings[b] for b in ("1", "2", "3", "4", "5", "none")})
    print("by lang:", dict(Counter(r["lang"] for r in reviews.values())))

    def sentiment(key: tuple, r: dict) -> str:
        if key in TEXT_SENTIMENT:
            return TEXT_SENTIMENT[key]
        assert r["rating"] is not None, f"{key}: no rating and no intended sentiment"
        return {1: "neg", 2: "neg", 3: "neu", 4: "pos", 5: "pos"}[r["rating"]]

    assert set(TEXT_SENTIMENT) <= set(reviews), "every TEXT_SENTIMENT key is in the file"
    unrated = {k for k, r in reviews.items() if r["rating"] is None}
    assert unrated <= set(TEXT_SENTIMENT), (
        f"unrated reviews without an intended sentiment: {unrated - set(TEXT_SENTIMENT)}"
    )
    senti = {k: sentiment(k, r) for k, r in reviews.items()}
    counts = Counter(senti.values())
    share = {s: counts[s] / len(senti) for s in ("pos", "neu", "neg")}
    print("by sentiment:", {s: f"{counts[s]} ({share[s]:.0%})" for s in share})
    assert 0.40 <= share["pos"] <= 0.50 and 0.10 <= share["neu"] <= 0.20 and 0.35 <= share["neg"] <= 0.45

    # --- replies ---------------------------------------------------------------------------------
    def reply_delay(key: tuple) -> timedelta | None:
        reply = latest[key]["reply"]
        return None if reply is None else when(reply["created_at"]) - when(reviews[key]["created_at"])

    print(f"with reply: {sum(latest[k]['reply'] is not None for k in reviews)} of {len(reviews)} reviews")
    for s in ("neg", "neu", "pos"):
        keys = [k for k in reviews if senti[k] == s]
        answered = [k for k in keys if latest[k]["reply"] is not None]
        print(f"  {s}: {len(answered)}/{len(keys)} answered ({len(answered) / len(keys):.0%})")
        if s == "neg":
            assert 0.45 <= len(answered) / len(keys) <= 0.65, "about 55% of negatives answered"
            for k in answered:
                assert CONTACT.search(latest[k]["reply"]["text"]), (
                    f"{k}: a reply to a negative gives a private contact"
                )
        if s == "pos":
            assert 0.20 <= len(answered) / len(keys) <= 0.40, "about 30% of positives answered"
    negatives = [k for k in reviews if senti[k] == "neg"]
    timing = Counter(bucket(reply_delay(k)) for k in negatives)
    print("negative reply timing:", dict(timing))
    assert timing["<=30m"] >= 3 and timing["3h-5h"] >= 3 and timing["never"] >= 3
    next_morning = [
        k for k in negatives if latest[k]["reply"] and latest[k]["reply"]["created_at"] >= "2026-12-08"
    ]
    assert len(next_morning) >= 3, "a few negatives answered on the morning of Dec 8, before the digest"

    # --- time ------------------------------------------------------------------------------------
    day_of = {k: local(k[0], r["created_at"]).date().isoformat() for k, r in reviews.items()}
    local_day = Counter(d if d >= "2026-12" else d[:7] for d in day_of.values())
    print("by clinic-local day:", dict(sorted(local_day.items())))
    msk_day = Counter(when(r["created_at"]).astimezone(MSK).date().isoformat() for r in reviews.values())
    print(f"on Moscow day {DAY} (the digest's day): {msk_day[DAY]}")
    assert local_day[DAY] > len(reviews) / 2, "most reviews on the local day Dec 7"
    assert 3 <= local_day["2026-12-06"] <= 8, "a few on Sunday Dec 6"
    october = [k for k, r in reviews.items() if r["created_at"].startswith("2026-10")]
    assert len(october) == 4, "four October backfill reviews"
    assert sum(senti[k] == "neg" and latest[k]["reply"] is None for k in october) == 2
    assert all(r["created_at"] >= "2026-10" for r in reviews.values())
    sunday_open = [
        k for k in reviews if day_of[k] == "2026-12-06" and senti[k] == "neg" and latest[k]["reply"] is None
    ]
    assert len(sunday_open) >= 2, "some Sunday negatives still unanswered"
    assert any(
        k[0] == "vvo-svetlanskaya" and reviews[k]["created_at"] == "2026-12-07T13:40:00Z" for k in reviews
    )

    # --- special cases (line numbers of the first version) ---------------------------------------
    line_of = {k: v[0][0] for k, v in by_key.items()}
    special: dict[str, list[tuple]] = {
        "five stars, angry text": [k for k, r in reviews.items() if r["rating"] == 5 and senti[k] == "neg"],
        "one star, glowing text": [k for k, r in reviews.items() if r["rating"] == 1 and senti[k] == "pos"],
        "rating only, empty text": [k for k, r in reviews.items() if r["rating"] and r["text"] == ""],
        "VK question (December 31)": [
            k for k, r in reviews.items() if k[1] == "vk" and "31 декабря?" in r["text"]
        ],
        "suggestion (water cooler)": [k for k, r in reviews.items() if "поставьте кулер" in r["text"]],
        "legal threat": [k for k, r in reviews.items() if senti[k] == "neg" and LEGAL.search(r["text"])],
        "legal threat in English": [
            k
            for k, r in reviews.items()
            if r["lang"] == "en" and "lawyer" in r["text"] and "press" in r["text"]
        ],
        "author's phone and e-mail in text": [
            k for k, r in reviews.items() if PHONE.search(r["text"]) and EMAIL.search(r["text"])
        ],
        "hostile HTML in text and author": [
            k for k, r in reviews.items() if all(h in r["text"] and h in (r["author"] or "") for h in HOSTILE)
        ],
        "very long text (~3,000 chars)": [k for k, r in reviews.items() if len(r["text"]) >= 2500],
        "author with emoji": [
            k for k, r in reviews.items() if r["author"] and any(ord(c) >= 0x1F300 for c in r["author"])
        ],
        "sarcasm": [k for k, r in reviews.items() if "Спасибо за испорченный день" in r["text"]],
        "Vladivostok 23:40 local (13:40Z)": [
            k
            for k, r in reviews.items()
            if k[0] == "vvo-svetlanskaya" and local(k[0], r["created_at"]).strftime("%H:%M") == "23:40"
        ],
        "local day differs from Moscow day": [
            k
            for k, r in reviews.items()
            if local(k[0], r["created_at"]).date() != when(r["created_at"]).astimezone(MSK).date()
        ],
        "October backfill": october,
    }
    print("special cases (line numbers):")
    for name, keys in special.items():
        print(f"  {name}: {', '.join(str(line_of[k]) for k in sorted(keys, key=line_of.get)) or '-'}")
        assert keys, f"missing special case: {name}"
    assert len(special["legal threat"]) >= 2
    assert len(special["author's phone and e-mail in text"]) == 1
    assert len(special["very long text (~3,000 chars)"]) == 1
    assert 2700 <= len(reviews[special["very long text (~3,000 chars)"][0]]["text"]) <= 3500
    print("OK")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("reviews.jsonl"))
