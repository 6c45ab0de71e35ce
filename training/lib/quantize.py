"""fp32 model.onnx → int8 model.onnx, and a parity check between them.

Before quantizing, activation outliers are moved into the weights (SmoothQuant, Xiao et al.
2023): a few hidden channels carry values 10-100× larger than the rest, and with one scale
per token they leave the other channels only a few levels. Each MatMul input x is divided
by s = max|x|^α / max|W|^(1−α) per channel and W's rows are multiplied by s, so the fp32
product is unchanged. onnxruntime offers this only with static quantization (through
neural-compressor); here it is one Mul per shared input, calibrated on a few hundred texts.

Three int8 schemes, each where it loses least:
- the encoder's MatMul weights: onnxruntime dynamic quantization, one scale and zero point
  per output channel, unsigned 8-bit. The u8×u8 kernel widens to 16 bits before it adds,
  so the weights keep their full range (u8×s8 on AVX2 without VNNI saturates unless the
  weights drop to 7 bits, and that alone costs about 1% top-1 agreement with fp32);
- the activations feeding those MatMuls: one scale and zero point per token, computed at
  run time. onnxruntime's DynamicQuantizeLinear uses one pair for the whole batch, so the
  few tokens with very large activations (</s>, <s>) set a coarse scale for every other
  token, and padding makes a message's result depend on its batch;
- the word-embedding table: one scale per row (quantize_rows, also used for the explain
  model's context vectors). onnxruntime quantizes a Gather table with one scale for all
  64k rows, and that alone costs about 1% top-1 agreement with fp32.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

MIN_TABLE_ROWS = 1000  # a Gather on a table this large is the word-embedding lookup
# fp32/int8 KL divergence on 4,000 validation texts by α: 0 (no smoothing) 2.4e-4, 0.5 2.4e-4,
# 0.6 1.9e-4, 0.7 2.2e-4, 0.8 3.1e-4
SMOOTH_ALPHA = 0.6


def quantize_int8(fp32: Path, int8: Path, calibration=None, alpha: float = SMOOTH_ALPHA,
                  keep_fp32: list[str] = (), embeddings: bool = True) -> Path:
    """`calibration`: input feeds ({name: array}) for smoothing; None quantizes as is.
    `keep_fp32`: names of MatMul nodes to leave unquantized (see training.analysis.int8_sensitivity);
    `embeddings`: False leaves the embedding table in fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8.parent.mkdir(parents=True, exist_ok=True)
    source = str(fp32)
    if calibration is not None and alpha > 0:
        source = onnx.load(source)  # quantize_dynamic takes the smoothed graph as is, no file between
        smooth_activations(source, calibration, alpha)
    quantize_dynamic(source, str(int8), weight_type=QuantType.QUInt8, op_types_to_quantize=["MatMul"],
                     per_channel=True, nodes_to_exclude=list(keep_fp32))
    model = onnx.load(str(int8))
    quantize_activations_per_token(model)
    if embeddings:
        quantize_embedding_rows(model)
    onnx.save(model, str(int8))
    return int8


def weighted_matmuls(model) -> dict[str, list]:
    """MatMuls with a constant weight, grouped by the activation they read (Q, K and V share one)."""
    weights = {init.name for init in model.graph.initializer}
    uses = Counter(name for node in model.graph.node for name in node.input)
    groups: dict[str, list] = {}
    for node in model.graph.node:
        # a weight shared with another node would be scaled for both: leave those as they are
        if node.op_type == "MatMul" and node.input[1] in weights and node.input[0] not in weights \
                and uses[node.input[1]] == 1:
            groups.setdefault(node.input[0], []).append(node)
    return groups


def activation_absmax(model, names: list[str], calibration) -> dict[str, np.ndarray]:
    """Per-channel max |x| of each named tensor over the calibration feeds (real tokens only,
    where a feed has an attention_mask)."""
    import onnx
    import onnxruntime as ort

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.extend([onnx.helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, None) for n in names])
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    absmax = {n: 0.0 for n in names}
    for feed in calibration:
        mask = feed.get("attention_mask")
        for name, value in zip(names, session.run(names, feed)):
            if value.ndim == 3 and mask is not None:
                value = value[mask.astype(bool)]  # padding positions never reach an output
            absmax[name] = np.maximum(absmax[name], np.abs(value.reshape(-1, value.shape[-1])).max(0))
    return absmax


