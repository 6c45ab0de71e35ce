"""training/lib/label_growth.py: new head rows started from the emoji's name."""
import pytest

torch = pytest.importorskip("torch")

from assistant.core.tokenizer import TextEncoder  # noqa: E402
from tests.factory import CORPUS, LABELS  # noqa: E402
from training.lib.dequantize import recover  # noqa: E402
from training.lib.label_growth import grow_head, name_texts  # noqa: E402


def test_names_come_from_the_lexicon_in_english_and_the_logs_language():
    assert name_texts("🧉", ["es"]) == ["mate"]  # the same word in both: once
    assert name_texts("🫠", ["de"]) == ["melting face", "schmelzendes Gesicht"]


def test_new_rows_keep_the_old_ones_and_start_at_their_norm_below_their_bias(tiny_model):
    model, labels, _ = recover(tiny_model)
    encoder = TextEncoder(tiny_model / "tokenizer.json", max_length=64)
    old_w, old_b = model.head.weight.detach().clone(), model.head.bias.detach().clone()
    ids, mask = (torch.from_numpy(a) for a in encoder(CORPUS))
    with torch.no_grad():
        before = model(ids, mask)
    grown = grow_head(model, labels, {"🧉": ["es"], "🫠": ["en"]}, encoder, margin=1.0)
    assert grown == [*LABELS, "🧉", "🫠"] and model.head.out_features == len(LABELS) + 2
    assert torch.equal(model.head.weight[: len(LABELS)], old_w) and torch.equal(model.head.bias[: len(LABELS)], old_b)
    new_norms = model.head.weight[len(LABELS):].norm(dim=1)
    assert torch.allclose(new_norms, old_w.norm(dim=1).mean().expand(2), rtol=1e-4)
    assert torch.allclose(model.head.bias[len(LABELS):], (old_b.mean() - 1.0).expand(2))
    assert not torch.allclose(model.head.weight[-1], model.head.weight[-2])  # each from its own name
    with torch.no_grad():
        after = model(ids, mask)
    assert torch.equal(after[:, : len(LABELS)], before)  # the old labels' scores are untouched


def test_a_head_with_a_correction_grows_too_and_its_old_scores_stay(tiny_model):
    from training.lib.model import Correction

    model, labels, _ = recover(tiny_model)
    torch.manual_seed(0)
    model.correction = Correction(model.head.in_features, 8, len(LABELS)).eval()
    encoder = TextEncoder(tiny_model / "tokenizer.json", max_length=64)
    ids, mask = (torch.from_numpy(a) for a in encoder(CORPUS))
    with torch.no_grad():
        before = model(ids, mask)
    grow_head(model, labels, {"🧉": ["es"]}, encoder, margin=1.0)
    with torch.no_grad():
        after = model(ids, mask)
    assert after.shape == (len(CORPUS), len(LABELS) + 1)
    assert torch.allclose(after[:, : len(LABELS)], before, atol=1e-5)
