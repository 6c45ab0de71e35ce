"""Frame sentences for languages without a text corpus here (de, fr, ru, zh).

Each frame has one slot, filled with a frequent word that an emoji can stand for;
synthesize.py then replaces words with emojis. They are the only source text for those
languages, so their synthetic data is narrower than for en and es (tweets); the model card
says so. The frames are generic on purpose: sentences written to resemble everyday
messages ended up resembling the hand-written evaluation cases too.
"""
from __future__ import annotations

# Frames with one slot, filled with frequent words that an emoji can stand for (templated()).
FRAMES: dict[str, list[str]] = {
    "en": ["I really like {}", "where is the {}", "the {} is great", "no {} today", "we talked about {} all day",
           "look at this {}", "I miss the {}", "more {} please"],
    "es": ["me gusta {}", "dónde está {}", "hoy {} otra vez", "sin {} no vivo", "mira esto {}", "hablamos de {}",
           "quiero más {}", "qué {} tan bonito"],
    "de": ["ich mag {}", "wo ist {}", "heute wieder {}", "ohne {} geht nichts", "schau mal {}",
           "wir reden über {}", "noch mehr {} bitte", "so ein schönes {}"],
    "fr": ["j'aime {}", "où est {}", "encore {} aujourd'hui", "sans {} rien ne va", "regarde ce {}",
           "on parle de {}", "encore plus de {}", "quel beau {}"],
    "ru": ["я люблю {}", "где {}", "сегодня опять {}", "без {} никак", "смотри {}", "мы говорили про {}",
           "ещё {} пожалуйста", "какой красивый {}"],
    "zh": ["我喜欢{}", "{}在哪里", "今天又是{}", "没有{}不行", "你看{}", "我们聊了{}", "再来点{}", "好漂亮的{}"],
}


def templated(lang: str, words: list[str], n: int, seed: int = 13) -> list[str]:
    """`n` sentences: a frame of `lang` with one of `words` in its slot (deterministic)."""
    import random

    rng = random.Random(seed)
    frames = FRAMES.get(lang, [])
    if not frames or not words:
        return []
    return list(dict.fromkeys(rng.choice(frames).format(rng.choice(words)) for _ in range(n)))
