"""Feature rows → scores: the trained ranker (model.onnx), else fixed weights, plus the kind prior."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ModelError
from .candidates import KINDS
from .features import FEATURES, KIND_COLUMNS, vector

# Without a trained ranker: the literal name first, then slang and keywords; decorative last.
FALLBACK_WEIGHTS = vector({
    "similarity": 0.5, "kind_literal": 3, "kind_keyword": 1.5, "kind_homophone": 0.2, "kind_partword": 0.4,
    "kind_split": 0.3, "kind_rebus": 0.6, "kind_slang": 2, "kind_decorative": 0.1,
    "rank": -0.5, "pair": 0.5, "specific": 0.5,
})


class Ranker:
    """The trained scorer: features [n, len(FEATURES)] → scores [n] (onnxruntime, via assistant.core.session).

    `kind_shift` (candidate kind → log prior ratio, from the explain manifest) moves every
    candidate's score by how much more common its kind is in real messages than in the
    synthetic training data, a label-shift correction: sound-alikes are over half the
    synthetic answers and a few percent of real ones.
    """

    def __init__(self, model_file: Path | None, *, threads: int = 1, kind_shift: dict | None = None):
        self.session = None
        self.kind_shift = np.array([float((kind_shift or {}).get(k, 0.0)) for k in KINDS], dtype=np.float32)
        if model_file is not None:
            from ..session import FeatureSession

            self.session = FeatureSession(model_file, threads=threads)
            if self.session.num_features not in (len(FEATURES), None, "n_features"):
                raise ModelError(f"{model_file}: expected {len(FEATURES)} input features, found "
                                 f"{self.session.num_features}; re-export the explain model")

    def raw_scores(self, features: np.ndarray) -> np.ndarray:
        """The scores as trained, before the kind shift."""
        if len(features) == 0:
            return np.zeros(0, dtype=np.float32)
        return features @ FALLBACK_WEIGHTS if self.session is None else self.session.scores(features)

    def scores(self, features: np.ndarray) -> np.ndarray:
        return self.raw_scores(features) + features[:, KIND_COLUMNS] @ self.kind_shift
