"""Normalised text → padded `input_ids` / `attention_mask` arrays for the encoder.

Settings (max length, pad id) come from the model's manifest, so training and the
runtime cut and pad messages the same way.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from tokenizers import Tokenizer


class TextEncoder:
    def __init__(self, tokenizer_file: str | Path, *, max_length: int, pad_id: int = 1):
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_length)
        self.max_length = max_length
        self.pad_id = pad_id

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [enc.ids for enc in self.tokenizer.encode_batch(texts)]

    def pad(self, ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Pad to the longest row: ([batch, seq] int64 ids, [batch, seq] int64 mask)."""
        width = max((len(row) for row in ids), default=1)
        input_ids = np.full((len(ids), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return input_ids, mask

    def __call__(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return self.pad(self.token_ids(texts))
