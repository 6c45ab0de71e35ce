"""Model input arrays → label scores. The only module that imports onnxruntime."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .errors import ModelError


# Official onnxruntime wheels (1.2x+) on Linux and macOS record usage telemetry, keep a
# device id under ~/.cache/Microsoft and upload both. An assistant that reads what people
# type sends nothing anywhere: opt out before onnxruntime initialises (a user may override).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def load_session(model_file: Path | bytes, *, threads: int = 1):
    """An onnxruntime CPU session of a file (or of a serialized model); one it cannot load raises ModelError."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads  # 0 lets onnxruntime use every core
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        return ort.InferenceSession(model_file if isinstance(model_file, bytes) else str(model_file), options,
                                    providers=["CPUExecutionProvider"])
    except Exception as err:  # onnxruntime raises its own exception types
        where = "the serialized model" if isinstance(model_file, bytes) else model_file
        raise ModelError(f"{where} cannot be loaded by onnxruntime ({str(err).splitlines()[0]}); "
                         "the file is damaged or not an ONNX model") from err


class OnnxSession:
    def __init__(self, model_file: Path, *, threads: int = 1):
        self.session = load_session(model_file, threads=threads)
        self.input_names = [i.name for i in self.session.get_inputs()]
        if set(self.input_names) != {"input_ids", "attention_mask"}:
            raise ModelError(f"{model_file}: expected inputs input_ids and attention_mask, found {self.input_names}")
        outputs = [o.name for o in self.session.get_outputs()]
        self.num_labels = self.session.get_outputs()[0].shape[-1]
        self._logits = [outputs[0]]
        # models exported since the implicit-emoji decoder reads context also give token states
        self.has_token_states = "hidden_states" in outputs

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """[batch, seq] int64 arrays → [batch, labels] float32 logits."""
        return self.session.run(self._logits, {"input_ids": input_ids, "attention_mask": attention_mask})[0]

    def token_states(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """[batch, seq] int64 arrays → [batch, seq, hidden] float32 last-layer token states."""
        if not self.has_token_states:
            raise ModelError("this model.onnx has no hidden_states output; re-export it with `python -m training.export`")
        return self.session.run(["hidden_states"], {"input_ids": input_ids, "attention_mask": attention_mask})[0]


class FeatureSession:
    """A ranker: float32 features [n, f] → scores [n] (the implicit-emoji decoder's model.onnx)."""

    def __init__(self, model_file: Path, *, threads: int = 1):
        self.session = load_session(model_file, threads=threads)
        inputs = self.session.get_inputs()
        if [i.name for i in inputs] != ["features"]:
            raise ModelError(f"{model_file}: expected one input named features, found {[i.name for i in inputs]}")
        self.num_features = inputs[0].shape[-1]

    def scores(self, features: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"features": features.astype(np.float32)})[0].reshape(-1)