def smooth_activations(model, calibration, alpha: float = SMOOTH_ALPHA) -> int:
    """SmoothQuant in place: x → x / s before each weighted MatMul, W → diag(s) W; returns how
    many inputs were smoothed. The fp32 model computes the same function afterwards."""
    from onnx import helper, numpy_helper

    graph = model.graph
    groups = weighted_matmuls(model)
    absmax = activation_absmax(model, list(groups), calibration)
    inits = {init.name: init for init in graph.initializer}
    for x, matmuls in groups.items():
        weights = [numpy_helper.to_array(inits[m.input[1]]) for m in matmuls]
        weight_absmax = np.max([np.abs(w).max(1) for w in weights], axis=0)  # per input channel
        s = (np.maximum(absmax[x], 1e-5) ** alpha / np.maximum(weight_absmax, 1e-5) ** (1 - alpha)).astype(np.float32)
        smoothed = f"{x}_smoothed"
        graph.initializer.append(numpy_helper.from_array(1 / s, f"{x}_smooth_inverse"))
        position = min(list(graph.node).index(m) for m in matmuls)
        graph.node.insert(position, helper.make_node("Mul", [x, f"{x}_smooth_inverse"], [smoothed], name=smoothed))
        for matmul, w in zip(matmuls, weights):
            matmul.input[0] = smoothed
            inits[matmul.input[1]].CopyFrom(numpy_helper.from_array(w * s[:, None], matmul.input[1]))
    return len(groups)


def _replace_node(graph, node, new_nodes: list) -> None:
    """Put `new_nodes` where `node` was (keeps the graph in topological order)."""
    position = list(graph.node).index(node)
    graph.node.remove(node)
    for offset, new in enumerate(new_nodes):
        graph.node.insert(position + offset, new)


def quantize_activations_per_token(model) -> int:
    """Replace every DynamicQuantizeLinear (one scale for the batch) by a per-token one; returns how many.

    Each row x of the last axis gets s = (max − min) / 255 and z = round(−min / s), so
    q = clip(round(x / s) + z, 0, 255). MatMulInteger takes only a scalar zero point for its
    first input, so it gets 0 and the row's z is taken out afterwards:
    (q − z)·(W − w_z) = q·(W − w_z) − z · colsum(W − w_z). The correction sits between the
    Cast and the scale Mul, which also keeps onnxruntime from fusing that chain into
    MatMulIntegerToFloat, a kernel that assumes one scale per tensor.
    """
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    inits = {init.name: init for init in graph.initializer}
    consumers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    graph.initializer.extend([numpy_helper.from_array(np.array(v, dtype), name) for name, v, dtype in [
        ("per_token_levels", 255.0, np.float32), ("per_token_eps", 1e-8, np.float32),
        ("per_token_low", 0.0, np.float32), ("per_token_zero", 0, np.uint8)]])
    rewritten = 0
    for node in [n for n in graph.node if n.op_type == "DynamicQuantizeLinear"]:
        x, (quantized, scale, zero_point), p = node.input[0], node.output, f"{node.name or 'dql'}_per_token"
        steps = [
            ("ReduceMax", [x], [f"{p}_max"], {"axes": [-1], "keepdims": 1}),
            ("ReduceMin", [x], [f"{p}_min"], {"axes": [-1], "keepdims": 1}),
            ("Sub", [f"{p}_max", f"{p}_min"], [f"{p}_range"], {}),
            ("Max", [f"{p}_range", "per_token_eps"], [f"{p}_range_safe"], {}),
            ("Div", [f"{p}_range_safe", "per_token_levels"], [scale], {}),
            ("Div", [f"{p}_min", scale], [f"{p}_min_steps"], {}),
            ("Round", [f"{p}_min_steps"], [f"{p}_minus_zero"], {}),  # −z
            ("Div", [x, scale], [f"{p}_steps"], {}),
            ("Round", [f"{p}_steps"], [f"{p}_rounded"], {}),
            ("Sub", [f"{p}_rounded", f"{p}_minus_zero"], [f"{p}_shifted"], {}),
            ("Clip", [f"{p}_shifted", "per_token_low", "per_token_levels"], [f"{p}_clipped"], {}),
            ("Cast", [f"{p}_clipped"], [quantized], {"to": TensorProto.UINT8}),
            ("Identity", ["per_token_zero"], [zero_point], {}),
        ]
        _replace_node(graph, node, [helper.make_node(op, inputs, outputs, name=outputs[0], **attrs)
                                    for op, inputs, outputs, attrs in steps])
        for matmul in consumers[quantized]:
            weights = numpy_helper.to_array(inits[matmul.input[1]]).astype(np.int64)
            weight_zero = numpy_helper.to_array(inits[matmul.input[3]]).astype(np.int64) if len(matmul.input) > 3 else 0
            colsum = f"{matmul.output[0]}_colsum"
            graph.initializer.append(numpy_helper.from_array((weights - weight_zero).sum(0).astype(np.float32), colsum))
            (cast,) = consumers[matmul.output[0]]
            raw, corrected = cast.output[0], f"{cast.output[0]}_per_token"
            for user in consumers[raw]:
                user.input[:] = [corrected if name == raw else name for name in user.input]
            at = list(graph.node).index(cast) + 1
            graph.node.insert(at, helper.make_node("Mul", [f"{p}_minus_zero", colsum], [f"{raw}_zero_term"],
                                                   name=f"{raw}_zero_term"))
            graph.node.insert(at + 1, helper.make_node("Add", [raw, f"{raw}_zero_term"], [corrected], name=corrected))
        rewritten += 1
    return rewritten


