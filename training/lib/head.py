"""A predictor's classification head as arrays, and the same model.onnx with another head.

The head is the last step of every exported predictor: the mean of the last-layer token
states over the message's pieces, then one linear map to the labels' logits, plus, after a
refit, a one-hidden-layer correction that reads a few views of the token states (the views
below; training/lib/model.py, EmojiClassifier.classify).
Swapping it rewrites only that step, so every encoder node, and with them the token states
(`hidden_states`) that the explain model reads, stay exactly as they were. The head's
weights are read back by training.lib.dequantize.head_weights and correction_weights.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

LOGITS, STATES, MASK = "logits", "hidden_states", "attention_mask"
WEIGHT, BIAS = "head.weight_Transposed", "head.bias"  # [hidden, labels], [labels]
# named after training.lib.model.Correction's parameters, as torch.onnx would name them
CORRECTION_IN, CORRECTION_BIAS, CORRECTION_OUT = ("correction.hidden.weight_Transposed", "correction.hidden.bias",
                                                  "correction.out.weight_Transposed")
LAYER_OUTPUT = re.compile(r"(?:/model)?/encoder/(?:encoder/layer\.(\d+)/output|embeddings)/LayerNorm/")

# What the correction reads, each (pooling, layers below the top): the mean and the max of the last layer's token
# states, and the mean two layers down. Refit over 0.6.0's frozen encoder (model alone, first fit / top 5 on the
# feelings validation split; on the development half), the last layer's mean alone gave 41.7 / 70.5; 50.0 / 74.6,
# and these three 48.9 / 75.3; 61.0 / 82.2, with the chat validation sets within a point: the max keeps one strong
# word that the mean dilutes, and the lower layer keeps word-level cues the top has blended.
CORRECTION_VIEWS = (("mean", 0), ("max", 0), ("mean", 2))
LAST_LAYER_MEAN = (("mean", 0),)  # the linear map's input, and all that 0.6.0's correction read


def views_of(rows: int, hidden: int) -> tuple:
    """The views a correction whose first weight has `rows` input rows reads, told by their count."""
    known = {len(CORRECTION_VIEWS): CORRECTION_VIEWS, len(LAST_LAYER_MEAN): LAST_LAYER_MEAN}
    if rows % hidden or rows // hidden not in known:
        raise ValueError(f"a correction with {rows} input rows over {hidden}-wide token states reads views this "
                         "code does not know")
    return known[rows // hidden]


def pooled(states: np.ndarray, mask: np.ndarray, how: str = "mean") -> np.ndarray:
    """[batch, seq, hidden] token states, [batch, seq] mask → [batch, hidden] mean (or max) over the pieces."""
    weights = mask[:, :, None].astype(np.float32)
    if how == "max":
        return np.where(weights > 0, states, np.float32(-1e9)).max(1)
    return (states * weights).sum(1) / np.maximum(weights.sum(1), 1.0)


def layer_states(model, below: int) -> str:
    """The name of the token states `below` layers under the top in an exported predictor's graph
    (as transformers counts its hidden_states: under the bottom layer are the embeddings)."""
    if below == 0:
        return STATES
    layers = {int(m.group(1) or -1): node.output[0] for node in model.graph.node  # -1: the embeddings
              if node.op_type == "LayerNormalization" and (m := LAYER_OUTPUT.match(node.name))}
    if len(layers) <= below:
        raise ValueError(f"the graph has {len(layers)} encoder layers; a view {below} below the top needs more")
    return layers[max(layers) - below]


def pooled_features(model_dir: Path, texts: list[str], *, views=LAST_LAYER_MEAN, threads: int = 2, batch: int = 64,
                    desc: str = "features", graph=None) -> np.ndarray:
    """[n, views × hidden] head inputs of `texts` (normalised as the runtime does): each view
    (pooling, layers below the top) of the model's own token states, side by side; messages
    are batched by length. `graph`: the folder's model.onnx, when the caller has it loaded already
    (left as it is)."""
    import onnx
    from tqdm import tqdm

    from assistant.core.manifest import load_manifest
    from assistant.core.normalize import normalize_text
    from assistant.core.session import load_session
    from assistant.core.tokenizer import TextEncoder

    encoder = TextEncoder(model_dir / "tokenizer.json", max_length=load_manifest(model_dir).max_length)
    graph = graph if graph is not None else onnx.load(str(model_dir / "model.onnx"))
    names = [layer_states(graph, below) for _, below in views]
    outputs = list(dict.fromkeys(names))
    listed = {o.name for o in graph.graph.output}
    if any(name not in listed for name in outputs):  # a lower layer's states, read out too, from a copy
        read_out = onnx.ModelProto()
        read_out.CopyFrom(graph)
        read_out.graph.output.extend(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)
                                     for name in outputs if name not in listed)
        graph = read_out
    session = load_session(graph.SerializeToString(), threads=threads)
    ids = encoder.token_ids([normalize_text(t) for t in texts])
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = None
    for start in tqdm(range(0, len(order), batch), desc=desc, unit="batch", leave=False):
        idx = order[start:start + batch]
        input_ids, mask = encoder.pad([ids[i] for i in idx])
        states = dict(zip(outputs, session.run(outputs, {"input_ids": input_ids, "attention_mask": mask})))
        rows = np.concatenate([pooled(states[name], mask, how) for name, (how, _) in zip(names, views)], axis=1)
        if out is None:
            out = np.zeros((len(ids), rows.shape[1]), dtype=np.float32)
        out[idx] = rows
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def _pool_nodes(states: str, how: str, out: str, p: str, opset: int) -> list:
    """The nodes writing `out` = the mean or the max of `states` over the real pieces, reading
    swap_head's mask (`{p}/mask3`) and piece count (`{p}/count_safe`)."""
    from onnx import helper

    if how == "mean":
        return [helper.make_node("Mul", [states, f"{p}/mask3"], [f"{out}/masked"], name=f"{out}/masked"),
                helper.make_node("ReduceSum", [f"{out}/masked", f"{p}/sequence_axis"], [f"{out}/sum"],
                                 name=f"{out}/sum", keepdims=0),
                helper.make_node("Div", [f"{out}/sum", f"{p}/count_safe"], [out], name=out)]
    # max: padding pushed (mask - 1) · 1e9 below every state first
    axes = {"axes": [1]} if opset < 18 else {}  # ReduceMax takes its axes as an input from opset 18
    return [helper.make_node("Sub", [f"{p}/mask3", f"{p}/one"], [f"{out}/off"], name=f"{out}/off"),
            helper.make_node("Mul", [f"{out}/off", f"{p}/far"], [f"{out}/push"], name=f"{out}/push"),
            helper.make_node("Add", [states, f"{out}/push"], [f"{out}/pushed"], name=f"{out}/pushed"),
            helper.make_node("ReduceMax", [f"{out}/pushed"] + ([] if axes else [f"{p}/sequence_axis"]), [out],
                             name=out, keepdims=0, **axes)]


