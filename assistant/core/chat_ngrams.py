"""How a language's chat uses emojis, read from the message's own characters: a small
hashed n-gram model per language, fused with the encoder's probabilities.

The encoder reads meaning; writers of one community also have habits a few letters give
away (a channel's slang, a name, "ахах", "ну"). For a language with emoji-labelled chat of
its own (the Russian Telegram comments) a logistic regression over hashed character
n-grams (1–4, within words) and whole words learns them; the runtime multiplies the
model's probabilities by its evidence raised to a fitted weight. Its evidence is its
probabilities divided by each emoji's share of that chat raised to a fitted power: the
model already carries how often chat uses 😂 and ❤️, and counting it twice put 😂 first
under messages that were not funny. Emojis it never saw in that chat keep the smallest
evidence it gives any emoji, so nothing is ruled out. Data:
assistant/core/data/chat_ngrams/<lang>.npz, written by `python -m training.build_chat_ngrams`.
"""
from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from .paths import data_file
from .text import base_language

DATA_DIR = "chat_ngrams"
MIN_SHARE = 1e-9  # the smallest share of its chat an emoji is taken to have (one message in a billion)
MAX_N = 4  # character n-grams of 1..MAX_N characters, within words padded with a space each side


def ngram_counts(text: str) -> Counter:
    """Character n-grams within each lowercased word (" кот " → " к", "кот", "от " …) and the words themselves."""
    counts: Counter = Counter()
    for word in text.lower().split():
        padded = f" {word} "
        for n in range(1, MAX_N + 1):
            counts.update(padded[i:i + n] for i in range(len(padded) - n + 1))
        counts["w:" + word] += 1
    return counts


def bucket(gram: str, buckets: int) -> int:
    """A gram's feature column: a hash stable across processes and Python versions (crc32)."""
    return zlib.crc32(gram.encode("utf-8")) % buckets


# Every message is hashed by two models (its chat's and the feeling n-grams, of different sizes):
# the grams are counted and hashed once, and each model takes its buckets from the same hashes.
@lru_cache(maxsize=16)
def gram_hashes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """([grams] crc32 of each distinct gram, [grams] its sublinear count 1 + log n)."""
    counts = ngram_counts(text)
    crcs = np.fromiter((zlib.crc32(gram.encode("utf-8")) for gram in counts), dtype=np.int64, count=len(counts))
    tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
    crcs.flags.writeable = tf.flags.writeable = False  # shared by every caller of the cache
    return crcs, tf


