"""A large synthetic chain for the digest and report benchmarks: 16 clinics in 4 time zones, 100 reviews
a clinic a day, mixed sentiments, sources, topics, text lengths, replies and praise. Deterministic."""

from __future__ import annotations

import copy
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from clinic_reviews.domain.classification.result import Classification
from clinic_reviews.domain.policy import Policy, load_policy
from clinic_reviews.domain.record import ANSWERED, OPEN, ReviewRecord
from clinic_reviews.domain.review import Review

ROOT = Path(__file__).resolve().parents[1]
CLINICS = 16
PER_DAY = 100
ZONES = ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok")
SOURCES = ("yandex", "2gis", "google", "prodoctorov", "napopravka", "vk", "site", "call_center")
TOPICS = ("front_desk", "waiting", "billing", "doctor", "scheduling", "cleanliness", "diagnostics")
STAFF = ("Соколова Елена Викторовна", "Мельников Павел Андреевич", "Анна", "Ли Алексей Вячеславович", "Захарова")
PHRASES = (
    "Администратор нахамила и не объяснила, куда идти.",
    "Ждали приёма больше часа, никто ничего не сказал.",
    "Навязали кучу анализов, итог чек на 14 300.",
    "Доктор внимательно выслушал и всё подробно объяснил.",
    "Очень чисто, приятный персонал, спасибо!",
    "Записали на время, когда врача уже не было на месте.",
    "Результаты анализов пришли с опозданием на три дня.",
    "Спасибо доктору за терпение и заботу о ребёнке.",
)


def chain_policy(count: int = CLINICS) -> Policy:
    """The sample policy with `count` clinics (16 by default) spread over four time zones."""
    data = yaml.safe_load((ROOT / "samples" / "demo-policy.yaml").read_text(encoding="utf-8"))
    template = copy.deepcopy(data["clinics"][0])
    template.pop("sources", None)
    clinics = []
    for n in range(count):
        clinic = copy.deepcopy(template)
        clinic.update(id=f"clinic-{n:02d}", name=f"Здоровье №{n + 1}", timezone=ZONES[n % len(ZONES)])
        clinics.append(clinic)
    data["clinics"] = clinics
    data.pop("email", None)  # its mailboxes name the sample's clinics
    return load_policy(data)


def day_records(policy: Policy, day: date, seed: int = 7, per_day: int = PER_DAY) -> list[ReviewRecord]:
    """`per_day` reviews for every clinic, received during `day` in that clinic's zone."""
    rng = random.Random(f"{seed}-{day.isoformat()}")
    records = []
    for clinic in policy.clinics:
        zone = ZoneInfo(clinic.timezone)
        opening = datetime.combine(day, time(8, 0), zone)
        for n in range(per_day):
            received = (opening + timedelta(minutes=rng.randrange(0, 14 * 60))).astimezone(UTC)
            created = received - timedelta(minutes=rng.randrange(1, 30))
            roll = rng.random()
            rating = rng.choice((1, 2)) if roll < 0.2 else (3 if roll < 0.3 else rng.choice((4, 5)))
            sentiment = "negative" if rating <= 2 else ("neutral" if rating == 3 else "positive")
            words = rng.choice((1, 2, 4, 8, 30))
            text = " ".join(rng.choice(PHRASES) for _ in range(words))
            answered = rng.random() < (0.7 if sentiment == "negative" else 0.3)
            answered_at = received + timedelta(minutes=rng.randrange(5, 600)) if answered else None
            staff = (rng.choice(STAFF),) if sentiment == "positive" and rng.random() < 0.3 else ()
            external_id = f"{day.isoformat()}-{clinic.id}-{n}"
            review = Review.trusted(
                source=rng.choice(SOURCES), external_id=external_id, clinic_id=clinic.id, rating=rating, text=text,
                author="Пациент Тестовый", created_at=created, reply=None,
                url=f"https://reviews.example/{external_id}", lang="ru",
            )
            cls = Classification(
                sentiment=sentiment, score=0.0, topics=tuple(rng.sample(TOPICS, rng.randrange(0, 3))),
                triage=rng.choice((1, 2, 3)) if sentiment == "negative" else None, staff=staff, lang="ru",
            )
            records.append(ReviewRecord(
                review=review, classification=cls, chain_id=policy.chain.id, received_at=received,
                local_day=received.astimezone(zone).date(), content_hash=f"h{n}", status=ANSWERED if answered else OPEN,
                answered_at=answered_at, answered_by="platform" if answered else None,
                tiers_fired=frozenset({"manager"}) if sentiment == "negative" else frozenset(),
                first_sentiment=sentiment, first_rating=rating,
            ))
    return records