def _view_nodes(model, views, p: str, opset: int) -> tuple[str, list]:
    """(the name of the views side by side, the nodes that pool them), reusing swap_head's mean of the
    last layer (`{p}/pooled`)."""
    from onnx import helper

    nodes, names = [], []
    for how, below in views:
        if (how, below) == ("mean", 0):
            names.append(f"{p}/pooled")
            continue
        names.append(f"{p}/view_{how}_{below}")
        nodes += _pool_nodes(layer_states(model, below), how, names[-1], p, opset)
    if len(names) == 1:
        return names[0], nodes
    nodes.append(helper.make_node("Concat", names, [f"{p}/views"], name=f"{p}/views", axis=-1))
    return f"{p}/views", nodes


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
    x @ weight + bias (+ relu(z V + c) U for `correction` = (V, c, U), z the views that V's rows tell
    (views_of) side by side, V and U stored as int8), in float32; the old head's nodes and
    initializers are removed."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from training.lib.quantize import quantize_rows

    graph = model.graph
    dropped = set(_head_nodes(graph))
    kept = [node for i, node in enumerate(graph.node) if i not in dropped]
    p = "head_swap"
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 17)
    new = [
        helper.make_node("Cast", [MASK], [f"{p}/mask"], name=f"{p}/mask", to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", [f"{p}/mask", f"{p}/last_axis"], [f"{p}/mask3"], name=f"{p}/mask3"),
        helper.make_node("ReduceSum", [f"{p}/mask3", f"{p}/sequence_axis"], [f"{p}/count"], name=f"{p}/count",
                         keepdims=0),
        helper.make_node("Max", [f"{p}/count", f"{p}/one"], [f"{p}/count_safe"], name=f"{p}/count_safe"),
        *_pool_nodes(STATES, "mean", f"{p}/pooled", p, opset),
        # named as torch.onnx names the head's nodes and weights, so training.lib.dequantize reads it back
        helper.make_node("MatMul", [f"{p}/pooled", WEIGHT], [f"{p}/matmul"], name="/head/MatMul"),
        helper.make_node("Add", [f"{p}/matmul", BIAS], [LOGITS if correction is None else f"{p}/linear"],
                         name="/head/Add"),
    ]
    tensors = [(WEIGHT, weight, np.float32), (BIAS, bias, np.float32)]
    if correction is not None:
        inner, inner_bias, outer = correction
        c = "/correction"  # node names as torch.onnx gives them, so training.lib.dequantize reads them back
        views = views_of(np.shape(inner)[0], np.shape(weight)[0])
        pooled_views, view_nodes = _view_nodes(model, views, p, opset)
        new += view_nodes
        # its two weights are int8 with one scale per output column (a quarter of fp32's bytes), read back to
        # float by DequantizeLinear; the MatMuls run in float
        for name, value in ((CORRECTION_IN, inner), (CORRECTION_OUT, outer)):
            columns, scale = quantize_rows(np.asarray(value).T)  # one scale per output column
            rows = np.ascontiguousarray(columns.T)
            new.append(helper.make_node("DequantizeLinear", [f"{name}_quantized", f"{name}_scale"], [name],
                                        name=f"{c}/{name}/DequantizeLinear", axis=1))
            tensors += [(f"{name}_quantized", rows, np.int8), (f"{name}_scale", scale, np.float32)]
        new += [
            helper.make_node("MatMul", [pooled_views, CORRECTION_IN], [f"{p}/inner"], name=f"{c}/hidden/MatMul"),
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
        (f"{p}/far", 1e9, np.float32),
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
