"""Emojis in a message → ranked readings: what word each emoji stands for.

Candidates come from the decoder's shipped table (candidates.json.gz, built at training
time by training.implicit.candidates): localized names and keywords (literal), words that
sound like them (homophone, including part-word puns such as "🐝lieve", also written apart:
"🐝 leaf" → believe, where the reading replaces the neighbouring word too), two-emoji
sound rebuses ("🦆🍐" → 压力) and curated community meanings (slang). A small trained
ranker (model.onnx, int8) scores every candidate from features that describe the
candidate and where the emoji sits in the message, and, when the decoder is bound to its
emoji predictor, how well the candidate fits the message as the predictor reads it
(assistant.context); one onnxruntime call per message for the ranker. Without a ranker
model the same features are scored by fixed weights (literal first).
"""
from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .emojis import find_emojis
from .errors import ModelError

TABLE_FORMAT = 1
TASK = "implicit-emoji-decoding"
KINDS = ("literal", "keyword", "homophone", "partword", "split", "rebus", "slang", "decorative")  # feature one-hots
PUBLIC_KIND = {"literal": "literal", "keyword": "literal", "homophone": "homophone", "partword": "homophone",
               "split": "homophone",
               "rebus": "rebus", "slang": "slang", "decorative": "decorative"}
FEATURES = ("similarity", *(f"kind_{k}" for k in KINDS), "zipf", "attached", "in_run", "at_end", "at_start",
            "alone", "words", "rank", "pair", "known_lang", "multiword", "in_name",
            "context_left", "context_right", "specific", "context_fit", "has_context")
MAX_EMOJIS = 64  # emojis decoded per message; later ones get literal readings only (bounded latency)


@dataclass
class Candidate:
    text: str  # what the emoji stands for
    kind: str  # one of KINDS
    similarity: float  # pronunciation similarity (1.0 for literal and slang)
    rank: int  # position within its own list (0 = first)
    span: int = 1  # emojis it covers (2 for rebus and two-emoji slang)
    in_name: bool = False  # a keyword that is part of the emoji's name ("rain" in "cloud with rain")
    swallows: str = ""  # "after"/"before": the reading also replaces that neighbouring word ("🐝 leaf" → believe)


@dataclass
class Site:
    """One emoji (or two-emoji group) in a message and what surrounds it."""
    start: int
    end: int
    emojis: list[str]
    left: str  # letters glued to the emoji on the left ("" if none)
    right: str  # letters glued on the right
    before: str  # the word before the emoji (Chinese/Japanese: the character), casefolded
    after: str  # the word after it
    features: dict  # position features shared by every candidate
    apart_before: tuple[str, int] = ("", 0)  # the word written just before, one space apart (casefolded), its start
    apart_after: tuple[str, int] = ("", 0)  # the word written just after, one space apart, and its end


