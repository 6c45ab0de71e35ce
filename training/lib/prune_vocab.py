"""Shrink the 250k-piece multilingual vocabulary to a budget of pieces, fairly across languages.

The word-embedding matrix is ~80% of multilingual-e5-small. Pieces are kept in this order
until the budget is spent:
1. the special tokens and every piece that holds an emoji;
2. the pieces the training texts use at least `min_count` (MIN_COUNT) times, most used first:
   the model learned to read its languages with them;
3. every single-character piece that spells a supported language's common words, so that
   none of them needs the unknown piece. Before this rule a fifth of the commonest Korean
   and Bengali words and a tenth of the Japanese ones held an unknown piece, read as nothing;
4. the pieces of whole common words (wordfreq), so that they are segmented as the encoder
   was pretrained to read them: greedily, the word that keeps the most of its language's
   word-frequency mass per piece added first (each language's mass counts alike). A word
   cut into other pieces ("traurig" → tra·uri·g, "행복" → 행·복) reads as another word.
   Each word counts in both cases ("kopf", "Kopf"), its frequency split by how often it is
   capitalised (with_capitalised_forms);
5. every other piece by its best share in any one corpus: each supported language's
   commonest words weighted by their frequency, or the SentencePiece unigram model's own
   probabilities (log-frequencies over ~100 languages), which stand for the languages
   wordfreq lacks.
Text that needs a dropped piece is segmented into smaller kept pieces by the same Unigram
model, so it stays readable.

Rule 4 fills what the training texts leave of the budget. At 64,000 pieces (shipped until 0.16.0) and a
min_count of 2 they take 57,000, and the 38 supported languages' 20,000 commonest words are
segmented as in pretraining for 75% of their frequency mass on average (74% before rule 4;
Bengali 39%, Hindi 56%, Arabic 59%, Korean 67%, Turkish 70%, Polish 75%). At a min_count of 5 the average is 85%
(the lowest, Arabic, 72%) while 2.0% of the training texts' piece occurrences are segmented
anew: `training.revocab --min-count 5` measured that trade on the model (see docs/model-history.md).
Counting lower case alone had left capitalised words behind at 71% (German 71%, Russian
69%): at 63,800 pieces and a min_count of 5, counting both cases keeps 82% of the lower-case
and 81% of the capitalised forms' mass segmented as in pretraining (each case weighed alike).
"""
from __future__ import annotations

import copy
import heapq
import json
import math
from collections import Counter
from pathlib import Path

from tokenizers import Tokenizer

from assistant.core.emojis import is_emoji

SPECIAL_IDS = (0, 1, 2, 3)  # <s> <pad> </s> <unk>
WORDS_PER_LANGUAGE = 20_000
MIN_COUNT = 2  # uses in the training texts that keep a piece before any language's common words
WORDFREQ_CODES = {"zh-Hant": "zh", "no": "nb"}  # our language codes that wordfreq spells otherwise
FIRST_WORD_SHARE = 0.1  # of a word's uses that open a message (chat messages run about ten words)


def policy(min_count: int = MIN_COUNT) -> str:
    """How the pieces were chosen, in words, for the manifest."""
    return (f"training.lib.prune_vocab: emoji pieces, the pieces the training texts use {min_count} times or more, "
            "every character of each supported language's common words, the pieces of whole common words in either "
            "case (most frequency mass per piece first), then each piece by its best share in any one language's "
            "common words (wordfreq) or the unigram model")


def piece_counts(tokenizer: Tokenizer, texts: list[str], weights: list[float] | None = None,
                 batch: int = 4096) -> Counter:
    """How often each piece id occurs in `texts`, each text counted `weights[i]` times (default once)."""
    counts: Counter = Counter()
    for start in range(0, len(texts), batch):
        encodings = tokenizer.encode_batch(texts[start:start + batch], add_special_tokens=False)
        for j, enc in enumerate(encodings):
            w = 1.0 if weights is None else weights[start + j]
            for i in enc.ids:
                counts[i] += w
    return counts


def language_words(languages: list[str], n: int = WORDS_PER_LANGUAGE) -> dict[str, dict[str, float]]:
    """Each language's `n` commonest words → frequency, for the languages wordfreq knows."""
    from wordfreq import available_languages, get_frequency_dict

    known = set(available_languages())
    out = {}
    for lang in languages:
        code = WORDFREQ_CODES.get(lang, lang)
        if code in known and code not in {WORDFREQ_CODES.get(done, done) for done in out}:
            freq = get_frequency_dict(code)
            out[lang] = dict(sorted(freq.items(), key=lambda item: -item[1])[:n])
    return out