def hashed(text: str, buckets: int, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bucket ids, values): sublinear counts × idf, L2-normalised; the training features too."""
    crcs, tf = gram_hashes(text)
    ids, at = np.unique(crcs % buckets, return_inverse=True)  # grams sharing a bucket add up
    values = np.bincount(at, weights=tf, minlength=len(ids)).astype(np.float32) * idf[ids]
    norm = float(np.linalg.norm(values))
    return ids, (values / norm if norm else values)


def hashed_probabilities(text: str, idf: np.ndarray, weights: np.ndarray, bias: np.ndarray,
                         scale: np.ndarray | None = None) -> np.ndarray:
    """[emojis] a hashed n-gram regression's softmax for a normalised message. `weights` [buckets,
    emojis] stay int8 in memory (a quarter of float32's) with `scale` per emoji (None: float weights)."""
    ids, values = hashed(text, len(idf), idf)
    z = values @ weights[ids].astype(np.float32)
    z = bias + (z * scale if scale is not None else z)
    z = np.exp(z - z.max())
    return z / z.sum()


@dataclass(frozen=True)
class ChatNgrams:
    lang: str
    emojis: list[str]
    idf: np.ndarray  # [buckets] float32
    weights: np.ndarray  # [buckets, emojis] int8 (or float), each emoji's column times its scale
    bias: np.ndarray  # [emojis]
    weight: float  # exponent on its evidence when fused with the encoder's
    prior: np.ndarray | None = None  # [emojis] each emoji's share of the chat it learned from
    prior_power: float = 0.0  # how much of that share its evidence divides out (0: none)
    scale: np.ndarray | None = None  # [emojis] float32 the int8 weights' scale per emoji (None: weights are float)

    @property
    def buckets(self) -> int:
        return len(self.idf)

    def probabilities(self, text: str) -> np.ndarray:
        """[emojis] its own probabilities for a normalised message."""
        return hashed_probabilities(text, self.idf, self.weights, self.bias, self.scale)

    @cached_property
    def _base_rates(self) -> np.ndarray | None:
        """[emojis] what its evidence divides by: each emoji's share ** prior_power (None: nothing)."""
        if self.prior is None or not self.prior_power:
            return None
        return np.maximum(self.prior, MIN_SHARE) ** self.prior_power  # a damaged file's 0 share divides nothing by 0

    def evidence(self, own: np.ndarray) -> np.ndarray:
        """[n, emojis] its probabilities `own` with the chat's base rates divided out to `prior_power`, renormalised."""
        if self._base_rates is None:
            return own
        out = own / self._base_rates
        return out / out.sum(axis=1, keepdims=True)

    def fuse(self, text: str, labels: list[str], probs: np.ndarray) -> np.ndarray:
        """The encoder's probabilities over `labels` times this model's evidence raised to `weight`, renormalised."""
        own = self.evidence(self.probabilities(text)[None, :])
        return fuse(own, self.emojis, labels, probs[None, :], self.weight)[0]

    @classmethod
    def from_npz(cls, data) -> ChatNgrams:
        return cls(lang=str(data["lang"]), emojis=[str(e) for e in data["emojis"]],
                   idf=data["idf"].astype(np.float32),
                   weights=data["weights_int8"], scale=data["weight_scale"].astype(np.float32),
                   bias=data["bias"].astype(np.float32), weight=float(data["weight"]),
                   prior=data["prior"].astype(np.float64) if "prior" in data else None,
                   prior_power=float(data["prior_power"]) if "prior_power" in data else 0.0)


def fuse(own: np.ndarray, emojis: list[str], labels: list[str], probs: np.ndarray, weight: float) -> np.ndarray:
    """[n, labels] encoder probabilities × ([n, emojis] n-gram evidence ** weight), renormalised;
    a label the n-gram model never saw gets the smallest evidence it gives any emoji."""
    columns = label_columns(tuple(emojis), tuple(labels))
    floor = own.min(axis=1, keepdims=True)
    mapped = np.where(columns >= 0, own[:, columns], floor).astype(np.float64)
    fused = probs * mapped ** weight
    return (fused / fused.sum(axis=1, keepdims=True)).astype(np.float32)


@lru_cache(maxsize=16)
def label_columns(emojis: tuple[str, ...], labels: tuple[str, ...]) -> np.ndarray:
    """[labels] each label's column among the n-gram model's emojis, -1 where it has none (once
    per model and label set: the runtime fuses every message of the language)."""
    at = {emoji: j for j, emoji in enumerate(emojis)}
    return np.array([at.get(label, -1) for label in labels], dtype=np.int64)


def chat_languages() -> list[str]:
    """The languages that have an n-gram model of their own chat, as shipped."""
    return sorted(entry.name[:-len(".npz")] for entry in data_file(DATA_DIR).iterdir() if entry.name.endswith(".npz"))


def chat_ngrams(lang: str) -> ChatNgrams | None:
    """The language's n-gram model, or None where it has no chat of its own (or the file is unreadable)."""
    return _load(base_language(lang))


# One entry per base language, the many without a model included: a small bounded cache let
# a stream of other languages' messages evict Russian's and reload its file on every Russian one.
@lru_cache(maxsize=None)
def _load(code: str) -> ChatNgrams | None:
    try:
        with data_file(DATA_DIR, f"{code}.npz").open("rb") as f, np.load(f) as data:
            return ChatNgrams.from_npz(data)
    except (OSError, ValueError, KeyError):  # a missing or damaged file only loses the chat's habits
        return None
