"""Shrink the 250k-piece multilingual vocabulary to a budget of pieces.

The word-embedding matrix is ~80% of multilingual-e5-small. Pieces are kept in this
order until the budget is spent: the special tokens; every piece that holds an emoji;
the pieces the training texts use at least `min_count` times (what fine-tuning saw),
most used first; then the most probable pieces of the SentencePiece unigram model (its
scores are log-frequencies over ~100 languages, so the top of the list covers common
words in all of them). Text that needs a dropped piece is segmented into smaller kept
pieces by the same Unigram model, so it stays readable.
"""
from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

from tokenizers import Tokenizer

from assistant.core.emojis import is_emoji

SPECIAL_IDS = (0, 1, 2, 3)  # <s> <pad> </s> <unk>


def piece_counts(tokenizer: Tokenizer, texts: list[str], batch: int = 4096) -> Counter:
    counts: Counter = Counter()
    for start in range(0, len(texts), batch):
        for enc in tokenizer.encode_batch(texts[start:start + batch]):
            counts.update(enc.ids)
    return counts


def choose_pieces(tokenizer_json: dict, tokenizer: Tokenizer, texts: list[str], max_pieces: int,
                  min_count: int = 2) -> list[int]:
    vocab = tokenizer_json["model"]["vocab"]
    mask_id = next((t["id"] for t in tokenizer_json["added_tokens"] if t["content"] == "<mask>"), None)
    emoji_pieces = [i for i, (piece, _) in enumerate(vocab) if any(is_emoji(ch) for ch in piece)]
    used = [i for i, n in piece_counts(tokenizer, texts).most_common() if n >= min_count]
    by_score = sorted(range(len(vocab)), key=lambda i: -vocab[i][1])
    keep: dict[int, None] = {}
    for i in [*SPECIAL_IDS, *emoji_pieces, *used, *by_score]:
        if len(keep) >= max_pieces:
            break
        if i != mask_id:  # no masked-LM head ships, so <mask> is of no use
            keep[i] = None
    return sorted(keep)


def pruned_tokenizer_json(tokenizer_json: dict, kept: list[int]) -> dict:
    """A tokenizer.json whose piece i is the old piece kept[i]; special ids stay 0..3."""
    new = copy.deepcopy(tokenizer_json)
    old_vocab = tokenizer_json["model"]["vocab"]
    new["model"]["vocab"] = [old_vocab[i] for i in kept]
    remap = {old: new_id for new_id, old in enumerate(kept)}
    new["model"]["unk_id"] = remap[tokenizer_json["model"]["unk_id"]]
    new["added_tokens"] = [dict(t, id=remap[t["id"]]) for t in tokenizer_json["added_tokens"] if t["id"] in remap]
    for special in new["post_processor"].get("special_tokens", {}).values():
        special["ids"] = [remap[i] for i in special["ids"]]
    return new


def prune(tokenizer_file: Path, texts: list[str], max_pieces: int) -> tuple[list[int], dict]:
    """(kept old ids in new-id order, pruned tokenizer.json as a dict)."""
    tokenizer_json = json.loads(Path(tokenizer_file).read_text(encoding="utf-8"))
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    kept = choose_pieces(tokenizer_json, tokenizer, texts, max_pieces)
    return kept, pruned_tokenizer_json(tokenizer_json, kept)
