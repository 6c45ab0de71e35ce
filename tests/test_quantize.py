"""training.lib.quantize: smoothing, per-row embeddings, per-token activations, per-channel weights."""
import numpy as np
import pytest

pytest.importorskip("onnx")


def _matmul_model(path, weights):
    """fp32 graph: x [batch, tokens, k] @ weights [k, n]."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    k, n = weights.shape
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="dense")], "dense",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "t", k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "t", n])],
        [numpy_helper.from_array(weights, "w")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def _shared_input_model(path, first, second):
    """fp32 graph: x → x @ first and x @ second (like Q and K reading one hidden state)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    k = first.shape[0]
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w1"], ["y1"], name="first"),
         helper.make_node("MatMul", ["x", "w2"], ["y2"], name="second"),
         helper.make_node("Add", ["y1", "y2"], ["y"], name="sum")], "shared",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "t", k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "t", first.shape[1]])],
        [numpy_helper.from_array(first, "w1"), numpy_helper.from_array(second, "w2")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def _outlier_activations(rng, shape, channel=3, size=60.0):
    x = rng.normal(size=shape).astype(np.float32)
    x[..., channel] *= size  # one loud hidden channel, as transformer layers have
    return x


def test_smoothing_keeps_the_fp32_function_and_scales_a_shared_input_once(tmp_path):
    import onnx

    from training.lib.quantize import smooth_activations

    rng = np.random.default_rng(2)
    first, second = rng.normal(size=(2, 24, 8)).astype(np.float32)
    path = _shared_input_model(tmp_path / "fp32.onnx", first, second)
    x = _outlier_activations(rng, (2, 5, 24))
    model = onnx.load(str(path))
    assert smooth_activations(model, [{"x": x}], alpha=0.6) == 1  # one Mul serves both MatMuls
    onnx.save(model, tmp_path / "smoothed.onnx")
    assert sum(n.op_type == "Mul" for n in model.graph.node) == 1
    np.testing.assert_allclose(_run(tmp_path / "smoothed.onnx", x), _run(path, x), rtol=1e-4, atol=1e-4)


def test_smoothing_lowers_the_int8_error_when_one_channel_is_loud(tmp_path):
    from training.lib.quantize import quantize_int8

    rng = np.random.default_rng(3)
    weights = rng.normal(size=(64, 16)).astype(np.float32)
    fp32 = _matmul_model(tmp_path / "fp32.onnx", weights)
    calibration = [{"x": _outlier_activations(rng, (4, 8, 64))}]
    x = _outlier_activations(rng, (2, 8, 64))
    exact = x @ weights
    plain = _run(quantize_int8(fp32, tmp_path / "plain.onnx"), x)
    smoothed = _run(quantize_int8(fp32, tmp_path / "smoothed.onnx", calibration=calibration), x)
    assert np.abs(smoothed - exact).mean() < 0.7 * np.abs(plain - exact).mean()
    assert not (tmp_path / "smoothed_smoothed_fp32.onnx").exists()  # the intermediate file is cleaned up


def _run(path, x):
    import onnxruntime as ort

    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]


def test_activations_are_quantized_per_token_so_a_loud_token_costs_its_neighbours_nothing(tmp_path):
    import onnx

    from training.lib.quantize import quantize_int8

    rng = np.random.default_rng(0)
    weights = rng.normal(size=(48, 16)).astype(np.float32)
    fp32 = _matmul_model(tmp_path / "fp32.onnx", weights)
    int8 = quantize_int8(fp32, tmp_path / "int8.onnx")
    assert not any(n.op_type == "DynamicQuantizeLinear" for n in onnx.load(str(int8)).graph.node)

    quiet = rng.normal(size=(1, 3, 48)).astype(np.float32) + 0.5  # off-centre: needs its own zero point
    loud = np.concatenate([quiet, 300 * rng.normal(size=(1, 3, 48)).astype(np.float32)], axis=1)
    alone, beside_loud = _run(int8, quiet), _run(int8, loud)[:, :3]
    np.testing.assert_array_equal(alone, beside_loud)  # one token's scale never depends on another's
    exact = quiet @ weights
    assert np.abs(alone - exact).max() < 0.02 * np.abs(exact).max()
    batched = _run(int8, np.concatenate([quiet, loud[:, 3:]], axis=0))
    np.testing.assert_array_equal(batched[:1], alone)  # nor on the other messages in its batch


def test_weights_keep_one_scale_per_output_channel(tmp_path):
    from training.lib.quantize import quantize_int8

    rng = np.random.default_rng(1)
    weights = rng.normal(size=(32, 8)).astype(np.float32)
    weights[:, 0] *= 1000  # one loud column: one scale for all would flatten the others
    int8 = quantize_int8(_matmul_model(tmp_path / "fp32.onnx", weights), tmp_path / "int8.onnx")
    x = rng.normal(size=(2, 4, 32)).astype(np.float32)
    got, exact = _run(int8, x), x @ weights
    for column in range(1, 8):
        assert np.abs(got[..., column] - exact[..., column]).max() < 0.05 * np.abs(exact[..., column]).max()


