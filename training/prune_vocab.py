"""Shrink the 250k-piece multilingual vocabulary to the pieces the product needs.

The word-embedding matrix is ~80% of multilingual-e5-small. Kept pieces: the
special tokens, the most probable pieces of the SentencePiece unigram model
(its scores are log-frequencies over ~100 languages, so the top of the list
covers common words in all of them), every piece used by the training texts and
by the emoji lexicon's names and keywords in all its languages, and every piece
that holds an emoji. Texts that need a dropped piece are segmented into smaller
kept pieces by the same Unigram model, so nothing becomes unreadable.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

from tokenizers import Tokenizer

from assistant.emojis import is_emoji

SPECIAL_IDS = (0, 1, 2, 3)  # <s> <pad> </s> <unk>


def pieces_used(tokenizer: Tokenizer, texts: list[str], batch: int = 4096) -> set[int]:
    used: set[int] = set()
    for start in range(0, len(texts), batch):
        for enc in tokenizer.encode_batch(texts[start:start + batch]):
            used.update(enc.ids)
    return used


def choose_pieces(tokenizer_json: dict, tokenizer: Tokenizer, texts: list[str], top_n: int) -> list[int]:
    vocab = tokenizer_json["model"]["vocab"]
    by_score = sorted(range(len(SPECIAL_IDS), len(vocab)), key=lambda i: -vocab[i][1])
    keep = set(SPECIAL_IDS) | set(by_score[:top_n]) | pieces_used(tokenizer, texts)
    keep |= {i for i, (piece, _) in enumerate(vocab) if any(is_emoji(ch) for ch in piece)}
    mask_id = next((t["id"] for t in tokenizer_json["added_tokens"] if t["content"] == "<mask>"), None)
    keep.discard(mask_id)  # no masked-LM head ships, so <mask> is of no use
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


def prune(tokenizer_file: Path, texts: list[str], top_n: int) -> tuple[list[int], dict]:
    """(kept old ids in new-id order, pruned tokenizer.json as a dict)."""
    tokenizer_json = json.loads(Path(tokenizer_file).read_text(encoding="utf-8"))
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    kept = choose_pieces(tokenizer_json, tokenizer, texts, top_n)
    return kept, pruned_tokenizer_json(tokenizer_json, kept)
