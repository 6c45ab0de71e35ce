"""The explain model's context fit (assistant.core.explain.context) and the predictor's token-state output."""
from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.core.errors import ModelError
from assistant.core.explain import ContextModel, ContextScorer, TokenStates, site_vector


def test_context_file_round_trips_with_int8_piece_vectors(tmp_path):
    from training.explain.export_ranker import write_context

    rng = np.random.default_rng(0)
    model = ContextModel(rng.normal(size=(8, 4)).astype(np.float32), rng.normal(size=4).astype(np.float32),
                         rng.normal(size=(50, 4)).astype(np.float32))
    model.piece_vectors[3] = 0  # an all-zero row must not divide by zero
    write_context(tmp_path / "context.npz", model)
    back = ContextModel.load(tmp_path / "context.npz")
    np.testing.assert_array_equal(back.site_weight, model.site_weight)
    step = np.abs(model.piece_vectors).max(1, keepdims=True) / 127
    assert back.piece_vectors.dtype == np.int8  # kept int8 in memory, scaled at lookup
    assert np.all(np.abs(back.dense_piece_vectors() - model.piece_vectors) <= step / 2 + 1e-7)
    assert not back.dense_piece_vectors()[3].any()
    np.testing.assert_array_equal(back.pieces([7, 3]), back.dense_piece_vectors()[[7, 3]])


def test_a_damaged_context_file_is_a_model_error(tmp_path):
    (tmp_path / "context.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not an explain context file"):
        ContextModel.load(tmp_path / "context.npz")


def test_site_vector_reads_the_pieces_over_the_emoji_and_the_whole_message():
    states = np.arange(12, dtype=np.float32).reshape(4, 3)  # 4 pieces, hidden 3
    offsets = [(0, 0), (0, 5), (6, 8), (0, 0)]  # <s>, "Hello", the emoji (two code units), </s>
    vector = site_vector(states, offsets, 6, 8)
    np.testing.assert_array_equal(vector[:3], states[2])
    np.testing.assert_array_equal(vector[3:], states.mean(0))
    assert site_vector(states, offsets, 20, 22) is None  # past the truncated pieces


class _Pieces:
    """TokenStates stand-in: one piece per character."""

    def pieces(self, texts):
        return [[ord(c) - ord("a") for c in t] for t in texts]


def test_fit_prefers_the_candidate_whose_pieces_match_the_site():
    rank = 2
    pieces = np.zeros((26, rank), dtype=np.float32)
    pieces[ord("n") - ord("a")] = [1, 0]  # "n..." points where the site's query points
    pieces[ord("m") - ord("a")] = [0, 1]
    model = ContextModel(np.array([[1, 0], [0, 0]], dtype=np.float32), np.zeros(rank, np.float32), pieces)
    scorer = ContextScorer(model, _Pieces())
    fit = scorer.fit(np.array([2.0, 0.0], dtype=np.float32), ["n", "m", ""])
    assert fit[0] > fit[1] == fit[2] == 0
    assert set(scorer._cache) == {"n", "m", ""}


def test_a_full_cache_starts_afresh_without_losing_the_words_of_the_call():
    pieces = np.eye(26, 2, dtype=np.float32)
    model = ContextModel(np.eye(2, dtype=np.float32), np.zeros(2, np.float32), pieces)
    scorer = ContextScorer(model, _Pieces(), cache_size=3)
    site = np.array([1.0, 0.0], dtype=np.float32)
    scorer.fit(site, ["a", "b", "c"])
    fit = scorer.fit(site, ["a", "d"])  # "a" is cached, "d" overflows the cache
    assert fit.tolist() == pytest.approx([1 / np.sqrt(2), 0.0]) and set(scorer._cache) == {"a", "d"}


def test_the_exported_predictor_gives_token_states_that_match_its_logits(tiny_model):
    from assistant.core.assistant import Assistant

    assistant = Assistant(tiny_model)
    states = assistant.token_states()
    assert isinstance(states, TokenStates)
    assert states.model_sha256 == json.loads((tiny_model / "manifest.json").read_text())["files"]["model.onnx"]
    hidden, offsets = states("I love pizza")
    assert hidden.shape[0] == len(offsets) and hidden.shape[1] == 32
    batch = states.batch(["I love pizza", "good night"])
    # int8 activations are scaled per call, so a batch differs from a single pass in the last bits
    np.testing.assert_allclose(batch[0][0], hidden, atol=1e-2)
    assert batch[1][0].shape[0] == len(batch[1][1])  # padding cut off


def test_a_logits_only_model_has_no_token_states(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    from assistant.core.session import OnnxSession

    graph = helper.make_graph(
        [helper.make_node("Cast", ["input_ids"], ["ids_f"], to=TensorProto.FLOAT),
         helper.make_node("ReduceSum", ["ids_f"], ["logits"], keepdims=1)],
        "logits_only",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", "s"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["b", "s"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["b", 1])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), tmp_path / "m.onnx")
    session = OnnxSession(tmp_path / "m.onnx")
    assert not session.has_token_states
    ids = np.array([[0, 5, 2]], dtype=np.int64)
    assert session.logits(ids, np.ones_like(ids)).shape == (1, 1)
    with pytest.raises(ModelError, match="no hidden_states output"):
        session.token_states(ids, np.ones_like(ids))


@pytest.mark.model
def test_the_shipped_decoder_reads_context_from_the_shipped_predictor():
    from assistant.core.assistant import Assistant

    out = Assistant().explain("Gute 🌙", lang="de")
    assert "without context" not in out.decoder
    assert out.rewritten == "Gute Nacht"
