"""fp32 model.onnx → int8 model.onnx, and a parity check between them.

Two int8 schemes, each where it loses least:
- the encoder's MatMul weights: onnxruntime dynamic quantization, one scale per output
  channel and a 7-bit range (AVX2 CPUs without VNNI saturate u8×s8 products at full range);
- the word-embedding table: one scale per row. onnxruntime quantizes a Gather table with
  one scale for all 64k rows, and that alone costs about 1% top-1 agreement with fp32.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

MIN_TABLE_ROWS = 1000  # a Gather on a table this large is the word-embedding lookup


def quantize_int8(fp32: Path, int8: Path) -> Path:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"],
                     per_channel=True, reduce_range=True)
    model = onnx.load(str(int8))
    quantize_embedding_rows(model)
    onnx.save(model, str(int8))
    return int8


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
        table = numpy_helper.to_array(tables.pop(name)).astype(np.float32)
        scale = np.abs(table).max(axis=1, keepdims=True) / 127.0
        scale[scale == 0] = 1.0
        rows = np.clip(np.round(table / scale), -127, 127).astype(np.int8)
        graph.initializer.remove(next(i for i in graph.initializer if i.name == name))
        graph.initializer.extend([numpy_helper.from_array(rows, f"{name}_int8"),
                                  numpy_helper.from_array(scale.astype(np.float32), f"{name}_row_scale")])
        position = list(graph.node).index(node)
        graph.node.remove(node)
        for offset, new in enumerate([
            helper.make_node("Gather", [f"{name}_int8", ids], [f"{out}_int8"], name=f"{node.name}_int8"),
            helper.make_node("Cast", [f"{out}_int8"], [f"{out}_cast"], to=TensorProto.FLOAT, name=f"{node.name}_cast"),
            helper.make_node("Gather", [f"{name}_row_scale", ids], [f"{out}_scale"], name=f"{node.name}_scale"),
            helper.make_node("Mul", [f"{out}_cast", f"{out}_scale"], [out], name=f"{node.name}_dequantize"),
        ]):
            graph.node.insert(position + offset, new)
        rewritten += 1
    return rewritten


def embedding_table(model_file: Path) -> np.ndarray:
    """The word-embedding table [pieces, hidden] of an exported model, dequantized to float32."""
    import onnx
    from onnx import numpy_helper

    inits = {i.name: i for i in onnx.load(str(model_file)).graph.initializer}
    for name, init in inits.items():
        if name.endswith("word_embeddings.weight_int8") and f"{name[:-5]}_row_scale" in inits:
            return numpy_helper.to_array(init).astype(np.float32) * numpy_helper.to_array(inits[f"{name[:-5]}_row_scale"])
        if name.endswith("word_embeddings.weight") and init.data_type == onnx.TensorProto.FLOAT:
            return numpy_helper.to_array(init)
    raise ValueError(f"{model_file}: no word-embedding table (fp32, or int8 with per-row scales) found")


def onnx_logits(model_file: Path, batches) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(model_file), providers=["CPUExecutionProvider"])
    return np.concatenate([session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
                           for ids, mask in batches])


def top1_agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a.argmax(1) == b.argmax(1)))
