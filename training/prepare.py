"""Raw emoji and emotion corpora → one deduplicated examples.jsonl with train/val/test splits.

Reads, from a folder laid out like `../shared/data` (each corpus only if its folder is there):
the English and Spanish emoji tweets, the Russian Telegram comments, GoEmotions and XED
(see training/lib/sources.py), plus any TSV (`text<TAB>emoji`) or JSON Lines (`{"text",
"emoji"}`) file given with --extra. Each example's targets are weighted emojis; emotion
labels become emojis through training/data/emotion_emojis.tsv.

The label vocabulary is the union of DeepMoji's 64 emojis, the tweets' labels, the
emotion table's emojis and every emoji the Russian comments use at least
--min-chat-count times in training; targets outside it are dropped (and an example left
with none is not trained on, though evaluation splits keep it for open-set scoring).
Texts are normalised with the runtime's own `normalize_text`; a text in an evaluation
split is never trained on.

    python -m training.prepare --data ../shared/data --out build/examples.jsonl
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from assistant.core.emojis import canonical, is_emoji
from assistant.core.normalize import normalize_text
from training.lib.emotion_table import shipped_table
from training.lib.sources import (Example, read_goemotions, read_telegram_ru, read_tweets, read_xed, single)
from training.lib.defaults import EXAMPLES

SPLIT_ORDER = {"test": 0, "val": 1, "train": 2}  # on a duplicate, the evaluation copy wins


def read_user_file(path: Path, lang: str, split: str):
    """TSV `text<TAB>emoji` or JSON Lines `{"text", "emoji"[, "lang"]}`."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if path.suffix in (".jsonl", ".json"):
            row = json.loads(line)
            yield single(row["text"], row["emoji"], row.get("lang", lang), path.name, split)
        else:
            text, _, label = line.rpartition("\t")
            yield single(text, label.strip(), lang, path.name, split)


def deepmoji_emojis(path: Path) -> list[str]:
    """DeepMoji's 64 classes from wanted_emojis.csv (escaped code points, one per line); "♡",
    which is no emoji, counts as ♥️."""
    found = []
    for line in path.read_text(encoding="utf-8").split():
        char = line.encode("ascii").decode("unicode_escape")
        found.append(canonical("♥" if char == "♡" else char))
    return list(dict.fromkeys(found))


def vocabulary(examples: list[Example], data: Path | None, min_chat_count: int) -> dict[str, str]:
    """emoji → why it is a label (the first reason found)."""
    why: dict[str, str] = {}
    if data and (data / "deepmoji_benchmarks" / "wanted_emojis.csv").is_file():
        for e in deepmoji_emojis(data / "deepmoji_benchmarks" / "wanted_emojis.csv"):
            why.setdefault(e, "DeepMoji")
    for ex in examples:
        if ex.source in ("tweeteval", "semeval_us_trial", "semeval_es_trial"):
            why.setdefault(ex.emoji, "tweets")
    for e in sorted(shipped_table().emojis()):
        why.setdefault(e, "emotion table")
    chat = Counter(ex.emoji for ex in examples if ex.split == "train" and len(ex.targets) == 1
                   and ex.source not in ("tweeteval", "semeval_us_trial", "semeval_es_trial"))
    for e, n in chat.most_common():
        if n >= min_chat_count and is_emoji(e):
            why.setdefault(e, "chat")
    return why


def restrict(ex: Example, labels: dict[str, str]) -> Example:
    """Targets outside the vocabulary dropped, the rest renormalised."""
    kept = {e: w for e, w in ex.targets.items() if e in labels}
    total = sum(kept.values())
    ex.targets = {e: round(w / total, 4) for e, w in kept.items()} if total else {}
    return ex


def deduplicate(examples) -> tuple[list[Example], Counter]:
    dropped: Counter = Counter()
    best: dict[str, Example] = {}
    for ex in examples:
        ex.text = normalize_text(ex.text)
        if not ex.text:
            dropped["empty text"] += 1
            continue
        key = ex.text.lower()
        seen = best.get(key)
        if seen is None:
            best[key] = ex
            continue
        if SPLIT_ORDER[ex.split] < SPLIT_ORDER[seen.split]:
            best[key], ex = ex, seen
        # A text kept in an evaluation split is also never trained on.
        dropped[f"duplicate of a {best[key].split} text ({ex.source} {ex.split})"] += 1
    return list(best.values()), dropped


def read_sources(args) -> list:
    sources = []
    data = args.data
    if data:
        if (data / "tweeteval_emoji").is_dir():
            sources.append(read_tweets(data, args.es_val, args.es_test))
        if (data / "telegram_ru" / "comments.tsv").is_file():
            sources.append(read_telegram_ru(data / "telegram_ru" / "comments.tsv", args.chat_val, args.chat_test))
        if (data / "goemotions").is_dir():
            sources.append(read_goemotions(data / "goemotions", shipped_table()))
        if (data / "xed").is_dir():
            sources.append(read_xed(data / "xed", shipped_table(), per_language=args.xed_per_language,
                                    val=args.emotion_val, test=args.emotion_test))
    for path in args.extra:
        sources.append(read_user_file(path, args.extra_lang, "train"))
    return sources


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder laid out like ../shared/data")
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="TSV/JSONL files added to train")
    parser.add_argument("--extra-lang", default="und")
    parser.add_argument("--es-val", type=float, default=0.10, help="fraction of es_trial held out for validation")
    parser.add_argument("--es-test", type=float, default=0.20, help="fraction of es_trial held out for testing")
    parser.add_argument("--chat-val", type=float, default=0.10, help="fraction of the Russian comments for validation")
    parser.add_argument("--chat-test", type=float, default=0.20, help="fraction of the Russian comments held out for testing")
    parser.add_argument("--emotion-val", type=float, default=0.05, help="fraction of XED held out for validation")
    parser.add_argument("--emotion-test", type=float, default=0.05, help="fraction of XED held out for testing")
    parser.add_argument("--xed-per-language", type=int, default=1500,
                        help="lines kept per projected XED language (noisy; English and Finnish are kept whole)")
    parser.add_argument("--min-chat-count", type=int, default=20,
                        help="a chat emoji becomes a label from this many training uses")
    parser.add_argument("--out", type=Path, default=EXAMPLES)
    args = parser.parse_args(argv)

    sources = read_sources(args)
    if not sources:
        parser.error("give --data (a folder with at least one known corpus) and/or --extra")
    examples, dropped = deduplicate(ex for src in sources for ex in src)
    labels = vocabulary(examples, args.data, args.min_chat_count)
    kept = []
    for ex in examples:
        restrict(ex, labels)  # `emoji` stays the writer's own, for open-set scores
        if ex.targets or ex.split != "train":
            kept.append(ex)
        else:
            dropped[f"no target in the vocabulary ({ex.source})"] += 1

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for ex in kept:
            f.write(json.dumps(asdict(ex), ensure_ascii=False) + "\n")
    vocabulary_file = args.out.with_suffix(".labels.json")
    vocabulary_file.write_text(json.dumps(labels, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    stats = Counter((ex.split, ex.source) for ex in kept)
    print(f"wrote {len(kept)} examples to {args.out}; {len(labels)} labels in {vocabulary_file}")
    for (split, source), n in sorted(stats.items()):
        print(f"  {split:5s} {source}: {n}")
    for reason, n in dropped.most_common():
        print(f"  dropped {n}: {reason}")


if __name__ == "__main__":
    main()