def with_capitalised_forms(tokenizer: Tokenizer, vocab: list, words: dict[str, dict[str, float]]
                           ) -> dict[str, dict[str, float]]:
    """Each table with every word's capitalised form beside it. wordfreq folds case, but text does
    not: German nouns and a message's first word are capitalised, and "Kopf" is spelled with other
    pieces than "kopf". A word is capitalised when it starts a message (FIRST_WORD_SHARE of the
    time) and otherwise by the unigram model's odds between the two forms (the score of each
    form's best segmentation: high for names and German nouns, low for "und")."""
    out = {}
    for lang, table in words.items():
        capitalised = {word: word[:1].upper() + word[1:] for word in table}
        cased = [word for word, form in capitalised.items() if form != word]
        forms = [form for word in cased for form in (word, capitalised[word])]
        scores = [sum(vocab[i][1] for i in enc.ids)
                  for enc in tokenizer.encode_batch(forms, add_special_tokens=False)]
        odds = {}
        for k, word in enumerate(cased):
            lower, upper = scores[2 * k], scores[2 * k + 1]
            inside = 1.0 / (1.0 + math.exp(max(-50.0, min(50.0, lower - upper))))
            odds[word] = FIRST_WORD_SHARE + (1.0 - FIRST_WORD_SHARE) * inside  # P(capitalised)
        split: dict[str, float] = {}
        for word, freq in table.items():
            share = odds.get(word, 0.0)
            split[word] = split.get(word, 0.0) + freq * (1.0 - share)
            if share:
                split[capitalised[word]] = split.get(capitalised[word], 0.0) + freq * share
        out[lang] = split
    return out


def shares(counts: Counter) -> dict[int, float]:
    total = sum(counts.values()) or 1.0
    return {i: n / total for i, n in counts.items()}


def whole_words(tokenizer: Tokenizer, words: dict[str, dict[str, float]], kept: set[int], room: int) -> list[int]:
    """Up to `room` more pieces that spell common words whole, the word that keeps the most of its
    language's frequency mass per piece added first (a lazy greedy: a word's cost only falls as
    pieces are added, so a popped word whose cost is current is the best)."""
    entries, heap = [], []
    for table in words.values():
        total = sum(table.values()) or 1.0
        for word, encoding in zip(table, tokenizer.encode_batch(list(table), add_special_tokens=False)):
            missing = set(encoding.ids) - kept
            if missing:
                heap.append((-table[word] / total / len(missing), len(entries)))
                entries.append((table[word] / total, set(encoding.ids)))
    heapq.heapify(heap)
    added: list[int] = []
    while heap and len(added) < room:
        priority, k = heapq.heappop(heap)
        share, ids = entries[k]
        missing = ids - kept
        if not missing:
            continue
        if -priority > share / len(missing) + 1e-15:  # stale: its cost changed since it was queued
            heapq.heappush(heap, (-share / len(missing), k))
        elif len(added) + len(missing) <= room:
            kept |= missing
            added.extend(sorted(missing))
    return added


def choose_pieces(tokenizer_json: dict, tokenizer: Tokenizer, texts: list[str], max_pieces: int,
                  words: dict[str, dict[str, float]] | None = None, min_count: int = MIN_COUNT) -> list[int]:
    """Kept piece ids, sorted. `words`: language → {word: frequency} (language_words)."""
    vocab = tokenizer_json["model"]["vocab"]
    words = with_capitalised_forms(tokenizer, vocab, words or {})
    mask_id = next((t["id"] for t in tokenizer_json["added_tokens"] if t["content"] == "<mask>"), None)
    emoji_pieces = [i for i, (piece, _) in enumerate(vocab) if any(is_emoji(ch) for ch in piece)]
    used = piece_counts(tokenizer, texts)
    learned = sorted((i for i, n in used.items() if n >= min_count), key=lambda i: (-used[i], i))
    index = {piece: i for i, (piece, _) in enumerate(vocab)}
    letters = sorted({index[ch] for table in words.values() for word in table for ch in word if ch in index})
    corpora = [shares(piece_counts(tokenizer, list(table), list(table.values()))) for table in words.values()]
    corpora.append(shares(Counter({i: math.exp(score) for i, (_, score) in enumerate(vocab)})))
    best: dict[int, float] = {}
    for corpus in corpora:
        for i, share in corpus.items():
            best[i] = max(share, best.get(i, 0.0))
    ranked = sorted(best, key=lambda i: (-best[i], i))
    keep: dict[int, None] = {}

    def take(ids) -> None:
        for i in ids:
            if len(keep) >= max_pieces:
                return
            if i != mask_id:  # no masked-LM head ships, so <mask> is of no use
                keep[i] = None

    take([*SPECIAL_IDS, *emoji_pieces, *learned, *letters])
    take(whole_words(tokenizer, words, set(keep) | {mask_id}, max_pieces - len(keep)))
    take(ranked)
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


def prune(tokenizer_file: Path, texts: list[str], max_pieces: int,
          languages: list[str] | None = None, min_count: int = MIN_COUNT) -> tuple[list[int], dict]:
    """(kept old ids in new-id order, pruned tokenizer.json as a dict); `languages`: the
    language codes whose common words the budget covers (none: the training texts and the
    unigram model's probabilities only)."""
    tokenizer_json = json.loads(Path(tokenizer_file).read_text(encoding="utf-8"))
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    kept = choose_pieces(tokenizer_json, tokenizer, texts, max_pieces, language_words(languages or []), min_count)
    return kept, pruned_tokenizer_json(tokenizer_json, kept)