class CandidateTable:
    """The shipped candidate lists, per language."""

    def __init__(self, data: dict, *, source: str = "<dict>"):
        if data.get("format") != TABLE_FORMAT:
            raise ModelError(f"{source}: expected candidate table format {TABLE_FORMAT}, found "
                             f"{data.get('format')!r}; rebuild it with `python -m training.implicit.candidates`")
        self.languages = list(data["languages"])
        self.data = data  # the table as loaded (training reads it whole)
        self._named: dict[str, Counter] = {}  # lang → term → emojis it names, built on first use

    @classmethod
    def load(cls, path: Path) -> CandidateTable:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return cls(json.load(f), source=str(path))
        except (OSError, json.JSONDecodeError) as err:
            raise ModelError(f"{path} is not a gzip JSON candidate table ({err}); reinstall or rebuild the decoder") from err

    def _get(self, table: str, lang: str, key: str) -> list:
        return self.data.get(table, {}).get(lang, {}).get(key, [])

    def pair_count(self, left: str, right: str, lang: str) -> int:
        """How often `left right` was seen in the training sentences."""
        return self.data.get("context", {}).get(lang, {}).get(f"{left}\t{right}", 0)

    def context(self, left: str, right: str, lang: str) -> float:
        """log(1 + pair_count), 0 without both words."""
        return math.log1p(self.pair_count(left, right, lang)) if left and right else 0.0

    def zipf(self, word: str, lang: str) -> float:
        return float(self.data.get("zipf", {}).get(lang, {}).get(word, 0.0))

    def specificity(self, term: str, lang: str) -> float:
        """1 / how many emojis have `term` as their name or a keyword (0 if none): "Hund" names
        three emojis, "Tier" fifty, so 🐶 more likely stands for Hund than for Tier."""
        if lang not in self._named:
            named: Counter = Counter()
            for terms in self.data.get("literal", {}).get(lang, {}).values():
                named.update({t.casefold() for t in terms})
            self._named[lang] = named
        count = self._named[lang].get(term.casefold(), 0)
        return 1.0 / count if count else 0.0

    def single(self, emoji: str, lang: str, left: str, right: str, literal: list[str],
               apart: tuple[str, str] = ("", "")) -> list[Candidate]:
        """Candidates for one emoji; `literal` = localized name then keywords (from the lexicon);
        `apart` = the words written one space before and after it (for split puns)."""
        name = (literal[0] if literal else "").casefold()
        out = [Candidate(t, "literal" if i == 0 else "keyword", 1.0, i, in_name=i > 0 and t.casefold() in name)
               for i, t in enumerate(literal[:12]) if t]
        terms = {t.casefold() for t in literal}  # a "homophone" that is the name itself is a literal reading
        sounds = [(w, s) for w, s in self._get("homophone", lang, emoji) if w.casefold() not in terms]
        out += [Candidate(w, "homophone", s, i) for i, (w, s) in enumerate(sounds)]
        out += [Candidate(m, "slang", 1.0, i) for i, m in enumerate(self._get("slang", lang, emoji))]
        if left or right:  # part-word pun: the emoji is one piece of a word whose other piece is glued to it
            seen, left, right = set(), left.casefold(), right.casefold()
            for fragment, word in self._get("partword", lang, emoji):
                if _completes(word, fragment, left, right):
                    if fragment not in seen:
                        seen.add(fragment)
                        out.append(Candidate(fragment, "partword", 1.0, len(seen) - 1))
        if any(apart):  # the same pun written apart: "🐝 leaf" → believe, "may 🐝" → maybe
            seen = set()
            for neighbour, word, side, similarity in self._get("split", lang, emoji):
                if neighbour == (apart[1] if side == "after" else apart[0]) and word not in seen:
                    seen.add(word)
                    out.append(Candidate(word, "split", similarity, len(seen) - 1, swallows=side))
        out.append(Candidate("", "decorative", 0.0, 0))
        return out

    def pair(self, first: str, second: str, lang: str) -> list[Candidate]:
        """Candidates that two adjacent emojis make together: rebus words and two-emoji slang."""
        key = first + second
        out = [Candidate(w, "rebus", 1.0, i, span=2) for i, w in enumerate(self._get("rebus", lang, key))]
        out += [Candidate(m, "slang", 1.0, i, span=2) for i, m in enumerate(self._get("slang", lang, key))]
        return out


def _completes(word: str, fragment: str, left: str, right: str) -> bool:
    """Whether the letters glued to an emoji read as `fragment` complete `word`: exactly in
    spaced scripts ("🐝lieve"), as the start or end of the glued run in Chinese and Japanese,
    whose words run on into the next ones ("我🦆力好大": 压 + 力好大 starts 压力)."""
    if len(word) <= len(fragment):
        return False
    if right and word.startswith(fragment):
        rest = word[len(fragment):]
        if right == rest or (CJK.match(right[0]) and right.startswith(rest)):
            return True
    if left and word.endswith(fragment):
        rest = word[: -len(fragment)]
        return left == rest or bool(CJK.match(left[-1]) and left.endswith(rest))
    return False


def _is_letter(ch: str) -> bool:
    return ch.isalpha() and not find_emojis(ch)


def _glued(text: str, start: int, end: int) -> tuple[str, str]:
    left = start
    while left > 0 and _is_letter(text[left - 1]):
        left -= 1
    right = end
    while right < len(text) and _is_letter(text[right]):
        right += 1
    return text[left:start], text[end:right]


_TOKEN = re.compile(r"[^\W\d_]+")
_APART_AFTER = re.compile(r"[ \t]+([^\W\d_]+)")  # a word one run of spaces after the emoji
_APART_BEFORE = re.compile(r"([^\W\d_]+)[ \t]+$")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # kana and CJK ideographs


def neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    """The word (CJK: the character) right before `start` and right after `end`, casefolded."""
    before = [m.group() for m in _TOKEN.finditer(text[max(0, start - 40):start])]
    after = [m.group() for m in _TOKEN.finditer(text[end:end + 40])]
    left = before[-1] if before else ""
    right = after[0] if after else ""
    left = left[-1] if left and CJK.match(left[-1]) else left
    right = right[0] if right and CJK.match(right[0]) else right
    return left.casefold(), right.casefold()


def apart(text: str, start: int, end: int) -> tuple[tuple[str, int], tuple[str, int]]:
    """The words written just before and after text[start:end], a run of spaces away:
    ((word casefolded, its start), (word casefolded, its end)); ("", 0) where there is none."""
    before = _APART_BEFORE.search(text[max(0, start - 40):start])
    after = _APART_AFTER.match(text, end)
    return ((before.group(1).casefold(), max(0, start - 40) + before.start(1)) if before else ("", 0),
            (after.group(1).casefold(), after.end(1)) if after else ("", 0))


def sites(text: str, found: list[tuple[int, int, str]]) -> list[Site]:
    """Position features of every emoji in `text` (the `found` list of find_emojis)."""
    words = len([w for w in text.split() if any(_is_letter(c) for c in w)])
    out = []
    for i, (start, end, emoji) in enumerate(found):
        left, right = _glued(text, start, end)
        before, after = text[:start], text[end:]
        in_run = (i > 0 and found[i - 1][1] == start) or (i + 1 < len(found) and found[i + 1][0] == end)
        out.append(Site(start, end, [emoji], left, right, *neighbours(text, start - len(left), end + len(right)), {
            "attached": float(bool(left or right)),
            "in_run": float(in_run),
            "at_end": float(not any(_is_letter(c) for c in after)),
            "at_start": float(not any(_is_letter(c) for c in before)),
            "alone": float(words == 0),
            "words": math.log1p(words) / 4,
        }, *apart(text, start - len(left), end + len(right))))
    return out


def featurize(candidate: Candidate, site: Site, table: CandidateTable, lang: str) -> list[float]:
    kind = [float(candidate.kind == k) for k in KINDS]
    f = site.features
    return [candidate.similarity, *kind, table.zipf(candidate.text, lang) / 8, f["attached"], f["in_run"],
            f["at_end"], f["at_start"], f["alone"], f["words"], math.log1p(candidate.rank) / 3,
            float(candidate.span == 2), float(lang in table.languages), float(" " in candidate.text),
            float(candidate.in_name), table.context(site.before, candidate.text.casefold(), lang) / 3,
            table.context(candidate.text.casefold(), site.after, lang) / 3, table.specificity(candidate.text, lang)]


KIND_COLUMNS = slice(FEATURES.index(f"kind_{KINDS[0]}"), FEATURES.index(f"kind_{KINDS[-1]}") + 1)

# Without a trained ranker: literal name first, then slang, keywords; decorative last.
_FALLBACK = np.array([0.5, 3, 1.5, 0.2, 0.4, 0.3, 0.6, 2, 0.1, 0, 0, 0, 0, 0, 0, 0, -0.5, 0.5, 0, 0, 0, 0, 0, 0.5, 0, 0],
                     dtype=np.float32)


class Ranker:
    """The trained scorer: features [n, len(FEATURES)] → scores [n] (onnxruntime, via assistant.session).

    `kind_shift` (feature kind → log prior ratio, from the decoder manifest) moves every
    candidate's score by how much more common its kind is in real messages than in the
    synthetic training data, a label-shift correction: sound-alikes are over half the
    synthetic answers and a few percent of real ones.
    """

    def __init__(self, model_file: Path | None, *, threads: int = 1, kind_shift: dict | None = None):
        self.session = None
        self.kind_shift = np.array([float((kind_shift or {}).get(k, 0.0)) for k in KINDS], dtype=np.float32)
        if model_file is not None:
            from .session import FeatureSession

            self.session = FeatureSession(model_file, threads=threads)
            if self.session.num_features not in (len(FEATURES), None, "n_features"):
                raise ModelError(f"{model_file}: expected {len(FEATURES)} input features, found "
                                 f"{self.session.num_features}; re-export the decoder")

    def raw_scores(self, features: np.ndarray) -> np.ndarray:
        """The scores as trained, before the kind shift."""
        if len(features) == 0:
            return np.zeros(0, dtype=np.float32)
        return features @ _FALLBACK if self.session is None else self.session.scores(features)

    def scores(self, features: np.ndarray) -> np.ndarray:
        return self.raw_scores(features) + features[:, KIND_COLUMNS] @ self.kind_shift


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


