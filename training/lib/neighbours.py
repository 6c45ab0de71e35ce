"""Which of a predictor's labels its head treats as near-duplicates: the cosine similarity of
their weight rows (😡 and 🤬, 😨 and 😰, 🤔 and ❓). Recorded in the manifest's `label_neighbours`
by training.export, training.rehead and training.label_neighbours; read by the runtime's
ranking (assistant.core.rank.spread)."""
from __future__ import annotations

import numpy as np

MIN_COSINE = 0.3  # pairs less alike are not recorded; the runtime's cut (RankSettings.near_duplicate) is above it


def label_neighbours(weight: np.ndarray, labels: list[str], min_cosine: float = MIN_COSINE) -> dict:
    """The manifest's `label_neighbours` entry for a head whose weight is [hidden, labels]:
    every pair of labels at least `min_cosine` alike, the most alike first."""
    if weight.shape[1] != len(labels):
        raise ValueError(f"the head has {weight.shape[1]} outputs but there are {len(labels)} labels")
    unit = weight / np.maximum(np.linalg.norm(weight, axis=0, keepdims=True), 1e-12)
    cosine = unit.T @ unit
    rows, cols = np.triu_indices(len(labels), k=1)
    alike = cosine[rows, cols] >= min_cosine
    pairs = sorted(([labels[i], labels[j], round(float(cosine[i, j]), 3)]
                    for i, j in zip(rows[alike], cols[alike])), key=lambda pair: (-pair[2], pair[0], pair[1]))
    return {"measure": "cosine of the head's weight rows", "min_cosine": min_cosine, "pairs": pairs}
