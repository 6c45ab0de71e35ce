"""How well a candidate word fits where an emoji sits, read from the predictor's own pass.

The emoji predictor's model.onnx also outputs its last-layer token states. For each emoji
the explain model takes a site vector (the mean state over the emoji's pieces, beside the
mean over the whole message) and scores each candidate word against it:

    fit = (site · W + b) · piece_vectors[candidate pieces].mean() / √rank

W, b and piece_vectors (one low-rank vector per tokenizer piece) are trained with the
ranker (training.explain.train_ranker) and ship in the explain model folder as context.npz, the
piece vectors as int8 with one scale per row (written by training.explain.export_ranker). They
belong to one predictor: the explain manifest records the predictor's model.onnx hash, and
with any other predictor the context features are left out.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError

CONTEXT_FILE = "context.npz"


@dataclass
class ContextModel:
    site_weight: np.ndarray  # [2 * hidden, rank]: (emoji-piece mean, message mean) → query
    site_bias: np.ndarray  # [rank]
    piece_vectors: np.ndarray  # [pieces, rank] int8 (or float), each row times its scale
    piece_scale: np.ndarray | None = None  # [pieces] float32 the int8 rows' scales (None: the rows are float)

    @property
    def rank(self) -> int:
        return self.site_weight.shape[1]

    def pieces(self, ids) -> np.ndarray:
        """[len(ids), rank] float32 vectors of those pieces (a lookup reads a few rows: the table stays
        int8 in memory, 6.4 MB rather than 25.6)."""
        rows = self.piece_vectors[ids].astype(np.float32)
        return rows * self.piece_scale[ids, None] if self.piece_scale is not None else rows

    def dense_piece_vectors(self) -> np.ndarray:
        """[pieces, rank] float32, the whole table (training and rebinding)."""
        return self.pieces(np.arange(len(self.piece_vectors)))

    @classmethod
    def load(cls, path: Path) -> ContextModel:
        """The context file, piece vectors kept int8 with their scales."""
        try:
            with np.load(path) as data:
                return cls(data["site_weight"].astype(np.float32), data["site_bias"].astype(np.float32),
                           data["piece_vectors_int8"], data["piece_scale"].astype(np.float32))
        except (OSError, KeyError, ValueError) as err:
            raise ModelError(f"{path} is not an explain context file ({err}); re-export the explain model") from err


def site_vector(states: np.ndarray, offsets: list[tuple[int, int]], start: int, end: int) -> np.ndarray | None:
    """[2 * hidden] (mean state over the pieces overlapping characters start:end, mean over the
    message), or None when no piece covers the emoji (it lies past the model's max length)."""
    pieces = [k for k, (a, z) in enumerate(offsets) if a < end and z > start]
    if not pieces:
        return None
    return np.concatenate([states[pieces].mean(0), states.mean(0)])


class TokenStates:
    """One predictor pass over a message: last-layer token states and each piece's character span."""

    def __init__(self, session, encoder, model_sha256: str):
        self.session, self.encoder, self.model_sha256 = session, encoder, model_sha256

    def __call__(self, text: str) -> tuple[np.ndarray, list[tuple[int, int]]]:
        encoding = self.encoder.tokenizer.encode(text)
        states = self.session.token_states(*self.encoder.pad([encoding.ids]))[0]
        return states, list(encoding.offsets)

    def batch(self, texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        """Like calling it on each text, in padded batches (training and evaluation)."""
        encodings = self.encoder.tokenizer.encode_batch(texts)
        ids, mask = self.encoder.pad([e.ids for e in encodings])
        states = self.session.token_states(ids, mask)
        return [(states[i, : len(e.ids)], list(e.offsets)) for i, e in enumerate(encodings)]

    def pieces(self, texts: list[str]) -> list[list[int]]:
        """Tokenizer pieces of candidate words, without the sentence markers."""
        return [e.ids for e in self.encoder.tokenizer.encode_batch(texts, add_special_tokens=False)]


class ContextScorer:
    """fit(site, candidates) for the explain model; candidate vectors are cached per word."""

    def __init__(self, model: ContextModel, states: TokenStates, cache_size: int = 50_000):
        self.model, self.states = model, states
        self._cache: dict[str, np.ndarray] = {}
        self._cache_size = cache_size

    def query(self, site: np.ndarray) -> np.ndarray:
        return site @ self.model.site_weight + self.model.site_bias

    def candidate_vectors(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.rank), np.float32)
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing and len(self._cache) + len(missing) > self._cache_size:
            # start afresh, but keep this call's words: clearing them too lost a word found a line above
            self._cache = {t: self._cache[t] for t in dict.fromkeys(texts) if t in self._cache}
        for text, ids in zip(missing, self.states.pieces(missing) if missing else []):
            self._cache[text] = (self.model.pieces(ids).mean(0) if ids
                                 else np.zeros(self.model.rank, dtype=np.float32))
        return np.stack([self._cache[t] for t in texts])

    def fit(self, site: np.ndarray, texts: list[str]) -> np.ndarray:
        return self.candidate_vectors(texts) @ self.query(site) / np.sqrt(self.model.rank)
