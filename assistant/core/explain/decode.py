"""A message → each emoji's ranked readings (decode), and the message with the emojis spelled out (rewrite).

One pass: the candidates of every emoji (and of every two side by side), their features, the
context fit from one predictor pass when the model is bound to its predictor, one ranker
call for the whole message, then a softmax over each emoji's candidates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..emojis import find_emojis
from ..text import all_cjk, base_language, fold
from .candidates import PUBLIC_KIND, Candidate, CandidateTable
from .features import FEATURES, featurize, with_context
from .ranker import Ranker
from .reading import Reading
from .sites import Site, find_sites

MAX_EMOJIS = 64  # emojis decoded per message; later ones get literal readings only (bounded latency)
MAX_READINGS = 8  # readings kept per emoji, best first


@dataclass
class Decoded:
    start: int  # the emoji's own span
    end: int
    replace_end: int  # end of what the best reading replaces (past the second emoji of a rebus)
    readings: list[Reading]  # best first
    covered: bool = False  # second emoji of a pair: the first one's reading already replaces it
    replace_start: int | None = None  # start of what the best reading replaces, if before the emoji ("may 🐝")


def candidate_groups(text: str, found: list, lang: str, table: CandidateTable,
                     literal) -> tuple[list[Site], list[list[Candidate]]]:
    """(sites, candidate list per site) for the emojis `found` in `text`; `lang` is the
    table's language, `literal(emoji)` gives [name, *keywords] in the message's language."""
    sites = find_sites(text, found)
    groups: list[list[Candidate]] = []
    for i, site in enumerate(sites):
        emoji = site.emojis[0]
        cands = table.single(emoji, lang, site.left, site.right, literal(emoji),
                             (site.apart_before[0], site.apart_after[0]), (site.before, site.after))
        if i + 1 < len(found) and found[i][1] == found[i + 1][0]:
            cands += table.pair(emoji, found[i + 1][2], lang)
        groups.append(cands)
    return sites, groups


def site_fits(text: str, sites: list[Site], groups: list, context) -> list[np.ndarray | None]:
    """Per site: the context fit of each candidate, or None (no context, or the emoji lies past
    the predictor's max length)."""
    if context is None or not groups:  # no predictor pass for a message without emojis
        return [None] * len(groups)
    from .context import site_vector

    states, offsets = context.states(text)
    fits = []
    for site, cands in zip(sites, groups):
        vector = site_vector(states, offsets, site.start, site.end)
        fits.append(None if vector is None else context.fit(vector, [c.text for c in cands]))
    return fits


def feature_rows(cands: list[Candidate], site: Site, table: CandidateTable, lang: str,
                 fit: np.ndarray | None) -> np.ndarray:
    """[len(cands), len(FEATURES)] float32: one site's rows, context columns included."""
    return with_context(np.asarray([featurize(c, site, table, lang) for c in cands], dtype=np.float32), fit)


def decode(text: str, lang: str, table: CandidateTable, ranker: Ranker, literal, context=None) -> list[Decoded]:
    """Readings for the first MAX_EMOJIS emojis of `text`; `literal(emoji)` gives [name, *keywords];
    `context` (an assistant.core.explain.context.ContextScorer) adds how well each candidate fits the
    message. The table is read in the base language ("zh-Hant" reads the "zh" lists)."""
    lang = base_language(lang)
    found = find_emojis(text)[:MAX_EMOJIS]
    sites, groups = candidate_groups(text, found, lang, table, literal)
    fits = site_fits(text, sites, groups, context)
    blocks = [feature_rows(cands, sites[g], table, lang, fits[g]) for g, cands in enumerate(groups)]
    owners = np.asarray([g for g, cands in enumerate(groups) for _ in cands])
    scores = ranker.scores(np.vstack(blocks) if blocks else np.zeros((0, len(FEATURES)), dtype=np.float32))
    out: list[Decoded] = []
    i = 0
    while i < len(groups):
        cands = groups[i]
        probs = _softmax(scores[owners == i])
        order = np.argsort(-probs, kind="stable")
        readings = _readings(cands, probs, order)
        start, end, best = found[i][0], found[i][1], cands[order[0]]
        if best.swallows == "glued":  # a repaired glued pun replaces the letters glued to the emoji
            site = sites[i]
            out.append(Decoded(start, end, end + len(site.right), readings, replace_start=start - len(site.left)))
            i += 1
        elif best.swallows:  # a split pun's reading replaces its neighbouring word too
            site = sites[i]
            out.append(Decoded(start, end, site.apart_after[1] if best.swallows == "after" else end, readings,
                               replace_start=site.apart_before[1] if best.swallows == "before" else None))
            i += 1
        elif best.span == 2:  # a rebus or two-emoji slang: the second emoji is covered by the first's reading
            out.append(Decoded(start, end, found[i + 1][1], readings))
            out.append(Decoded(found[i + 1][0], found[i + 1][1], found[i + 1][1], list(readings), covered=True))
            i += 2
        else:
            out.append(Decoded(start, end, end, readings))
            i += 1
    return out


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def _readings(cands: list[Candidate], probs: np.ndarray, order: np.ndarray) -> list[Reading]:
    """The best MAX_READINGS readings, each (text, public kind) once, at its best score."""
    seen, readings = set(), []
    for j in order:
        key = (fold(cands[j].text), PUBLIC_KIND[cands[j].kind])
        if key not in seen:
            seen.add(key)
            readings.append(Reading(cands[j].text, PUBLIC_KIND[cands[j].kind], round(float(probs[j]), 4)))
    return readings[:MAX_READINGS]


def rewrite(text: str, decoded: list[Decoded]) -> str:
    """`text` with each word-standing emoji replaced by its best reading; decorative ones stay."""
    pieces, pos = [], 0
    for d in decoded:
        if d.covered or not d.readings or d.readings[0].kind == "decorative" or not d.readings[0].text:
            continue
        best = d.readings[0].text
        start = d.start if d.replace_start is None else max(pos, d.replace_start)
        between = text[pos:start]
        if pieces and not between and not all_cjk(best):
            between = " "  # two emojis side by side read as two words: "💎🙌" → "gem hands", not "gemhands"
        pieces += [between, best]
        pos = d.replace_end
    return "".join(pieces) + text[pos:]
