"""A predictor's classification head as arrays, and the same model.onnx with another head.

The head is the last step of every exported predictor: the mean of the last-layer token
states over the message's pieces, then one linear map to the labels' logits, plus, after a
refit, a one-hidden-layer correction (training/lib/model.py, EmojiClassifier.classify).
Swapping it rewrites only that step, so every encoder node, and with them the token states
(`hidden_states`) that the explain model reads, stay exactly as they were. The head's
weights are read back by training.lib.dequantize.head_weights and correction_weights.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

LOGITS, STATES, MASK = "logits", "hidden_states", "attention_mask"
WEIGHT, BIAS = "head.weight_Transposed", "head.bias"  # [hidden, labels], [labels]
# named after training.lib.model.Correction's parameters, as torch.onnx would name them
CORRECTION_IN, CORRECTION_BIAS, CORRECTION_OUT = ("correction.hidden.weight_Transposed", "correction.hidden.bias",
                                                  "correction.out.weight_Transposed")


def pooled(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """[batch, seq, hidden] token states, [batch, seq] mask → [batch, hidden] mean over the pieces."""
    weights = mask[:, :, None].astype(np.float32)
    return (states * weights).sum(1) / np.maximum(weights.sum(1), 1.0)


def pooled_features(model_dir: Path, texts: list[str], *, threads: int = 2, batch: int = 64,
                    desc: str = "features") -> np.ndarray:
    """[n, hidden] head inputs of `texts` (normalised as the runtime does), read through the
    model's own token states; messages are batched by length."""
    from tqdm import tqdm

    from assistant.core.manifest import load_manifest
    from assistant.core.normalize import normalize_text
    from assistant.core.session import OnnxSession
    from assistant.core.tokenizer import TextEncoder

    encoder = TextEncoder(model_dir / "tokenizer.json", max_length=load_manifest(model_dir).max_length)
    session = OnnxSession(model_dir / "model.onnx", threads=threads)
    ids = encoder.token_ids([normalize_text(t) for t in texts])
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = None
    for start in tqdm(range(0, len(order), batch), desc=desc, unit="batch", leave=False):
        idx = order[start:start + batch]
        input_ids, mask = encoder.pad([ids[i] for i in idx])
        rows = pooled(session.token_states(input_ids, mask), mask)
        if out is None:
            out = np.zeros((len(ids), rows.shape[1]), dtype=np.float32)
        out[idx] = rows
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def encoder_fingerprint(model) -> str:
    """A hash of everything the token states depend on (an onnx ModelProto's nodes and initializers
    outside the head): equal for two models whose heads alone differ, so features read through one
    serve the other."""
    import hashlib

    graph = model.graph
    head = set(_head_nodes(graph))
    nodes = [node for i, node in enumerate(graph.node) if i not in head]
    used = {name for node in nodes for name in node.input}
    digest = hashlib.sha256()
    for node in nodes:
        digest.update(node.SerializeToString())
    for init in sorted((i for i in graph.initializer if i.name in used), key=lambda i: i.name):
        digest.update(init.SerializeToString())
    return digest.hexdigest()


def _head_nodes(graph) -> list[int]:
    """Indices of the nodes that only the logits need (not the token states)."""
    nodes = list(graph.node)
    producer = {name: i for i, node in enumerate(nodes) for name in node.output}

    def ancestors(outputs: list[str]) -> set[int]:
        found, stack = set(), list(outputs)
        while stack:
            i = producer.get(stack.pop())
            if i is not None and i not in found:
                found.add(i)
                stack.extend(nodes[i].input)
        return found

    return sorted(ancestors([LOGITS]) - ancestors([STATES]))