def quantize_embedding_rows(model) -> int:
    """Rewrite every Gather from a large fp32 table as int8 rows × a per-row scale; returns how many.

    Gather(table, ids) becomes Gather(table_int8, ids) → Cast → Mul(Gather(scale, ids)),
    so only the looked-up rows are dequantized at run time.
    """
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    tables = {init.name: init for init in graph.initializer
              if init.data_type == TensorProto.FLOAT and len(init.dims) == 2 and init.dims[0] >= MIN_TABLE_ROWS}
    rewritten = 0
    for node in list(graph.node):
        if node.op_type != "Gather" or node.input[0] not in tables:
            continue
        name, ids, out = node.input[0], node.input[1], node.output[0]
        rows, scale = quantize_rows(numpy_helper.to_array(tables.pop(name)))
        graph.initializer.remove(next(i for i in graph.initializer if i.name == name))
        graph.initializer.extend([numpy_helper.from_array(rows, f"{name}_int8"),
                                  numpy_helper.from_array(scale[:, None], f"{name}_row_scale")])
        _replace_node(graph, node, [
            helper.make_node("Gather", [f"{name}_int8", ids], [f"{out}_int8"], name=f"{node.name}_int8"),
            helper.make_node("Cast", [f"{out}_int8"], [f"{out}_cast"], to=TensorProto.FLOAT, name=f"{node.name}_cast"),
            helper.make_node("Gather", [f"{name}_row_scale", ids], [f"{out}_scale"], name=f"{node.name}_scale"),
            helper.make_node("Mul", [f"{out}_cast", f"{out}_scale"], [out], name=f"{node.name}_dequantize"),
        ])
        rewritten += 1
    return rewritten


def quantize_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[rows, width] float → (int8 [rows, width], float32 scale [rows]) with table ≈ int8 × scale[:, None]:
    one symmetric scale per row, max |row| / 127 (1 for an all-zero row). Used for the predictor's
    word-embedding table and the explain model's context piece vectors."""
    table = np.asarray(table, dtype=np.float32)
    scale = np.abs(table).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    rows = np.clip(np.round(table / scale[:, None]), -127, 127).astype(np.int8)
    return rows, scale.astype(np.float32)


def embedding_table(model_file: Path) -> np.ndarray:
    """The word-embedding table [pieces, hidden] of an exported model, dequantized to float32."""
    import onnx

    try:
        return EmbeddingTable(onnx.load(str(model_file)).graph).rows
    except ValueError as exc:
        raise ValueError(f"{model_file}: {exc}") from None


class EmbeddingTable:
    """The word-embedding table of an exported model.onnx graph: int8 rows with per-row scales
    (quantize_embedding_rows), or an fp32 table (a small model, or one left in fp32). `rows` is
    the table as the model reads it; `replace` puts other rows in place (training.revocab)."""

    def __init__(self, graph):
        from onnx import numpy_helper

        inits = {t.name: t for t in graph.initializer}
        self.table = next((t for name, t in inits.items() if name.endswith("word_embeddings.weight_int8")), None)
        self.scale = inits.get(self.table.name[:-len("_int8")] + "_row_scale") if self.table is not None else None
        if self.table is None or self.scale is None:
            self.table, self.scale = next((t for name, t in inits.items() if name.endswith("word_embeddings.weight") and t.data_type == 1), None), None
        if self.table is None:
            raise ValueError("no word-embedding table (fp32, or int8 with per-row scales) found")
        rows = numpy_helper.to_array(self.table).astype(np.float32)
        self.steps = numpy_helper.to_array(self.scale).reshape(-1) if self.scale is not None else None
        self.rows = rows * self.steps[:, None] if self.steps is not None else rows

    def mismatch(self, base_rows: np.ndarray) -> int:
        """How many rows differ from `base_rows` by more than rounding (half an int8 step)."""
        error = np.abs(self.rows - base_rows).max(axis=1)
        limit = 0.51 * self.steps if self.steps is not None else 1e-5 * (1 + np.abs(base_rows).max(axis=1))
        return int((error > limit).sum())

    def replace(self, base_rows: np.ndarray) -> np.ndarray:
        """Put `base_rows` in as the table (int8 again where it was); returns the rows as the model reads them."""
        from onnx import numpy_helper

        if self.scale is None:
            self.table.CopyFrom(numpy_helper.from_array(base_rows.astype(np.float32), self.table.name))
            return base_rows.astype(np.float32)
        rows, scale = quantize_rows(base_rows)
        self.table.CopyFrom(numpy_helper.from_array(rows, self.table.name))
        self.scale.CopyFrom(numpy_helper.from_array(scale.reshape(-1, 1), self.scale.name))
        return rows.astype(np.float32) * scale[:, None]


def onnx_logits(model_file: Path, batches) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(model_file), providers=["CPUExecutionProvider"])
    return np.concatenate([session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
                           for ids, mask in batches])


def top1_agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a.argmax(1) == b.argmax(1)))
