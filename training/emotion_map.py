"""Emotion labels → weighted emojis: the one table that joins GoEmotions and XED to emoji labels.

The table is `training/data/emotion_emojis.tsv` (its header says how rows were chosen), read
and checked by training/lib/emotion_table.py. `--check` holds it against a published
emoji–emotion resource, the Emoji Sentiment Ranking (Kralj Novak et al. 2015): every emoji
of a positive emotion must be used in positive tweets, every emoji of a negative emotion in
negative ones.

    python -m training.emotion_map --check            # Markdown table; exit 1 on a disagreement
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.core.sentiment import mean_sentiment, sentiment
from training.lib.emotion_table import NEUTRAL_BAND, TABLE, check, read_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, default=TABLE)
    parser.add_argument("--check", action="store_true", help="compare with the Emoji Sentiment Ranking")
    args = parser.parse_args(argv)
    table = read_table(args.table)
    lines, problems = check(table)
    print("\n".join(lines))
    if args.check:
        covered = sum(sentiment(e) is not None for e in table.emojis())
        print(f"\nBounds: negative emotions at most the ranking's mean sentiment {mean_sentiment():+.2f}, positive ones at least 0 (± {NEUTRAL_BAND}).")
        print(f"{covered} of {len(table.emojis())} emojis are in the Emoji Sentiment Ranking (2015; newer ones are n/a).")
        for problem in problems:
            print(f"disagreement: {problem}", file=sys.stderr)
        print(f"{len(problems)} disagreements")
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
