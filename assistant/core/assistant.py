"""Assistant: text in, ranked emojis out. Normalise, detect language, score, rank."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, asdict
from pathlib import Path

import numpy as np

from .errors import InputError, ModelError
from .explain import Explanation, explain
from .chat_ngrams import chat_ngrams
from .emojis import is_emoji_only
from .feeling_ngrams import feeling_ngrams as shipped_feeling_ngrams
from .language import Hint, check_language, detect_language
from .lexicon import Lexicon
from .manifest import Manifest, load_manifest
from .normalize import normalize_text
from .paths import default_model_dir, models_dir
from .feelings import tone
from .popularity import popularity
from .rank import DEFAULT as DEFAULT_RANKING, RankSettings, fuse, softmax
from .session import OnnxSession
from .shortcodes import ShortcodeIndex
from .text import other_first_case
from .tokenizer import TextEncoder
from .versions import MODEL_ENV, ModelVersions, is_versioned_root, versioned_root

BATCH_SIZE = 32  # messages per model call in batch mode


@dataclass
class Suggestion:
    emoji: str
    score: float  # fused score in [0, 1]; the suggestions of one message sum to at most 1
    name: str  # in the message's language, English where the lexicon has no entry


@dataclass
class Result:
    text: str
    lang: str
    suggestions: list[Suggestion] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def resolve_decoder_dir(model_dir: Path, decoder: str | Path | None = None) -> Path | None:
    """The explain model folder: `decoder`, else $EMOJI_ASSISTANT_EXPLAIN_MODEL (or its older name
    $EMOJI_ASSISTANT_DECODER), else `emoji-explain` (or the older `emoji-decoder`) beside the
    model folder; None (literal readings only) if there is none."""
    from .explain.folder import FOLDER_NAMES, MODEL_ENV, MODEL_ENV_ALIAS

    chosen = decoder or os.environ.get(MODEL_ENV) or os.environ.get(MODEL_ENV_ALIAS)
    if chosen:
        path = Path(chosen).expanduser()
        if not (path / "manifest.json").is_file():
            raise ModelError(f"explain model folder {path} has no manifest.json; pass a folder made by "
                             "`python -m training.explain.export_ranker`")
        return path
    root = versioned_root(model_dir)
    # A version of a versioned root looks beside the root, then (the per-user root holds no explain
    # model) among the shipped models; the explain model drops its context features for a predictor
    # it was not trained with, so a retrained version keeps the rest of its readings.
    places = [root.parent, models_dir()] if root else [Path(model_dir).parent]
    for place in places:
        for name in FOLDER_NAMES:
            if (place / name / "manifest.json").is_file():
                return place / name
    return None


def resolve_model_dir(model: str | Path | None = None) -> Path:
    """--model PATH, else $EMOJI_ASSISTANT_MODEL, else the shipped default; a versioned root
    (assistant.core.versions) gives its current version's folder."""
    chosen = Path(model or os.environ.get(MODEL_ENV) or default_model_dir()).expanduser()
    return ModelVersions(chosen).current_dir() if is_versioned_root(chosen) else chosen


