"""fp32 model.onnx → int8 model.onnx (dynamic quantization), and a parity check between them."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def quantize_int8(fp32: Path, int8: Path) -> Path:
    """Weights of MatMul and Gather (the embedding tables) to int8; activations quantized at run time."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gather"], per_channel=False)
    return int8


def onnx_logits(model_file: Path, batches) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(model_file), providers=["CPUExecutionProvider"])
    return np.concatenate([session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
                           for ids, mask in batches])


def top1_agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a.argmax(1) == b.argmax(1)))
