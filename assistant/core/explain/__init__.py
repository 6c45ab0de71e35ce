"""Explain: what each emoji in a message stands for, as readings ranked best first.

In the order a message goes through them:
    reading.py     Reading, EmojiExplanation, Explanation: what explain() answers
    pipeline.py    explain(): literal readings, then the explain model's
    sites.py       where each emoji sits: glued letters, neighbouring words, position
    candidates.py  the shipped candidate table → what an emoji (or two) may stand for
    features.py    a candidate at a site → its named features (FEATURES: the one order)
    context.py     how well a candidate fits the message, from the predictor's own pass
    ranker.py      feature rows → scores (model.onnx, or fixed weights), plus the kind prior
    decode.py      a message → each emoji's readings; rewrite() spells the emojis out
    folder.py      an explain model folder → a Decoder (manifest checked by assistant.core.manifest)

>>> from assistant.core.explain import explain
>>> from assistant.core.lexicon import Lexicon
>>> explain("Gute 🌙", "de", Lexicon.load()).emojis[0].readings[0]
Reading(text='Mondsichel', kind='literal', score=1.0)
"""
from .candidates import KINDS, PUBLIC_KIND, TABLE_FORMAT, Candidate, CandidateTable
from .context import CONTEXT_FILE, ContextModel, ContextScorer, TokenStates, site_vector
from .decode import MAX_EMOJIS, Decoded, candidate_groups, feature_rows, rewrite, site_fits
from .features import BASE_FEATURES, FEATURES, KIND_COLUMNS, column, featurize, with_context
from .folder import Decoder
from .pipeline import explain, explain_literal
from .ranker import Ranker
from .reading import READING_KINDS, EmojiExplanation, Explanation, Reading
from .sites import Site, find_sites, neighbours, word_spans

__all__ = [
    "BASE_FEATURES", "CONTEXT_FILE", "FEATURES", "KINDS", "KIND_COLUMNS", "MAX_EMOJIS", "PUBLIC_KIND", "READING_KINDS",
    "TABLE_FORMAT", "Candidate", "CandidateTable", "ContextModel", "ContextScorer", "Decoded", "Decoder",
    "EmojiExplanation", "Explanation", "Ranker", "Reading", "Site", "TokenStates", "candidate_groups", "column",
    "explain", "explain_literal", "feature_rows", "featurize", "find_sites", "neighbours", "rewrite", "site_fits",
    "site_vector", "with_context", "word_spans",
]