class Assistant:
    """Suggests emojis for messages in any of the lexicon's languages.

    Args:
        model: model folder or versioned root (its current version is loaded); default
            $EMOJI_ASSISTANT_MODEL or the shipped model.
        threads: onnxruntime threads per call (1 keeps a bot or helper light).
        both_cases: read a message whose first letter has a case twice, as written and with that
            letter's case swapped, and average the two readings (see probabilities()).

    Raises:
        ModelError: the model folder is missing, damaged or of another format.

    >>> a = Assistant()
    >>> "🍕" in [s.emoji for s in a.suggest("I love pizza", k=3)]
    True
    """

    def __init__(self, model: str | Path | None = None, *, threads: int = 1, decoder: str | Path | None = None,
                 ranking: RankSettings = DEFAULT_RANKING, both_cases: bool = True):
        self.model_dir = resolve_model_dir(model)
        self._decoder_dir = resolve_decoder_dir(self.model_dir, decoder)
        self._decoder = None  # loaded on the first explain()
        self._threads = threads
        self.manifest: Manifest = load_manifest(self.model_dir)
        self.encoder = TextEncoder(self.model_dir / "tokenizer.json", max_length=self.manifest.max_length)
        self.session = OnnxSession(self.model_dir / "model.onnx", threads=threads)
        if isinstance(self.session.num_labels, int) and self.session.num_labels != len(self.manifest.labels):
            raise ModelError(f"{self.model_dir}: model.onnx has {self.session.num_labels} outputs but the manifest "
                             f"lists {len(self.manifest.labels)} labels; re-export the model")
        self.labels = self.manifest.labels
        self.lexicon = Lexicon.load()
        self._feeling = self.lexicon.feeling_emojis()
        self._neighbours = self.manifest.neighbours()
        self.ranking = ranking
        self.both_cases = both_cases

    def suggest(self, text: str, k: int = 5, lang: str | None = None, *, hint: Hint = None) -> list[Suggestion]:
        """Top-`k` emojis for one message (empty list for an empty message).

        Args:
            lang: the message's language, if known (else it is detected).
            hint: the languages the caller expects (a Telegram user's language_code, the
                desktop's configured languages, a browser's Accept-Language), most likely
                first; detection leans towards them when the message is short or unclear.
        """
        return self.suggest_batch([text], k=k, lang=lang, hint=hint)[0].suggestions

    def suggest_batch(self, texts: list[str], k: int = 5, lang: str | None = None, *,
                      hint: Hint = None) -> list[Result]:
        """One Result per text, in input order; messages are batched by length for speed."""
        if k < 1:
            raise InputError(f"k must be at least 1, got {k}")
        forced = check_language(lang) if lang else None
        clean = [normalize_text(t) for t in texts]
        langs = [forced or detect_language(t, hint=hint) for t in clean]
        probs = self.probabilities(clean, langs)
        results = []
        for text, message, lang_code, p in zip(texts, clean, langs, probs):
            if not message:
                results.append(Result(text, lang_code))
                continue
            ranked = self.rank(message, lang_code, p, k)
            results.append(Result(text, lang_code, [
                Suggestion(e, round(s, 4), self.lexicon.name(e, lang_code)) for e, s in ranked]))
        return results

    def rank(self, message: str, lang: str, probs: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The top-k (emoji, score) for a normalised message from its model probabilities:
        keyword matches in `lang`, the message's tone and the language's popularity prior
        (the rules are in assistant.core.rank)."""
        words = self.lexicon.read(message, lang)
        return fuse(self.labels, probs, words.scores, k, tone=tone(message, self.labels, probs, words.scores),
                    prior=popularity(lang), feeling=self._feeling, clear_feelings=words.feelings,
                    neighbours=self._neighbours, settings=self.ranking)

    def detect_language(self, text: str, *, hint: Hint = None) -> str:
        """The message's language code, offline; `hint` as in suggest(). Runs no model.

        >>> Assistant().detect_language("Gute 🌙")
        'de'
        """
        return detect_language(normalize_text(text), hint=hint)

    @staticmethod
    def is_emoji_only(text: str) -> bool:
        """Whether the message is emojis alone (explain it rather than suggest for it).

        >>> Assistant.is_emoji_only("💎🙌"), Assistant.is_emoji_only("hold 💎🙌")
        (True, False)
        """
        return is_emoji_only(text)

    def shortcodes(self, languages: list[str] | None = None) -> ShortcodeIndex:
        """An index of shortcode terms → emojis over the localized names and keywords of
        `languages` (English always included), for ":pizza:"-style typing and name search.
        Building takes about 60 ms per language.

        >>> Assistant().shortcodes(["ru"]).lookup("пицца")
        '🍕'
        """
        return ShortcodeIndex(self.lexicon, languages)

    def explain(self, text: str, lang: str | None = None, *, hint: Hint = None) -> Explanation:
        """What each emoji in `text` stands for, readings best first; `rewritten` spells it out.

        Uses the explain model found beside the predictor (models/emoji-explain), else literal
        readings only. Without `lang`, close calls go to a language the explain model reads.

        >>> out = Assistant().explain("Gute 🌙", lang="de")
        >>> out.emojis[0].name["en"], out.rewritten
        ('crescent moon', 'Gute Nacht')
        """
        clean = normalize_text(text)
        self._load_decoder()
        readable = self._decoder.languages if self._decoder is not None else ()
        lang_code = check_language(lang) if lang else detect_language(clean, hint=hint, prefer=readable)
        return explain(clean, lang_code, self.lexicon, self._decoder)

    def prepare_explain(self) -> None:
        """Load the explain model and build what its first readings in each language would
        otherwise wait for (the glued-pun word indexes, ~0.8 s per language): for a server's
        warm-up, so no request pays for it."""
        self._load_decoder()
        if self._decoder is not None:
            self._decoder.prepare()

    def _load_decoder(self) -> None:
        if self._decoder is None and self._decoder_dir is not None:
            from .explain import Decoder

            self._decoder = Decoder.load(self._decoder_dir, threads=self._threads, token_states=self.token_states())

    def token_states(self):
        """The predictor's token states (assistant.core.explain.TokenStates), or None for a model
        exported without them."""
        if not self.session.has_token_states:
            return None
        from .explain import TokenStates

        return TokenStates(self.session, self.encoder, self.manifest.files.get("model.onnx", ""))

    def probabilities(self, clean_texts: list[str], langs: list[str] | None = None, *,
                      chat_habits: bool = True, feeling_ngrams: bool = True) -> np.ndarray:
        """[n, labels] calibrated model probabilities for already normalised texts; a model with
        language priors (how much each language's chat uses each emoji) shifts each message's
        logits by its language's (`langs`, else detected). `chat_habits`: a language with an
        n-gram model of its own chat (assistant.core.chat_ngrams) has it fused in. `feeling_ngrams`:
        the words that name a feeling (assistant.core.feeling_ngrams) lift the emojis they name.

        With `both_cases` (the default) a message whose first letter has a case is read as written
        and with that letter's case swapped, and the two readings are averaged: phone keyboards
        capitalise a message's first letter, and the network reads "This is disgusting" more
        cheerfully than "this is disgusting" (on the feelings validation messages, capitalised:
        first fit 69.9 → 72.1%, cheerful first 38 → 30). It costs a second reading of most messages."""
        if langs is None and (chat_habits or self.manifest.calibration.get("language_priors")):
            langs = [detect_language(t) for t in clean_texts]
        others = map(other_first_case, clean_texts) if self.both_cases else ()
        swapped = [(i, other) for i, other in enumerate(others) if other is not None]
        at = [i for i, _ in swapped]
        read = self._read(list(clean_texts) + [other for _, other in swapped],
                          None if langs is None else list(langs) + [langs[i] for i in at])  # one pass, batched together
        out = read[:len(clean_texts)]
        out[at] = (out[at] + read[len(clean_texts):]) / 2
        return self.with_ngrams(clean_texts, langs, out, chat_habits=chat_habits, feeling_ngrams=feeling_ngrams)

    def _read(self, texts: list[str], langs: list[str] | None) -> np.ndarray:
        """[n, labels] the network's calibrated probabilities for each text, its language's prior
        added where the model has priors (`langs` then given)."""
        ids = self.encoder.token_ids(texts)
        out = np.zeros((len(ids), len(self.labels)), dtype=np.float32)
        shift = None
        if self.manifest.calibration.get("language_priors"):
            shift = np.asarray([self.manifest.language_prior(lang) for lang in langs], dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # little padding per batch
        for start in range(0, len(order), BATCH_SIZE):
            idx = order[start:start + BATCH_SIZE]
            input_ids, mask = self.encoder.pad([ids[i] for i in idx])
            logits = self.session.logits(input_ids, mask)
            if shift is not None:
                logits = logits + shift[idx]
            out[idx] = softmax(logits, self.manifest.temperature)
        return out

    def with_ngrams(self, clean_texts: list[str], langs: list[str], probs: np.ndarray, *, chat_habits: bool = True,
                    feeling_ngrams: bool = True, chat_models=None, feeling_model=None) -> np.ndarray:
        """The network's probabilities `probs` ([n, labels]) through the n-gram steps in the runtime's
        order: the language's chat habits, then the feeling n-grams. `chat_models` as in
        with_chat_habits, `feeling_model` as `model` in with_feeling_ngrams (the builders and
        evaluations pass candidates or leave steps out)."""
        if chat_habits:
            probs = self.with_chat_habits(clean_texts, langs, probs, models=chat_models)
        return self.with_feeling_ngrams(clean_texts, probs, feeling_model) if feeling_ngrams else probs

    def with_chat_habits(self, clean_texts: list[str], langs: list[str], probs: np.ndarray,
                         models=None) -> np.ndarray:
        """`probs` (the model's, [n, labels]) with each language's chat n-gram model fused in where it
        has one, except for messages the model reads as clearly negative: the n-grams know a
        community's habits (its 😂 and 👍), not how a writer feels, and must not bury a grief.
        `models`: language → its n-gram model or None (default: the shipped ones; the builder
        passes its candidates)."""
        models = models or chat_ngrams
        out = probs.copy()
        for i, (text, lang) in enumerate(zip(clean_texts, langs)):
            habits = models(lang)
            if habits is not None and text and not tone(text, self.labels, probs[i]).sombre:
                out[i] = habits.fuse(text, self.labels, out[i])
        return out

    def with_feeling_ngrams(self, clean_texts: list[str], probs: np.ndarray, model=None) -> np.ndarray:
        """`probs` ([n, labels]) with the emojis the message's feeling words name lifted
        (assistant.core.feeling_ngrams); unchanged where there is no such model. `model`: default
        the shipped one (the builder passes its candidates)."""
        model = model or shipped_feeling_ngrams()
        if model is None:
            return probs
        return np.stack([model.fuse(text, self.labels, p) for text, p in zip(clean_texts, probs)]) if len(probs) else probs
