"""A candidate at a site → its features, by name; FEATURES is the one place their order lives.

The ranker (model.onnx) reads one row per candidate in FEATURES order, and the explain
manifest records that order, so a model trained on other features is refused on load. Code
reads and sets features by name (`column("kind_slang")`, `vector({"rank": -0.5})`), never
by position. The last two columns (CONTEXT) come from the predictor's pass over the message
and are appended to the rows `featurize` builds (`with_context`).
"""
from __future__ import annotations

import math

import numpy as np

from ..text import fold
from .candidates import KINDS, Candidate, CandidateTable
from .sites import Site

POSITION = ("attached", "in_run", "at_end", "at_start", "alone", "words")  # where the emoji sits (Site.position)
CONTEXT = ("context_fit", "has_context")  # how the candidate fits the message as the predictor reads it
FEATURES = (
    "similarity",  # pronunciation similarity to the emoji's name (1 for literal and slang)
    *(f"kind_{k}" for k in KINDS),  # one-hot candidate kind
    "zipf",  # word frequency / 8 (wordfreq's Zipf scale)
    *POSITION,
    "rank",  # log(1 + position in its own list) / 3
    "pair",  # covers two emojis (rebus, two-emoji slang)
    "known_lang",  # the candidate table has the message's language
    "multiword",  # the candidate has a space in it
    "in_name",  # a keyword that is part of the emoji's name
    "context_left",  # log(1 + count of (word before, candidate)) / 3 in the training sentences
    "context_right",  # log(1 + count of (candidate, word after)) / 3
    "specific",  # 1 / the number of emojis the term names
    *CONTEXT,
)
BASE_FEATURES = FEATURES[: -len(CONTEXT)]  # what featurize computes from the table and the site
KIND_COLUMNS = slice(FEATURES.index(f"kind_{KINDS[0]}"), FEATURES.index(f"kind_{KINDS[-1]}") + 1)


def column(name: str) -> int:
    """The column of feature `name` in a feature row."""
    return FEATURES.index(name)


def vector(values: dict[str, float]) -> np.ndarray:
    """[len(FEATURES)] float32 with the named values, 0 elsewhere (weights written by name)."""
    unknown = set(values) - set(FEATURES)
    if unknown:
        raise ValueError(f"expected feature names from FEATURES, found {sorted(unknown)}")
    return np.array([values.get(name, 0.0) for name in FEATURES], dtype=np.float32)


def featurize(candidate: Candidate, site: Site, table: CandidateTable, lang: str) -> list[float]:
    """One candidate's BASE_FEATURES row; `lang` is the table's language (a base language)."""
    word = fold(candidate.text)
    values = {
        "similarity": candidate.similarity,
        **{f"kind_{k}": float(candidate.kind == k) for k in KINDS},
        "zipf": table.zipf(candidate.text, lang) / 8,
        **site.position,
        "rank": math.log1p(candidate.rank) / 3,
        "pair": float(candidate.span == 2),
        "known_lang": float(lang in table.languages),
        "multiword": float(" " in candidate.text),
        "in_name": float(candidate.in_name),
        "context_left": table.context(site.before, word, lang) / 3,
        "context_right": table.context(word, site.after, lang) / 3,
        "specific": table.specificity(candidate.text, lang),
    }
    return [values[name] for name in BASE_FEATURES]


def with_context(rows: np.ndarray, fit: np.ndarray | None) -> np.ndarray:
    """One site's rows with the CONTEXT columns appended: (fit, 1), or (0, 0) without a fit."""
    if fit is None:
        return np.hstack([rows, np.zeros((len(rows), len(CONTEXT)), dtype=np.float32)])
    return np.hstack([rows, fit.reshape(-1, 1).astype(np.float32), np.ones((len(rows), 1), dtype=np.float32)])
