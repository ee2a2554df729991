"""The labelled data of the text model and how it is split (used by bench/train.py and bench/eval.py).

- English: data/en/nhs_patient_feedback.jsonl (NHS England, MIT; data/en/LICENSE-nhs-pxtextmining).
  One trust, NHFT (ids `nhs-v6-NHFT ...`, 1,817 comments), is the simulated chain: never used to
  train or tune the base model, it adapts the model in `make eval`. The rest is split by a stable
  hash of the id: 85% train (cross-validated in FOLDS folds for the stacking layer and thresholds),
  15% test (only scored; the same rows as before the folds replaced a fixed dev split).
- Russian: data/ru/train.jsonl (the team's hand-written training examples, all in train) and
  data/ru/eval.jsonl (the team's evaluation set: only scored, never trained or tuned on). See
  data/ru/README.md for how they were made.

- The rules' tuning set tests/data/classification_dev.jsonl is NOT used: the rules were tuned on it, so
  a stacking layer fitted there would trust them far more than they deserve on unseen text.

Texts are used without the NHS `question`: a review in production has none.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NHS = ROOT / "data" / "en" / "nhs_patient_feedback.jsonl"
RU_TRAIN = ROOT / "data" / "ru" / "train.jsonl"
RU_EVAL = ROOT / "data" / "ru" / "eval.jsonl"
CHAIN_PREFIX = "nhs-v6-NHFT"
FOLDS = 5
CLASSES = ("negative", "neutral", "positive")
LEARNED_TOPICS = ("waiting", "scheduling", "cleanliness", "diagnostics")


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _share(row_id: str) -> int:
    return zlib.crc32(row_id.encode("utf-8")) % 100


def nhs_split(row: dict) -> str:
    """'chain', 'train' or 'test'."""
    if row["id"].startswith(CHAIN_PREFIX):
        return "chain"
    return "train" if _share(row["id"]) < 85 else "test"


def praise_marked_neutral(row: dict) -> bool:
    """NHS phase-1 answers of Trust B to its first question: their annotators marked praise as
    criticality 0 ("Very happy with care" is `neutral`), so they cannot say whether a short positive
    reading is right (docs/classifier-model.md)."""
    return row.get("question") == "Trust B - Q1"


def fold_of(row_id: str) -> int:
    """The cross-validation fold of a training row."""
    return zlib.crc32(("fold:" + row_id).encode("utf-8")) % FOLDS


def splits() -> dict[str, list[dict]]:
    """Every labelled row by split; each row carries `lang`."""
    parts: dict[str, list[dict]] = {"train": [], "test": [], "chain": []}
    for row in read_jsonl(NHS):
        row["lang"] = "en"
        parts[nhs_split(row)].append(row)
    parts["train"] += [{**row, "lang": "ru"} for row in read_jsonl(RU_TRAIN)]
    parts["ru_eval"] = [{**row, "lang": "ru"} for row in read_jsonl(RU_EVAL)]
    return parts


def chain_parts(rows: list[dict], held_out: int = 30) -> tuple[list[dict], list[dict]]:
    """A chain's rows split into (adapt on, held out) by the id hash."""
    adapt = [r for r in rows if _share("chain:" + r["id"]) >= held_out]
    test = [r for r in rows if _share("chain:" + r["id"]) < held_out]
    return adapt, test
