"""Cues that need no language: emoji and emoticons; and a few surface words per unsupported language,
the cheap fallback for texts that are neither Russian nor English."""

from __future__ import annotations

from clinic_reviews.domain.classification.lexicon import ALL_ANCHORS, THANKS, Cue

_POSITIVE = Cue(0.45)
_NEGATIVE = Cue(-0.55)
_ANGRY = Cue(-0.75)

EMOJI: list[tuple[str, Cue]] = [
    ("👍, 👌, 👏, 🙌, 💯, ✅, ⭐, 🌟, ✨, 🔥, 🏆, 🥇, 💪", _POSITIVE),
    ("❤, ♥, 💖, 💗, 💓, 💕, 💞, 💝, 💘, 🧡, 💛, 💚, 💙, 💜, 🤍, 😍, 🥰, 😘, 😻", Cue(0.55)),
    ("😊, 🙂, 😀, 😃, 😄, 😁, 😆, ☺, 😇, 🤗, 😌, 🥳, 🎉, 💐, 🌹, 🌷, 🌸, 🌺, :), :-), =), ;), :D, :-D, ))",
     _POSITIVE),
    ("🙏", Cue(0.45, None, ALL_ANCHORS, mark=THANKS)),
    ("👎, 😞, 😔, 😟, 🙁, ☹, 😕, 😒, 🙄, 😢, 😭, 😩, 😫, 🤦, 🤷, 😬, 💔, 🤢, 🤮, 💩, 🤡, 😱, 😨, :(, :-(, ((",
     _NEGATIVE),
    ("😡, 🤬, 😠, 😤, 👿, 💢", _ANGRY),
]

# Surface forms only (no lemmatizer): thanks, praise and the commonest complaints.
OTHER_WORDS: list[tuple[str, Cue]] = [
    (("дякую, дякуємо, рахмет, спасибі, danke, merci, gracias, grazie, dziękuję, dziekuje, teşekkürler, "
     "teşekkür, obrigado, obrigada, 谢谢, 感谢, ありがとう"), Cue(0.65, None, ALL_ANCHORS, mark=THANKS)),
    (("чудово, відмінно, добре, гарний, рекомендую, раджу, gut, super, toll, empfehlen, excellent, "
     "très bien, bien, génial, recommande, excelente, bueno, buena, recomiendo, ottimo, bravo, bravissima, "
     "świetnie, polecam, dobry, harika, güzel, tavsiye, 很好, 满意, 推荐"), Cue(0.6, None, ALL_ANCHORS)),
    (("жахливо, жахливий, погано, погана, грубо, хамство, довго, дорого, schlecht, schrecklich, "
      "unfreundlich, "
     "teuer, mauvais, horrible, nul, cher, malo, mala, terrible, caro, pessimo, scortese, źle, okropnie, "
     "kötü, berbat, pahalı, 很差, 差, 失望"), Cue(-0.65, None, ALL_ANCHORS)),
]
