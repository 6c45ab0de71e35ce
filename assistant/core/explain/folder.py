"""An explain model folder → a Decoder: candidates.json.gz, model.onnx (the ranker), context.npz
(int8 context projections) and manifest.json, checked by assistant.core.manifest like the predictor's."""
from __future__ import annotations

from pathlib import Path

from ..errors import ModelError
from ..manifest import ExplainManifest, load_manifest
from .candidates import CandidateTable, load_table
from .decode import Decoded, decode
from .features import FEATURES
from .ranker import Ranker

MODEL_ENV = "EMOJI_ASSISTANT_EXPLAIN_MODEL"  # an explain model folder to use instead of the one beside the predictor
MODEL_ENV_ALIAS = "EMOJI_ASSISTANT_DECODER"  # the same, under its older name
FOLDER_NAMES = ("emoji-explain", "emoji-decoder")  # looked for beside the predictor's folder; the second is the older name


class Decoder:
    """The loaded explain model: reads each emoji of a message.

    >>> Decoder.load(Path("models/emoji-explain")).describe()  # doctest: +SKIP
    'emoji-decoder 0.5.0 (without context: no emoji predictor with token states loaded)'
    """

    def __init__(self, table: CandidateTable, ranker: Ranker, manifest: ExplainManifest, context=None, *,
                 no_context: str = ""):
        self.table, self.ranker, self.manifest, self.context = table, ranker, manifest, context
        self.no_context = no_context  # why the context features are left out, if they are

    @property
    def languages(self) -> list[str]:
        """The languages whose sound-alikes, rebuses and slang it reads (others get literal readings)."""
        return list(self.table.languages)

    def prepare(self) -> None:
        """Build each language's glued-pun repair index now instead of on its first use."""
        for lang in self.table.languages:
            self.table.repairer(lang)

    @classmethod
    def load(cls, model_dir: Path, *, threads: int = 1, token_states=None) -> Decoder:
        """Raises ModelError when the folder, a file or a hash is wrong (and says which).

        `token_states` (assistant.core.explain.context.TokenStates of the emoji predictor) binds the
        model to the predictor it was trained with; any other predictor, or none, leaves the
        context features out (the ranker was trained to do without them too).
        """
        model_dir = Path(model_dir)
        manifest = load_manifest(model_dir, kind=ExplainManifest)
        if list(manifest.features) != list(FEATURES):
            raise ModelError(f"{model_dir / 'manifest.json'}: the ranker was trained on features "
                             f"{manifest.features}, this emoji-assistant computes {list(FEATURES)}; "
                             "re-export the explain model")
        table = load_table(str(model_dir / "candidates.json.gz"))
        model = model_dir / "model.onnx"
        context, why = _bind_context(model_dir, manifest, token_states)
        ranker = Ranker(model if model.is_file() else None, threads=threads, kind_shift=manifest.kind_shift)
        return cls(table, ranker, manifest, context, no_context=why)

    def describe(self) -> str:
        name = f"{self.manifest.name} {self.manifest.version}".strip()
        return name if self.context is not None else f"{name} (without context: {self.no_context})"

    def decode(self, text: str, lang: str, literal) -> list[Decoded]:
        return decode(text, lang, self.table, self.ranker, literal, self.context)


def _bind_context(model_dir: Path, manifest: ExplainManifest, token_states):
    """(ContextScorer or None, why not)."""
    from .context import CONTEXT_FILE, ContextModel, ContextScorer

    wanted = manifest.predictor_sha256
    if not (model_dir / CONTEXT_FILE).is_file() or not wanted:
        return None, "this explain model has no context model"
    if token_states is None:
        return None, "no emoji predictor with token states loaded"
    if token_states.model_sha256 != wanted:
        return None, "it was trained with another emoji predictor; retrain it with this one"
    return ContextScorer(ContextModel.load(model_dir / CONTEXT_FILE), token_states), ""