def swap_head(model, weight: np.ndarray, bias: np.ndarray, correction=None):
    """`model` (an onnx ModelProto, changed in place and returned) with logits = mean token state
    x @ weight + bias (+ relu(x V + c) U for `correction` = (V, c, U), V and U stored as int8), in
    float32; the old head's nodes and initializers are removed."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from training.lib.quantize import quantize_rows

    graph = model.graph
    dropped = set(_head_nodes(graph))
    kept = [node for i, node in enumerate(graph.node) if i not in dropped]
    p = "head_swap"
    new = [
        helper.make_node("Cast", [MASK], [f"{p}/mask"], name=f"{p}/mask", to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", [f"{p}/mask", f"{p}/last_axis"], [f"{p}/mask3"], name=f"{p}/mask3"),
        helper.make_node("Mul", [STATES, f"{p}/mask3"], [f"{p}/masked"], name=f"{p}/masked"),
        helper.make_node("ReduceSum", [f"{p}/masked", f"{p}/sequence_axis"], [f"{p}/sum"], name=f"{p}/sum",
                         keepdims=0),
        helper.make_node("ReduceSum", [f"{p}/mask3", f"{p}/sequence_axis"], [f"{p}/count"], name=f"{p}/count",
                         keepdims=0),
        helper.make_node("Max", [f"{p}/count", f"{p}/one"], [f"{p}/count_safe"], name=f"{p}/count_safe"),
        helper.make_node("Div", [f"{p}/sum", f"{p}/count_safe"], [f"{p}/pooled"], name=f"{p}/pooled"),
        # named as torch.onnx names the head's nodes and weights, so training.lib.dequantize reads it back
        helper.make_node("MatMul", [f"{p}/pooled", WEIGHT], [f"{p}/matmul"], name="/head/MatMul"),
        helper.make_node("Add", [f"{p}/matmul", BIAS], [LOGITS if correction is None else f"{p}/linear"],
                         name="/head/Add"),
    ]
    tensors = [(WEIGHT, weight, np.float32), (BIAS, bias, np.float32)]
    if correction is not None:
        inner, inner_bias, outer = correction
        c = "/correction"  # node names as torch.onnx gives them, so training.lib.dequantize reads them back
        # its two weights are int8 with one scale per output column (a quarter of fp32's bytes), read back to
        # float by DequantizeLinear; the MatMuls run in float
        for name, value in ((CORRECTION_IN, inner), (CORRECTION_OUT, outer)):
            columns, scale = quantize_rows(np.asarray(value).T)  # one scale per output column
            rows = np.ascontiguousarray(columns.T)
            new.append(helper.make_node("DequantizeLinear", [f"{name}_quantized", f"{name}_scale"], [name],
                                        name=f"{c}/{name}/DequantizeLinear", axis=1))
            tensors += [(f"{name}_quantized", rows, np.int8), (f"{name}_scale", scale, np.float32)]
        new += [
            helper.make_node("MatMul", [f"{p}/pooled", CORRECTION_IN], [f"{p}/inner"], name=f"{c}/hidden/MatMul"),
            helper.make_node("Add", [f"{p}/inner", CORRECTION_BIAS], [f"{p}/inner_biased"], name=f"{c}/hidden/Add"),
            helper.make_node("Relu", [f"{p}/inner_biased"], [f"{p}/relu"], name=f"{c}/Relu"),
            helper.make_node("MatMul", [f"{p}/relu", CORRECTION_OUT], [f"{p}/correction"], name=f"{c}/out/MatMul"),
            helper.make_node("Add", [f"{p}/linear", f"{p}/correction"], [LOGITS], name=f"{c}/Add"),
        ]
        tensors.append((CORRECTION_BIAS, inner_bias, np.float32))
    del graph.node[:]
    graph.node.extend(kept + new)
    constants = [numpy_helper.from_array(np.asarray(value, dtype), name) for name, value, dtype in [
        (f"{p}/last_axis", [-1], np.int64), (f"{p}/sequence_axis", [1], np.int64), (f"{p}/one", 1.0, np.float32),
        *tensors]]
    used = {name for node in graph.node for name in node.input}
    fresh = {c.name for c in constants}
    inits = [init for init in graph.initializer if init.name in used and init.name not in fresh]
    del graph.initializer[:]
    graph.initializer.extend(inits + constants)
    for output in graph.output:
        if output.name == LOGITS and len(output.type.tensor_type.shape.dim) == 2:
            dim = output.type.tensor_type.shape.dim[1]
            dim.ClearField("dim_param")
            dim.dim_value = int(np.shape(weight)[1])
    onnx.checker.check_model(model)
    return model