@dataclass
class Decoded:
    start: int  # the emoji's own span
    end: int
    replace_end: int  # end of what the best reading replaces (past the second emoji of a rebus)
    readings: list[tuple[str, str, float]]  # (text, public kind, score), best first
    covered: bool = False  # second emoji of a pair: the first one's reading already replaces it
    replace_start: int | None = None  # start of what the best reading replaces, if before the emoji ("may 🐝")


def candidate_groups(text: str, found: list, lang: str, table: CandidateTable, literal) -> tuple[list, list]:
    """(sites, candidate list per site) for the emojis `found` in `text`."""
    all_sites = sites(text, found)
    groups: list[list[Candidate]] = []
    for i, site in enumerate(all_sites):
        emoji = site.emojis[0]
        cands = table.single(emoji, lang, site.left, site.right, literal(emoji),
                             (site.apart_before[0], site.apart_after[0]))
        if i + 1 < len(found) and found[i][1] == found[i + 1][0]:
            cands += table.pair(emoji, found[i + 1][2], lang)
        groups.append(cands)
    return all_sites, groups


def with_context(rows: np.ndarray, fit: np.ndarray | None) -> np.ndarray:
    """Append the context columns (fit, has_context) to one site's feature rows."""
    if fit is None:
        return np.hstack([rows, np.zeros((len(rows), 2), dtype=np.float32)])
    return np.hstack([rows, fit.reshape(-1, 1).astype(np.float32), np.ones((len(rows), 1), dtype=np.float32)])


def site_fits(text: str, all_sites: list, groups: list, context) -> list[np.ndarray | None]:
    """Per site: the context fit of each candidate, or None (no context, or the emoji lies past
    the predictor's max length)."""
    if context is None or not groups:  # no predictor pass for a message without emojis
        return [None] * len(groups)
    from .context import site_vector

    states, offsets = context.states(text)
    fits = []
    for site, cands in zip(all_sites, groups):
        vector = site_vector(states, offsets, site.start, site.end)
        fits.append(None if vector is None else context.fit(vector, [c.text for c in cands]))
    return fits


def decode(text: str, lang: str, table: CandidateTable, ranker: Ranker, literal, context=None) -> list[Decoded]:
    """Readings for the first MAX_EMOJIS emojis of `text`; `literal(emoji)` gives [name, *keywords];
    `context` (an assistant.context.ContextScorer) adds how well each candidate fits the message."""
    found = find_emojis(text)[:MAX_EMOJIS]
    all_sites, groups = candidate_groups(text, found, lang, table, literal)
    fits = site_fits(text, all_sites, groups, context)
    blocks = [with_context(np.asarray([featurize(c, all_sites[g], table, lang) for c in cands], dtype=np.float32),
                           fits[g]) for g, cands in enumerate(groups)]
    owners = np.asarray([g for g, cands in enumerate(groups) for _ in cands])
    scores = ranker.scores(np.vstack(blocks) if blocks else np.zeros((0, len(FEATURES)), dtype=np.float32))
    out: list[Decoded] = []
    i = 0
    while i < len(groups):
        cands = groups[i]
        probs = _softmax(scores[owners == i])
        order = np.argsort(-probs, kind="stable")
        seen, readings = set(), []
        for j in order:
            key = (cands[j].text.casefold(), PUBLIC_KIND[cands[j].kind])
            if key not in seen:
                seen.add(key)
                readings.append((cands[j].text, PUBLIC_KIND[cands[j].kind], round(float(probs[j]), 4)))
        start, end, best = found[i][0], found[i][1], cands[order[0]]
        if best.swallows:  # a split pun's reading replaces its neighbouring word too
            site = all_sites[i]
            out.append(Decoded(start, end, site.apart_after[1] if best.swallows == "after" else end, readings[:8],
                               replace_start=site.apart_before[1] if best.swallows == "before" else None))
            i += 1
            continue
        if best.span == 2:
            out.append(Decoded(start, end, found[i + 1][1], readings[:8]))
            out.append(Decoded(found[i + 1][0], found[i + 1][1], found[i + 1][1], readings[:8], covered=True))
            i += 2
            continue
        out.append(Decoded(start, end, end, readings[:8]))
        i += 1
    return out


