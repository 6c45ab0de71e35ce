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


def test_embedding_rows_are_quantized_per_row_and_read_back(tmp_path):
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from training.lib.quantize import embedding_table, quantize_embedding_rows

    rng = np.random.default_rng(1)
    table = rng.normal(size=(1200, 8)).astype(np.float32)
    table[7] *= 100  # one loud row: per-tensor scaling would flatten every other row
    graph = helper.make_graph(
        [helper.make_node("Gather", ["encoder.embeddings.word_embeddings.weight", "input_ids"], ["out"])],
        "lookup", [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["n"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["n", 8])],
        [numpy_helper.from_array(table, "encoder.embeddings.word_embeddings.weight")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    assert quantize_embedding_rows(model) == 1
    onnx.save(model, tmp_path / "int8.onnx")
    ids = np.array([0, 7, 1199], dtype=np.int64)
    got = ort.InferenceSession(str(tmp_path / "int8.onnx"), providers=["CPUExecutionProvider"]).run(
        None, {"input_ids": ids})[0]
    step = np.abs(table[ids]).max(1, keepdims=True) / 127
    assert np.all(np.abs(got - table[ids]) <= step / 2 + 1e-6)
    np.testing.assert_allclose(embedding_table(tmp_path / "int8.onnx")[ids], got, rtol=1e-6)