def _lookup_model(table: np.ndarray, ids_shape: list):
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        [helper.make_node("Gather", ["encoder.embeddings.word_embeddings.weight", "input_ids"], ["out"])],
        "lookup", [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ids_shape)],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ids_shape + [table.shape[1]])],
        [numpy_helper.from_array(table, "encoder.embeddings.word_embeddings.weight")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def _looked_up(model, tmp_path, ids: np.ndarray) -> np.ndarray:
    import onnx
    import onnxruntime as ort

    onnx.save(model, tmp_path / "quantized.onnx")
    return ort.InferenceSession(str(tmp_path / "quantized.onnx"), providers=["CPUExecutionProvider"]).run(
        None, {"input_ids": ids})[0]


def test_a_trained_embedding_table_is_quantized_per_row_and_read_back(tmp_path):
    from training.lib.quantize import embedding_table, quantize_embedding_tables

    rng = np.random.default_rng(1)
    table = rng.normal(size=(1200, 8)).astype(np.float32)  # 8 wide: no 4-bit blocks
    table[7] *= 100  # one loud row: per-tensor scaling would flatten every other row
    model = _lookup_model(table, ["n"])
    assert quantize_embedding_tables(model) == {"q4": 0, "int8": 1}
    ids = np.array([0, 7, 1199], dtype=np.int64)
    got = _looked_up(model, tmp_path, ids)
    step = np.abs(table[ids]).max(1, keepdims=True) / 127
    assert np.all(np.abs(got - table[ids]) <= step / 2 + 1e-6)
    np.testing.assert_allclose(embedding_table(tmp_path / "quantized.onnx")[ids], got, rtol=1e-6)


def _q4_table(rng, rows: int, width: int) -> np.ndarray:
    """A table as the base encoder's file holds it: 4-bit values × an fp16 scale per block of 32."""
    nibbles = rng.integers(0, 16, size=(rows, width // 32, 32))
    nibbles[..., 5] = 0  # each block's largest magnitude is −8 × its scale, as Q4_0 writes it
    scale = rng.uniform(0.001, 0.05, size=(rows, width // 32, 1)).astype(np.float16).astype(np.float32)
    return ((nibbles - 8) * scale).reshape(rows, width).astype(np.float32)


def test_a_base_embedding_table_keeps_its_4_bit_blocks_exactly(tmp_path):
    import onnx

    from training.lib.quantize import EmbeddingTable, embedding_table, quantize_embedding_tables

    rng = np.random.default_rng(2)
    table = _q4_table(rng, 1100, 64)
    model = _lookup_model(table, ["batch", "length"])
    assert quantize_embedding_tables(model) == {"q4": 1, "int8": 0}
    ids = np.array([[0, 3, 1099], [42, 42, 7]], dtype=np.int64)
    np.testing.assert_array_equal(_looked_up(model, tmp_path, ids), table[ids])  # exact, in a batch of messages
    np.testing.assert_array_equal(embedding_table(tmp_path / "quantized.onnx"), table)
    stored = {t.name: t for t in model.graph.initializer}
    assert stored["encoder.embeddings.word_embeddings.weight_q4"].data_type == onnx.TensorProto.UINT8
    assert "encoder.embeddings.word_embeddings.weight" not in stored

    # revocab's swap: other base rows (fewer of them) go in as blocks again, and the graph reads them
    found = EmbeddingTable(model.graph)
    assert found.scheme == "q4" and found.mismatch(table) == 0 and found.mismatch(table + 0.01) == 1100
    other = _q4_table(rng, 1050, 64)
    np.testing.assert_array_equal(found.replace(other), other)
    np.testing.assert_array_equal(_looked_up(model, tmp_path, ids % 1050), other[ids % 1050])


def test_4_bit_blocks_match_the_base_encoders_file_layout():
    from training.convert_e5 import dequantize_q4
    from training.lib.quantize import quantize_blocks_q4

    table = _q4_table(np.random.default_rng(3), 4, 64)
    nibbles, scale = quantize_blocks_q4(table)
    raw = np.concatenate([scale.view(np.uint8).reshape(-1, 2), nibbles.reshape(-1, 16)], axis=1).tobytes()
    np.testing.assert_array_equal(dequantize_q4(raw, 4, 64), table)  # one fp16 scale, then 16 bytes, per block




def test_an_int8_lookup_of_base_rows_becomes_4_bit_when_its_rows_are_replaced(tmp_path):
    from training.lib.quantize import EmbeddingTable, quantize_embedding_tables, quantize_rows

    rng = np.random.default_rng(4)
    table = _q4_table(rng, 1100, 64)
    model = _lookup_model(table, ["batch", "length"])
    stored = model.graph.initializer[0]
    rows, scale = quantize_rows(table)  # as earlier exports stored even base rows
    (node,) = model.graph.node
    from training.lib.quantize import _gather_int8

    model.graph.initializer.remove(stored)
    _gather_int8(model.graph, node, rows, scale)
    found = EmbeddingTable(model.graph)
    assert found.scheme == "int8" and found.mismatch(table) == 0
    np.testing.assert_array_equal(found.replace(table), table)
    assert found.scheme == "q4" and {n.op_type for n in model.graph.node} >= {"Floor", "Reshape"}
    assert not [t.name for t in model.graph.initializer if t.name.endswith(("_int8", "_row_scale"))]
    ids = np.array([[0, 3, 1099], [42, 42, 7]], dtype=np.int64)
    np.testing.assert_array_equal(_looked_up(model, tmp_path, ids), table[ids])
    assert quantize_embedding_tables(model) == {"q4": 0, "int8": 0}  # nothing left to rewrite
