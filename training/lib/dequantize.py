"""A shipped model folder (int8 model.onnx, no torch weights) → the EmojiClassifier it was exported from.

This inverts what training/lib/quantize.py writes, node by node:
- each weighted MatMul became MatMulInteger with a uint8 weight Wq [in, out], one zero point z and
  one scale c per output channel: W' = (Wq − z) · c;
- SmoothQuant had moved activation outliers into that weight: the MatMul reads x · (1/s) (a Mul
  node with the initializer `<x>_smooth_inverse`) and W' = diag(s) W, so W = diag(1/s) W';
- the word-embedding table became int8 rows with one scale each (quantize.embedding_table reads it);
- everything else (biases, LayerNorms, position and token-type tables, the head's bias) is fp32 as
  torch exported it, named after its parameter (`model.` prefixed by export.WithTokenStates), directly
  or through an Identity node where torch stored equal tensors once.

The weights come back as int8 rounding left them; activations, quantized per token at run time in
the ONNX graph, are fp32 in torch. So the recovered model is the int8 model minus its activation
rounding: the two agree on top-1 for most texts (tests/test_dequantize.py measures it).

The encoder's shape is read from the graph: widths and counts from the tables, the number of
attention heads from the first attention Softmax's output, found by running the graph once.
The vocabulary is the folder's pruned tokenizer.json, ids as the model knows them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from assistant.core.manifest import load_manifest
from training.lib.quantize import embedding_table

LAYER = re.compile(r"encoder\.encoder\.layer\.(\d+)\.")


def _module_of(node) -> str:
    """The torch module a weighted MatMul belongs to, from its node name:
    `/encoder/encoder/layer.0/attention/self/query/MatMul_quant` → `encoder.encoder.layer.0.attention.self.query`,
    `/head/Gemm_MatMul_quant` → `head` (torch.onnx names nodes by module path; a prefix `/model` is dropped)."""
    parts = [p for p in node.name.split("/") if p][:-1]
    if parts and parts[0] == "model":
        parts = parts[1:]
    return ".".join(parts)


def _linear_weights(model, modules: set[str] | None = None) -> dict[str, np.ndarray]:
    """{torch parameter name: weight [out, in]} for every MatMul with a constant weight, int8 or fp32
    (only those of `modules`, e.g. {"head"}, when given: the encoder's are not dequantized for nothing)."""
    from onnx import numpy_helper

    inits = {i.name: i for i in model.graph.initializer}
    producer = {out: node for node in model.graph.node for out in node.output}
    array = lambda name: numpy_helper.to_array(inits[name])  # noqa: E731
    weights = {}
    for node in model.graph.node:
        if node.op_type not in ("MatMulInteger", "MatMul") or (modules and _module_of(node) not in modules):
            continue
        stored = producer.get(node.input[1])
        if node.op_type == "MatMul" and stored is not None and stored.op_type == "DequantizeLinear":
            # int8 columns read back by the graph itself (training.lib.head.swap_head): W = Wq · scale
            w = array(stored.input[0]).astype(np.float32) * array(stored.input[1]).astype(np.float32)
            weights[_module_of(node) + ".weight"] = np.ascontiguousarray(w.T)
            continue
        if node.input[1] not in inits:
            continue
        x = node.input[0]
        if node.op_type == "MatMulInteger":  # onnxruntime names the weight `<w>_quantized`, its scale `<w>_scale`
            base = node.input[1].removesuffix("_quantized")
            zero = array(node.input[3]).astype(np.float32) if len(node.input) > 3 else 0.0
            w = (array(node.input[1]).astype(np.float32) - zero) * array(f"{base}_scale").astype(np.float32)
            x = x.removesuffix("_quantized")  # the activation before its per-token quantization
        else:  # left in fp32 (export --keep-fp32)
            w = array(node.input[1]).astype(np.float32)
        smooth = producer.get(x)
        if smooth is not None and smooth.op_type == "Mul" and smooth.input[1].endswith("_smooth_inverse"):
            w = w * array(smooth.input[1])[:, None]  # W = diag(1/s) W'
        weights[_module_of(node) + ".weight"] = np.ascontiguousarray(w.T)  # torch Linear: [out, in]
    return weights


def _fp32_parameters(model) -> dict[str, np.ndarray]:
    """{parameter name: value} of the fp32 tensors torch exported under their parameter names. torch.onnx
    stores equal tensors once (a fresh model's zero biases, its LayerNorms' ones) and gives the other
    names through Identity nodes, so those are followed too; the `model.` prefix is dropped."""
    from onnx import TensorProto, numpy_helper

    values = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer if i.data_type == TensorProto.FLOAT}
    for node in model.graph.node:
        if node.op_type == "Identity" and node.input[0] in values:
            values[node.output[0]] = values[node.input[0]]
    return {name.removeprefix("model."): value for name, value in values.items()}


def head_weights(model) -> tuple[np.ndarray, np.ndarray]:
    """(W [hidden, labels], b [labels]) of an exported predictor's head, int8 (dequantized) or float."""
    weight, bias = _linear_weights(model, {"head"}).get("head.weight"), _fp32_parameters(model).get("head.bias")
    if weight is None or bias is None:
        raise ValueError("no linear head (head.weight, head.bias) in the graph; was it written by training.export?")
    return np.ascontiguousarray(weight.T), bias.astype(np.float32)


