"""Widens the hand-written Russian lexicon with navec word vectors, offline; writes lexicon_ru_widened.py.

    .venv/bin/python bench/widen_lexicon.py      # the `train` extra (navec); never the Lambda

navec (natasha's MIT word vectors, 250k words of news, 300 dimensions) ships inside the `natasha` wheel,
fetched once with `pip download` into .cache/lexicon/ and checked against a pinned SHA-256. Only the
widened word list is committed, never the vectors.

1. Seeds: the single-word lemmas of lexicon_ru.py whose cue carries a clear valence (>= 0.5 praise,
   <= -0.5 blame); phrases and function words are not seeds.
2. Candidates: the NEIGHBOURS nearest navec words (cosine) of every seed, as pymorphy3 lemmas; Cyrillic, at least 4 letters, not already in any lexicon entry.
3. Polarity: word vectors put antonyms close ("хороший" ~ "плохой"), so a candidate is kept only when
   the mean cosine of its TOP closest praise seeds and of its TOP closest blame seeds differ by at least
   MARGIN, and the closer side reaches CLOSE. It gets a weak valence (+-VALENCE) beside the hand-written
   ones, and its topic stays open.
4. A reader went through the proposals (run with --proposals to print them) and CONFIRMED the words
   that evaluate a clinic, its staff or a visit; the rest are news-corpus neighbours (crime, sport,
   politics) or symptoms, or lean both ways ("страшный", "плакать"). Written out: the proposals the
   reader confirmed, so a word needs both the vectors and the reader; the counts are printed.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

import numpy as np  # noqa: E402
from clinic_reviews.domain.classification import lexicon_ru  # noqa: E402
from clinic_reviews.domain.classification.morphology import analyzer  # noqa: E402

CACHE = ROOT / ".cache" / "lexicon"
NATASHA = "natasha==1.6.0"
WHEEL = "natasha-1.6.0-py3-none-any.whl"
SHA256 = "e12b130d05a0b4d2eb6442092ed5b5769a68a311c17f2095b1aa739fb8d6dc78"
MEMBER = "natasha/data/emb/navec_news_v1_1B_250K_300d_100q.tar"
OUT = ROOT / "functions" / "clinic_reviews" / "domain" / "classification" / "lexicon_ru_widened.py"

NEIGHBOURS = 25
TOP = 5
MARGIN = 0.1
CLOSE = 0.4
VALENCE = 0.4
SEED_AT = 0.5
KEPT_TAGS = frozenset({"ADJF", "ADJS", "ADVB", "VERB", "INFN", "NOUN", "PRTF", "PRTS", "PRED"})
_CONFIRMED = (
    # blame
    "душный, пофига, мошенничество, сырость, насмехаться, разруха, недовольство, безумие, возмущаться, "
    "глупость, гнев, недоумение, ругаться, полумера, невежество, фуфло, оскорблять, раздражение, "
    "бездарность, бессмысленно, сыро, очковтирательство, беспомощность, плевать, юлить, безграмотность, "
    "несправедливый, безалаберность, ущербный, несерьезный, бред, безнадега, рухлядь, жадность, ненавидеть, "
    "раздрай, хрень, разочаровываться, ругать, абсурд, презрение, бутафория, небрежность, дурить, моветон, "
    "отвращение, махинация, маразм, чудовищный, вызывающе, бессмыслица, подло, прискорбный, унижать, "
    "расстроиться, обидеться, раздражаться, досадный, невнимание, жуткий, отговорка, гнусный, злиться, "
    "дефектный, цинично, поверхностный, срам, идиотский, затягивать, непонимание, материться, удушливый, "
    "одурачить, противозаконный, неудовольствие, неприятие, высокомерие, отчаяние, цинизм, алчность, "
    "нервничать, беготня, аморально, сердиться, липовый, расхлябанность, болван, нетерпимый, "
    "индифферентный, невыносимый, хитрить, дурость, разозлиться, подлец, свинарник, ленивый, омерзительно, "
    "глупо, лентяй, самонадеянность, врать, скучно, свинство, абсурдный, "
    # praise
    "компетентность, интеллигентный, умело, талантливо, гениально, корректно, гостеприимный, общительный, "
    "трудолюбивый, изумительно, талантливый, искренне, отменный, слаженно, отменно, эффективно, успешно, "
    "уверенно, приличный, надежно, положительный, выдающийся, безукоризненно, блестящий, умный, талант, "
    "достойно, изящно, безопасно, удачно, блестяще, неплохой, удивительный, фантастически, фантастический, "
    "гармонично, роскошный, энергичный, счастливый, стильно, элегантно, любимый, удобство, результативный, "
    "современно, полезно, ясно"
)
CONFIRMED = frozenset(word.strip() for word in _CONFIRMED.split(","))


def navec_file() -> Path:
    """The navec archive out of the pinned natasha wheel (downloaded once)."""
    wheel = CACHE / WHEEL
    if not wheel.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(CACHE), NATASHA],
                       check=True)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{wheel.name}: SHA-256 {digest} differs from the pinned {SHA256}")
    target = CACHE / Path(MEMBER).name
    if not target.exists():
        with zipfile.ZipFile(wheel) as archive:
            target.write_bytes(archive.read(MEMBER))
    return target


def vectors() -> tuple[list[str], np.ndarray]:
    """The navec words and their unit vectors (product quantization unpacked: about 300 MB)."""
    from navec import Navec

    with tarfile.open(navec_file()):
        pass  # a damaged archive fails here, before navec's own reader
    navec = Navec.load(str(navec_file()))
    words = navec.vocab.words
    indexes = navec.pq.indexes
    codes = navec.pq.codes  # (subvectors, centroids, dimension of a subvector)
    matrix = np.concatenate([codes[q][indexes[:, q]] for q in range(codes.shape[0])], axis=1).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-9
    return words, matrix


def lexicon_words() -> tuple[set[str], set[str], set[str]]:
    """(praise seeds, blame seeds, every word of every entry)."""
    praise, blame, every = set(), set(), set()
    for spec, cue in lexicon_ru.ENTRIES:
        for raw in spec.split(","):
            parts = raw.strip().lower().replace("ё", "е").split()
            every.update(parts)
            if len(parts) != 1 or cue.func or not parts[0].isalpha():
                continue
            if cue.valence >= SEED_AT:
                praise.add(parts[0])
            elif cue.valence <= -SEED_AT:
                blame.add(parts[0])
    return praise, blame, every


def lemma(word: str) -> str | None:
    """The most likely lemma of a word when it is a content word (adjective, adverb, verb, noun...)."""
    parse = analyzer().parse(word)[0]
    return parse.normal_form.replace("ё", "е") if parse.tag.POS in KEPT_TAGS else None


def widen() -> dict[str, float]:
    words, matrix = vectors()
    index = {w: i for i, w in enumerate(words)}
    praise, blame, every = lexicon_words()
    seeds = {"+": [index[w] for w in sorted(praise) if w in index], "-": [index[w] for w in sorted(blame) if w in index]}
    print(f"seeds in navec: praise {len(seeds['+'])} of {len(praise)}, blame {len(seeds['-'])} of {len(blame)}")
    candidates: set[int] = set()
    for row in seeds["+"] + seeds["-"]:
        candidates.update(np.argpartition(-(matrix @ matrix[row]), NEIGHBOURS)[:NEIGHBOURS].tolist())
    found: dict[str, list[float]] = {}
    for row in sorted(candidates):
        word = words[row]
        if len(word) < 4 or not all("а" <= ch <= "я" or ch == "ё" for ch in word):
            continue
        base = lemma(word)
        if base is None or base in every or len(base) < 4:
            continue
        sims = {side: np.sort(matrix[rows] @ matrix[row])[-TOP:].mean() for side, rows in seeds.items()}
        found.setdefault(base, []).append(float(sims["+"] - sims["-"]) if max(sims.values()) >= CLOSE else 0.0)
    print(f"candidates: {len(candidates)} navec words, {len(found)} new lemmas")
    widened = {}
    for base, leans in sorted(found.items()):
        lean = float(np.mean(leans))
        if abs(lean) >= MARGIN:
            widened[base] = VALENCE if lean > 0 else -VALENCE
    print(f"proposed {len(widened)} (praise {sum(v > 0 for v in widened.values())}, "
          f"blame {sum(v < 0 for v in widened.values())})")
    if "--proposals" in sys.argv:
        print("praise:", ", ".join(w for w, v in widened.items() if v > 0))
        print("blame:", ", ".join(w for w, v in widened.items() if v < 0))
    confirmed = {w: v for w, v in widened.items() if w in CONFIRMED}
    print(f"confirmed by the reader: {len(confirmed)} (praise {sum(v > 0 for v in confirmed.values())}, "
          f"blame {sum(v < 0 for v in confirmed.values())})")
    return confirmed


def write(widened: dict[str, float]) -> None:
    lines = [
        '"""Russian lemmas added to lexicon_ru.py by navec word vectors: written by bench/widen_lexicon.py.',
        "",
        "Generated: do not edit by hand (the script's CONFIRMED decides; run it again). lexicon_ru.WIDENED",
        "turns them into weak cues; the hand-written entries win where both have a word.",
        '"""',
        "",
        "PRAISE = (",
        *[f'    "{w}",' for w, v in widened.items() if v > 0],
        ")",
        "BLAME = (",
        *[f'    "{w}",' for w, v in widened.items() if v < 0],
        ")",
        f"VALENCE = {VALENCE}",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    write(widen())
