"""Model probabilities, keyword matches, the message's tone and a popularity prior → the top-k emojis.

The model knows the ~100 emojis people use most in chat; the lexicon knows every emoji's
localized names and keywords. Fusing the two lets "I love pizza" surface 🍕 though no
training label covers it. The rules, in order:
1. fused score = (1-w)·model probability + w·keyword share (w = keyword_weight when a
   word of the message names an emoji, else 0);
2. keyword emojis the model does not know, named clearly (match ≥ keyword_min), join its
   list right after its confident choices (probability ≥ confident), from the second place
   on and always within the top k, at most keyword_slots of them: the first suggestion is
   always one of the model's, lifted by the words that name it ("I love pizza": ❤️, then 🍕):
   for first place a face or heart that is not cheerful gains feeling_weight × its match
   score when a word names it ("so tired" → 😩 😫 😴 contend with the model's 😢), and where
   a word names faces of a negative feeling clearly (Lexicon.feelings_named) and the model's
   first choice is none of them, the likeliest of them leads if the model gives it at least
   feeling_lead times that choice's probability ("jag är så ledsen", I'm so sad: 😔, not the
   model's 😡), unless the message laughs;
3. a message that laughs ("jajaja", "哈哈", "555") gets the best laughing emoji first; a
   clearly negative one gets no cheerful emoji first (assistant.core.feelings; chosen once the
   keyword emojis are placed, among the model's own, since a keyword emoji never leads), and
   its list spreads over several feelings: an emoji the model treats as a near-duplicate of
   one listed above it (🤬 after 😡; the model's `label_neighbours`) waits until the others
   are listed, so "I'm so angry" shows anger once and then what else the message may mean;
   last, its cheerful emojis wait until three that are not are listed;
4. the language's popularity prior breaks ties and fills a list the model and the
   keywords leave short.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .feelings import CHEERFUL, NAMED_NEGATIVE, SLEEPY, Tone, agree, cheerful_later


@dataclass(frozen=True)
class RankSettings:
    # Fitted on the validation halves of the chat sets and the feelings suite's development half
    # (training/open_set.py reports them): the list stays within half a point of the model alone
    # on real chat messages while the words that name a feeling lift it.
    keyword_weight: float = 0.1  # share of the score given to keyword matches when there are any
    keyword_top: int = 5  # only the best keyword matches count; "love" alone matches dozens of emojis
    keyword_slots: int = 1  # places in the top k that emojis outside the model's labels may take ...
    keyword_min: float = 0.9  # ... when a word names them this clearly (1.0: the emoji's name, "pizza" → 🍕)
    confident: float = 0.25  # model choices at least this probable keep their place in the top k
    tie_weight: float = 1e-6  # popularity's weight: orders equal scores, never reorders unequal ones
    feeling_weight: float = 0.2  # for first place: a face or heart a word names gains this times its match score
    # ... and a negative feeling a word names clearly leads where the model's first choice is none of those named,
    # if the model gives it at least this share of that choice's probability; chosen on the 4,328 feelings
    # validation messages (first fit 78.9 without, 79.1 at 0.05, 79.2 at 0.1, 79.0 at 0.2 and 0.3); the chat
    # validation lists' first fits keep within one message at each
    feeling_lead: float = 0.1
    # two labels whose head weights are at least this alike (cosine) are near-duplicates in a sombre message's list;
    # chosen on the 3,431 feelings validation messages: top 5 86.3 without, 89.0 at 0.4, 88.9 at 0.5 (before sleep
    # faces were kept together); the chat validation lists keep theirs, being seldom sombre
    near_duplicate: float = 0.4

    def __post_init__(self):
        if not 0 <= self.keyword_weight <= 1:
            raise ValueError(f"keyword_weight must be within [0, 1], got {self.keyword_weight}")
        if self.keyword_top < 0 or self.keyword_slots < 0 or not 0 < self.confident <= 1:
            raise ValueError(f"keyword_top must be >= 0 and confident within (0, 1], got "
                             f"{self.keyword_top}, {self.confident}")
        if self.feeling_lead < 0:
            raise ValueError(f"feeling_lead must be >= 0, got {self.feeling_lead}")


DEFAULT = RankSettings()


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fuse(labels: list[str], probs: np.ndarray, keyword_scores: dict[str, float], k: int, *,
         tone: Tone | None = None, prior: dict[str, float] | None = None, feeling: frozenset[str] | None = None,
         clear_feelings: frozenset[str] = frozenset(), neighbours: dict[str, dict[str, float]] | None = None,
         settings: RankSettings = DEFAULT) -> list[tuple[str, float]]:
    """The top-k (emoji, score) pairs, best first; see the module docstring for the rules.

    The keyword share squares the match scores of the best `keyword_top` matches, so one
    specific hit ("pizza") outweighs several generic ones ("love"). `feeling`: the emojis a
    word may lift into first place (faces and hearts: "sad" → 😢); a word that names an object
    the model knows ("sun" → ☀️) lifts it among the rest only, since in chat the first emoji
    follows the feeling more than the topic. None: every emoji may. `clear_feelings`: the faces
    and hearts a word names clearly (Lexicon.feelings_named). `neighbours`: {emoji: {emoji:
    cosine}}, the labels the model treats as alike (Manifest.neighbours()).
    """
    prior = prior or {}
    model = dict(zip(labels, map(float, probs)))
    best = sorted(keyword_scores.items(), key=lambda item: (-item[1], -prior.get(item[0], 0.0), item[0]))
    best = best[:settings.keyword_top]
    total = sum(s * s for _, s in best)
    w = settings.keyword_weight if total > 0 else 0.0
    scores = {label: (1 - w) * p for label, p in model.items()}
    for emoji, s in best:
        scores[emoji] = scores.get(emoji, 0.0) + w * s * s / total
    for emoji, share in prior.items():  # ties and a thin list: the popular emoji first
        scores[emoji] = scores.get(emoji, 0.0) + settings.tie_weight * share
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    if feeling is not None and w:  # first place: the best of the model's own and the feelings a word names
        # every feeling the words name (up to match's limit), not only the best matches: "arrabbiato" names 14 equally
        named_feeling = {e: s for e, s in keyword_scores.items() if e in feeling and e not in CHEERFUL}
        lead = max(ranked, key=lambda item: (1 - w) * model.get(item[0], 0.0)
                   + settings.feeling_weight * named_feeling.get(item[0], 0.0))
        ranked = _lead(ranked, lead)
    laughing = tone is not None and tone.laughter  # laughter has its own first place (feelings.agree)
    # negative feelings only ("perfect" names 💯), and not sleep, a topic more than a feeling ("schlaf gut": 🌙 first)
    clear = [] if laughing else [e for e in clear_feelings if e in NAMED_NEGATIVE and model.get(e, 0.0) > 0]
    if clear and ranked and ranked[0][0] not in clear_feelings:
        likeliest = max(clear, key=lambda e: (model[e], e))
        if model[likeliest] >= settings.feeling_lead * model.get(ranked[0][0], 0.0):
            ranked = _lead(ranked, next(item for item in ranked if item[0] == likeliest))
    named = {e for e, _ in best if e not in model}  # emojis only a word brings
    ranked = [item for item in ranked if item[0] not in named or keyword_scores[item[0]] >= settings.keyword_min]
    ranked = _after_confident(ranked, named, model, settings.keyword_slots, settings.confident)
    if tone is not None:  # after the keyword emojis are placed: a lead chosen before could be one, which never leads
        ranked = agree(ranked, tone, leads=model)
        if tone.sombre:
            if neighbours:
                ranked = spread(ranked, neighbours, settings.near_duplicate, k)
            ranked = cheerful_later(ranked)  # last: spreading may lift a cheerful emoji past those it passes over
    top = _keep_confident(ranked, model, k, settings.confident)
    # each place shows the score of its rank among the scores listed, so that a suggestion the
    # rules moved up never shows less than one below it
    return list(zip((e for e, _ in top), sorted((s for _, s in top), reverse=True)))


def _lead(ranked: list[tuple[str, float]], lead: tuple[str, float]) -> list[tuple[str, float]]:
    return [lead] + [item for item in ranked if item is not lead]


def spread(ranked: list[tuple[str, float]], neighbours: dict[str, dict[str, float]], near: float,
           places: int) -> list[tuple[str, float]]:
    """`ranked` with its first `places` chosen in order, passing over each emoji at least `near`
    alike to one chosen above it: the first stays first, the rest follow, then those passed
    over. Sleep is a topic more than a feeling (a good night is read as tired): its faces are
    never passed over, so "おやすみ" keeps 😴 💤 together.

    >>> alike = {"😡": {"🤬": .86}, "🤬": {"😡": .86}}
    >>> spread([("😡", .5), ("🤬", .3), ("😞", .1), ("👎", .05)], alike, .4, 2)
    [('😡', 0.5), ('😞', 0.1), ('👎', 0.05), ('🤬', 0.3)]
    """
    chosen: list[tuple[str, float]] = []
    passed: list[tuple[str, float]] = []
    for at, item in enumerate(ranked):
        if len(chosen) == places:  # the list shown is full: no need to look further
            return chosen + ranked[at:] + passed
        alike = neighbours.get(item[0], {})
        wait = item[0] not in SLEEPY and any(alike.get(other, 0.0) >= near for other, _ in chosen)
        (passed if wait else chosen).append(item)
    return chosen + passed


def _after_confident(ranked: list[tuple[str, float]], named: set[str], model: dict[str, float], slots: int,
                     confident: float) -> list[tuple[str, float]]:
    """`ranked` with at most `slots` of the emojis in `named`, each placed where its score puts
    it but no lower than right after the model's confident choices (and never first): a word
    that names an emoji shows it in the top k unless k confident choices fill it."""
    known = [item for item in ranked if item[0] not in named]
    extra = [item for item in ranked if item[0] in named][:slots]
    if not known:
        return extra
    lead, rest = known[0], known[1:]  # the feeling agreement, which runs next, may choose another lead
    floor = next((j for j, other in enumerate(rest) if model.get(other[0], 0.0) < confident), len(rest))
    for item in extra:  # best first, each after the one before
        by_score = next((j for j, other in enumerate(rest) if other[1] < item[1]), len(rest))
        at = min(by_score, floor)
        rest.insert(at, item)
        floor = at + 1
    return [lead] + rest


def _keep_confident(ranked: list[tuple[str, float]], model: dict[str, float], k: int,
                    confident: float) -> list[tuple[str, float]]:
    """The first k of `ranked`, with any confident model choice that fell below k put back in
    place of the lowest emoji that is not one."""
    top, rest = ranked[:k], ranked[k:]
    missing = [item for item in rest if model.get(item[0], 0.0) >= confident]
    for item in missing:
        for i in range(len(top) - 1, -1, -1):
            if model.get(top[i][0], 0.0) < confident:
                top[i] = item
                break
    return top
