"""Evaluation figures, calibration and baselines on a tiny random model and a miniature data layout."""
import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("matplotlib")

from tests.factory import tiny_model_dir  # noqa: E402
from tests.test_training import write_shared_layout  # noqa: E402
from training.lib.plots import emoji_name, expected_calibration_error  # noqa: E402


def test_ece_is_the_gap_between_confidence_and_accuracy():
    confidence = np.full(10, 0.9)
    correct = np.array([1] * 6 + [0] * 4, dtype=bool)
    assert expected_calibration_error(confidence, correct)[0] == pytest.approx(0.3)
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.05, 1.0, 200_000)
    assert expected_calibration_error(conf, rng.uniform(size=conf.size) < conf)[0] < 0.01  # calibrated


def test_emoji_names_are_readable_without_an_emoji_font():
    assert emoji_name("❤️") == "red_heart"
    assert emoji_name("🇪🇸") == "Spain"


def test_evaluation_writes_figures_calibration_and_baselines(tmp_path):
    from training import evaluation, prepare

    model = tiny_model_dir(tmp_path / "model")
    data = write_shared_layout(tmp_path / "data")
    examples = tmp_path / "examples.jsonl"
    prepare.main(["--data", str(data), "--out", str(examples)])
    evaluation.main(["--model", str(model), "--data", str(data), "--examples", str(examples),
                     "--eval-dir", str(tmp_path / "eval"), "--skip-bench",
                     "--baselines", "tfidf_logreg", "frozen_encoder", "--encoder", str(tmp_path / "model-encoder")])
    figures = model / "figures"
    for name in ("emoji_similarity", "confusion_tweeteval_test", "reliability_tweeteval_test",
                 "confusion_es_trial_heldout", "reliability_es_trial_heldout"):
        assert (figures / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    test = manifest["metrics"]["tweeteval_test"]
    assert 0 <= test["calibration"]["ece"] <= 100 and test["language"] == "en"
    baselines = manifest["metrics"]["baselines"]
    assert set(baselines) == {"tfidf_logreg", "frozen_encoder"}
    assert baselines["tfidf_logreg"]["tweeteval_test"]["n"] == 2
    card = (model / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "figures/emoji_similarity.png" in card and "## Baselines" in card and "ECE" in card
