"""training.analysis.transfer on tiny synthetic benchmarks in DeepMoji's file format."""
import json

import numpy as np
import pytest

pytest.importorskip("torch")

from tests.factory import CORPUS, tiny_encoder_dir  # noqa: E402
from training.analysis.transfer import class_average_f1, read_benchmark  # noqa: E402


def write_benchmark(path, label_of):
    rows = []
    for i, text in enumerate(CORPUS * 3):
        split = "val" if i % 6 == 0 else "test" if i % 6 == 1 else "train"
        rows.append({"text": text, "label": label_of(i), "split": split})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_class_average_f1_is_the_mean_of_one_vs_rest_binary_f1():
    gold = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([0, 1, 1, 1, 2, 0])
    # class 0: tp1 fp1 fn1 → 0.5; class 1: tp2 fp1 fn0 → 0.8; class 2: tp1 fp0 fn1 → 2/3
    assert class_average_f1(pred, gold, 3) == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    multi = np.array([[1, 0], [1, 1], [0, 1]])
    assert class_average_f1(multi, multi, 2) == 1.0


def test_labels_are_read_as_single_or_multi_label(tmp_path):
    onehot = read_benchmark(write_benchmark(tmp_path / "PsychExp.jsonl", lambda i: [float(j == i % 3) for j in range(3)]))
    assert not onehot.multi_label and onehot.classes == 3 and onehot.metric == "f1_class_avg"
    multi = read_benchmark(write_benchmark(tmp_path / "SE0714.jsonl", lambda i: [i % 2 == 0, i % 3 == 0, True]))
    assert multi.multi_label and multi.targets["train"].shape[1] == 3
    binary = read_benchmark(write_benchmark(tmp_path / "SS-Twitter.jsonl", lambda i: i % 2))
    assert binary.metric == "accuracy" and binary.classes == 2 and len(binary.texts["test"]) == 8


@pytest.mark.parametrize("method", ["full", "chain_thaw"])
def test_transfer_writes_the_table_beside_deepmoji(tmp_path, method):
    from training.analysis import transfer

    data = tmp_path / "benchmarks"
    data.mkdir()
    write_benchmark(data / "SS-Twitter.jsonl", lambda i: i % 2)
    write_benchmark(data / "SE0714.jsonl", lambda i: [i % 2 == 0, i % 3 == 0, i % 5 == 0])
    encoder = tiny_encoder_dir(tmp_path / "encoder")
    results = transfer.main(["--encoder", str(encoder), "--data", str(data), "--datasets", "SS-Twitter", "SE0714",
                             "--out", str(tmp_path / "out"), "--epochs", "2", "--method", method])
    assert [r["dataset"] for r in results] == ["SS-Twitter", "SE0714"]
    assert all(0 <= r["ours"] <= 1 for r in results)
    assert len(results[0]["val_by_epoch"]) == (2 if method == "full" else 1 + 1 + 2 + 2)  # head, embeddings, 2 layers, then all
    table = (tmp_path / "out" / "transfer.md").read_text(encoding="utf-8")
    assert "| SS-Twitter | accuracy |" in table and "| 0.88 |" in table and "| 0.37 |" in table
    with pytest.raises(FileNotFoundError, match="SCv1.jsonl"):
        transfer.main(["--encoder", str(encoder), "--data", str(data), "--datasets", "SCv1"])


def test_transfer_starts_from_a_training_run(tmp_path):
    from training import train
    from training.analysis import transfer
    from tests.factory import tiny_examples

    encoder = tiny_encoder_dir(tmp_path / "encoder")
    run = tmp_path / "run"
    train.main([f"--base_model={encoder}", f"--examples={tiny_examples(tmp_path / 'ex.jsonl')}", f"--out_dir={run}",
                "--max_steps=2", "--batch_size=8", "--min_label_count=1", "--num_layers=1"])
    data = tmp_path / "benchmarks"
    data.mkdir()
    write_benchmark(data / "SCv1.jsonl", lambda i: i % 2)
    (result,) = transfer.main(["--encoder", str(run), "--data", str(data), "--datasets", "SCv1",
                               "--out", str(tmp_path / "out"), "--epochs", "1"])
    assert result["metric"] == "f1_class_avg" and result["DeepMoji"] == 0.69


def test_thresholds_are_fitted_per_class_on_validation():
    from training.analysis.transfer import fit_thresholds

    probs = np.array([[0.9, 0.2], [0.7, 0.35], [0.3, 0.1], [0.1, 0.4]])
    gold = np.array([[1, 0], [1, 1], [0, 0], [0, 1]], dtype=np.float32)
    low, high = fit_thresholds(probs, gold)
    assert 0.3 < low <= 0.7  # class 0: anything between its negatives and positives separates them
    assert 0.2 < high <= 0.35  # class 1: its positives score 0.35 and 0.4, its negatives 0.2 and 0.1


def test_a_two_class_f1_set_scores_its_positive_class_only(tmp_path):
    from training.analysis.transfer import score

    bench = read_benchmark(write_benchmark(tmp_path / "SCv1.jsonl", lambda i: i % 2))
    gold = bench.targets["test"]
    always_positive = np.tile([0.0, 1.0], (len(gold), 1))
    precision = gold.mean()
    # the positive class's F1 alone; averaging in the negative class (F1 0) would halve it
    assert bench.scored_classes == [1]
    assert score(bench, always_positive, "test", np.array([0.5, 0.5])) == pytest.approx(2 * precision / (precision + 1))


def test_training_stops_once_validation_stops_improving(tmp_path):
    from training.analysis import transfer

    data = tmp_path / "benchmarks"
    data.mkdir()
    write_benchmark(data / "SS-Twitter.jsonl", lambda i: i % 2)
    encoder = tiny_encoder_dir(tmp_path / "encoder")
    # nothing learns at a zero learning rate: the first epoch is the best, two more without gain end the run
    (result,) = transfer.main(["--encoder", str(encoder), "--data", str(data), "--datasets", "SS-Twitter",
                               "--out", str(tmp_path / "out"), "--epochs", "10", "--patience", "2",
                               "--lr", "0", "--head-lr", "0"])
    assert len(result["val_by_epoch"]) == 3 and result["epochs"] == 3


def test_the_table_goes_into_the_manifest_and_the_model_card(tmp_path):
    from training.analysis import transfer

    model = tmp_path / "model"
    model.mkdir()
    manifest = {"name": "emoji-predictor", "version": "9.9", "base_model": "tiny", "labels": ["😂", "❤️"],
                "metrics": {}}
    (model / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    data = tmp_path / "benchmarks"
    data.mkdir()
    write_benchmark(data / "SS-Twitter.jsonl", lambda i: i % 2)
    write_benchmark(data / "kaggle-insults.jsonl", lambda i: i % 2)
    encoder = tiny_encoder_dir(tmp_path / "encoder")
    results = transfer.main(["--encoder", str(encoder), "--data", str(data), "--datasets", "SS-Twitter",
                             "kaggle-insults", "--out", str(tmp_path / "out"), "--epochs", "1",
                             "--write-manifest", str(model)])
    recorded = json.loads((model / "manifest.json").read_text(encoding="utf-8"))["metrics"]["deepmoji_transfer"]
    assert [r["ours"] for r in recorded["results"]] == [r["ours"] for r in results]
    assert recorded["compared"] == 1 and recorded["better_than_deepmoji"] == int(results[0]["ours"] > 0.88)
    assert "--write-manifest" in recorded["command"]
    card = (model / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "## Transfer to DeepMoji's benchmarks" in card and "| kaggle-insults | accuracy |" in card