def rewrite(text: str, decoded: list[Decoded]) -> str:
    """`text` with each word-standing emoji replaced by its best reading; decorative ones stay."""
    pieces, pos = [], 0
    for d in decoded:
        if d.covered or not d.readings or d.readings[0][1] == "decorative" or not d.readings[0][0]:
            continue
        start = d.start if d.replace_start is None else max(pos, d.replace_start)
        between = text[pos:start]
        if pieces and not between and not _is_cjk_text(d.readings[0][0]):
            between = " "  # two emojis side by side read as two words: "💎🙌" → "gem hands", not "gemhands"
        pieces += [between, d.readings[0][0]]
        pos = d.replace_end
    return "".join(pieces) + text[pos:]


def _is_cjk_text(word: str) -> bool:
    return bool(word) and all(CJK.match(ch) for ch in word)


@lru_cache(maxsize=4)
def load_table(path: str) -> CandidateTable:
    return CandidateTable.load(Path(path))

class Decoder:
    """A decoder folder: candidates.json.gz, model.onnx (the ranker), context.npz (int8 context projections) and manifest.json.

    >>> Decoder.load(default_decoder_dir()).describe()  # doctest: +SKIP
    'emoji-decoder 0.1.0 (...)'
    """

    def __init__(self, table: CandidateTable, ranker: Ranker, manifest: dict, context=None, *, no_context: str = ""):
        self.table, self.ranker, self.manifest, self.context = table, ranker, manifest, context
        self.no_context = no_context  # why the context features are left out, if they are

    @classmethod
    def load(cls, model_dir: Path, *, threads: int = 1, token_states=None) -> Decoder:
        """Raises ModelError when the folder, a file or a hash is wrong (and says which).

        `token_states` (assistant.context.TokenStates of the emoji predictor) binds the
        decoder to the predictor it was trained with; any other predictor, or none, leaves
        the context features out (the ranker was trained to do without them too).
        """
        from .manifest import check_files, read_manifest_json

        model_dir = Path(model_dir)
        path = model_dir / "manifest.json"
        manifest = read_manifest_json(model_dir)
        if manifest.get("task") != TASK:
            raise ModelError(f"{path}: task {manifest.get('task')!r}, expected {TASK!r}")
        if list(manifest.get("features", [])) != list(FEATURES):
            raise ModelError(f"{path}: the ranker was trained on features {manifest.get('features')}, this "
                             f"emoji-assistant computes {list(FEATURES)}; re-export the decoder")
        check_files(model_dir, manifest.get("files", {}))
        table = load_table(str(model_dir / "candidates.json.gz"))
        model = model_dir / "model.onnx"
        context, why = _bind_context(model_dir, manifest, token_states)
        ranker = Ranker(model if model.is_file() else None, threads=threads,
                        kind_shift=manifest.get("kind_prior", {}).get("shift"))
        return cls(table, ranker, manifest, context, no_context=why)

    def describe(self) -> str:
        name = f"{self.manifest.get('name', 'emoji-decoder')} {self.manifest.get('version', '')}".strip()
        return name if self.context is not None else f"{name} (without context: {self.no_context})"

    def decode(self, text: str, lang: str, literal) -> list[Decoded]:
        return decode(text, lang, self.table, self.ranker, literal, self.context)


def _bind_context(model_dir: Path, manifest: dict, token_states):
    """(ContextScorer or None, why not)."""
    from .context import CONTEXT_FILE, ContextModel, ContextScorer

    wanted = manifest.get("context", {}).get("predictor_sha256")
    if not (model_dir / CONTEXT_FILE).is_file() or not wanted:
        return None, "this decoder has no context model"
    if token_states is None:
        return None, "no emoji predictor with token states loaded"
    if token_states.model_sha256 != wanted:
        return None, "it was trained with another emoji predictor; retrain it with this one"
    return ContextScorer(ContextModel.load(model_dir / CONTEXT_FILE), token_states), ""