def correction_weights(model) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(V [views × hidden, width], c [width], U [width, labels]) of the head's correction
    (training.lib.model.Correction: logits += relu(x V + c) U, x its views of the token states side by
    side), or None where the head is linear alone."""
    linear = _linear_weights(model, {"correction.hidden", "correction.out"})
    inner, outer = linear.get("correction.hidden.weight"), linear.get("correction.out.weight")
    bias = _fp32_parameters(model).get("correction.hidden.bias")
    if inner is None or outer is None or bias is None:
        return None
    return np.ascontiguousarray(inner.T), bias.astype(np.float32), np.ascontiguousarray(outer.T)


def _attention_heads(model, inputs: dict) -> int:
    """Heads of the first attention block: the second axis of its Softmax output [batch, heads, seq, seq]."""
    import onnx
    import onnxruntime as ort

    softmax = next((n for n in model.graph.node if n.op_type == "Softmax"), None)
    if softmax is None:
        raise ValueError("no attention Softmax in the graph; expected an export of training.lib.model.EmojiClassifier")
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.append(onnx.helper.make_tensor_value_info(softmax.output[0], onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    return int(session.run([softmax.output[0]], inputs)[0].shape[1])


def recover(model_dir: Path):
    """(EmojiClassifier in eval mode, labels, the manifest) of a shipped model folder.

    Raises:
        ValueError: the graph lacks a weight the classifier needs, or has one it does not know;
            the message names them.
    """
    import onnx
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from training.lib.model import EmojiClassifier, correction_views, correction_width

    model_dir = Path(model_dir)
    manifest = load_manifest(model_dir)  # checks the hashes: a damaged folder is refused here
    graph_model = onnx.load(str(model_dir / "model.onnx"))
    fp32 = _fp32_parameters(graph_model)
    linear = _linear_weights(graph_model)
    table = embedding_table(model_dir / "model.onnx")

    vocab, hidden = table.shape
    layer_norm = next(n for n in graph_model.graph.node if n.op_type == "LayerNormalization")
    epsilon = next((a.f for a in layer_norm.attribute if a.name == "epsilon"), 1e-5)
    ids = np.array([[0, 5, 6, 2]], dtype=np.int64)
    config = XLMRobertaConfig(
        vocab_size=vocab, hidden_size=hidden,
        num_hidden_layers=1 + max(int(m.group(1)) for m in map(LAYER.match, linear) if m),
        num_attention_heads=_attention_heads(graph_model, {"input_ids": ids, "attention_mask": np.ones_like(ids)}),
        intermediate_size=linear["encoder.encoder.layer.0.intermediate.dense.weight"].shape[0],
        max_position_embeddings=fp32["encoder.embeddings.position_embeddings.weight"].shape[0],
        type_vocab_size=fp32["encoder.embeddings.token_type_embeddings.weight"].shape[0],
        layer_norm_eps=float(epsilon), hidden_act="gelu", pad_token_id=1, bos_token_id=0, eos_token_id=2)
    model = EmojiClassifier(XLMRobertaModel(config, add_pooling_layer=False), len(manifest.labels),
                            correction_width=correction_width(linear),
                            correction_views=correction_views(linear, hidden))
    expected = model.state_dict()
    state = {**{k: v for k, v in fp32.items() if k in expected}, **linear,
             "encoder.embeddings.word_embeddings.weight": table}
    missing = [k for k in expected if k not in state and not k.endswith(("position_ids", "token_type_ids"))]
    unknown = [k for k in state if k not in expected]
    if missing or unknown:
        raise ValueError(f"{model_dir / 'model.onnx'}: expected the weights of an EmojiClassifier export; "
                         f"missing {missing[:5]}, unknown {unknown[:5]}. Was it written by training.export?")
    model.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in state.items()}, strict=False)
    return model.eval(), list(manifest.labels), manifest


def save_encoder(model, tokenizer: Path, out: Path) -> Path:
    """The recovered encoder as a transformers folder (config.json, weights, tokenizer.json), so the
    training loop and training.export load it as they load any base model."""
    out.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(out)
    (out / "tokenizer.json").write_bytes(Path(tokenizer).read_bytes())
    (out / "recovered_from.json").write_text(json.dumps({"tokenizer": str(tokenizer)}) + "\n", encoding="utf-8")
    return out


def recover_as_base(model_dir: Path, out: Path, main_process: bool = True):
    """(EmojiClassifier, labels, manifest, encoder folder): a shipped model folder as the starting
    point of a run (training.train --init_from, training.retrain --base). The recovered encoder and
    its pruned vocabulary go to out/base, where the loop and training.export load them as any base
    model; only the main process writes it (the others train from the model in memory)."""
    model, labels, manifest = recover(model_dir)
    encoder_dir = Path(out) / "base"
    if main_process:
        save_encoder(model, Path(model_dir) / "tokenizer.json", encoder_dir)
    return model, labels, manifest, encoder_dir
