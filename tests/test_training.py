"""The training pipeline end to end on tiny random models: prepare → train → resume → export → load."""
import json

import numpy as np
import pytest

from assistant import Assistant
from tests.factory import tiny_encoder_dir, tiny_examples


def write_shared_layout(root):
    """A miniature ../shared/data with the real file layout."""
    te, se = root / "tweeteval_emoji", root / "semeval2018_emoji"
    te.mkdir(parents=True), se.mkdir(parents=True)
    mapping = "0\t❤\t_red_heart_\t\n1\t😂\t_face_with_tears_of_joy_\t\n2\t☀\t_sun_\t\n"
    for folder, name in ((te, "mapping.txt"), (se, "us_mapping.txt"), (se, "es_mapping.txt")):
        (folder / name).write_text(mapping, encoding="utf-8")
    splits = {"train": ["love you @bob", "so funny lol", "sunny day", "sunny day"],
              "val": ["i love this", "hilarious"], "test": ["sun is out", "haha"]}
    for split, texts in splits.items():
        (te / f"{split}_text.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
        (te / f"{split}_labels.txt").write_text("\n".join(str(i % 3) for i in range(len(texts))) + "\n")
    (se / "us_trial.text").write_text("i love this\nnew tweet here\nsun is out\n", encoding="utf-8")
    (se / "us_trial.labels").write_text("0\n1\n2\n")
    es = [f"hola amigos número {i}" for i in range(20)]
    (se / "es_trial.text").write_text("\n".join(es) + "\n", encoding="utf-8")
    (se / "es_trial.labels").write_text("\n".join(str(i % 3) for i in range(20)) + "\n")
    return root


def test_prepare_deduplicates_and_never_trains_on_evaluation_text(tmp_path, capsys):
    from training import prepare

    out = tmp_path / "examples.jsonl"
    prepare.main(["--data", str(write_shared_layout(tmp_path / "data")), "--out", str(out)])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    train_texts = [r["text"].lower() for r in rows if r["split"] == "train"]
    eval_texts = {r["text"].lower() for r in rows if r["split"] != "train"}
    assert "i love this" not in train_texts and "sun is out" not in train_texts  # us_trial copies of val/test
    assert not eval_texts & set(train_texts)
    assert len(train_texts) == len(set(train_texts))  # "sunny day" once
    assert {r["emoji"] for r in rows} == {"❤️", "😂", "☀️"}  # canonical labels
    assert "love you @user" in train_texts
    assert {r["lang"] for r in rows} == {"en", "es"}
    assert "dropped" in capsys.readouterr().out


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    from training import train

    root = tmp_path_factory.mktemp("train")
    encoder = tiny_encoder_dir(root / "encoder")
    examples = tiny_examples(root / "examples.jsonl")
    run = root / "run"
    args = [f"--base_model={encoder}", f"--examples={examples}", f"--out_dir={run}", "--max_steps=6",
            "--batch_size=8", "--checkpoint_every=3", "--min_label_count=1", "--num_layers=1"]
    train.main(args)
    return run, args


def test_train_writes_model_checkpoint_and_validation_logits(trained_run):
    run, _ = trained_run
    assert (run / "model.pt").exists() and (run / "checkpoint.pt").exists()
    val = np.load(run / "val_logits.npz")
    assert val["logits"].shape[0] == len(val["labels"]) > 0


def test_train_resumes_from_checkpoint(trained_run, capsys):
    import torch
    from training import train

    run, args = trained_run
    train.main([*args[:-4], "--max_steps=9", "--batch_size=8", "--checkpoint_every=3", "--min_label_count=1",
                "--num_layers=1", "--resume"])
    assert "resumed from" in capsys.readouterr().out
    assert torch.load(run / "model.pt", weights_only=False)["steps"] == 9


def test_config_rejects_bad_values():
    from training.lib.train_config import TrainConfig

    with pytest.raises(ValueError, match="max_length"):
        TrainConfig(max_length=2)
    with pytest.raises(ValueError, match="unknown setting"):
        TrainConfig.load(overrides=["--no_such_knob=1"])


def test_export_makes_a_loadable_int8_model_with_parity(trained_run, tmp_path):
    from training import export

    run, _ = trained_run
    out = tmp_path / "model"
    export.main(["--run", str(run), "--out", str(out), "--max-pieces", "1000", "--parity-texts", "20"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    parity = manifest["extra"]["parity"]
    # A tiny, barely trained model has near-tied logits, so int8 rounding flips some top-1s;
    # a broken quantization would agree only by chance (about 1 in the label count).
    assert parity["onnx_fp32_vs_int8_top1_agreement"] >= 0.6
    assert parity["torch_vs_onnx_fp32_pruned_top1_agreement"] >= 0.9
    assert manifest["calibration"]["temperature"] > 0
    suggestions = Assistant(out).suggest("happy birthday to you my love")
    assert len(suggestions) == 5


def test_int8_sensitivity_ranks_each_matmul_group_and_export_keeps_the_chosen_ones_in_fp32(trained_run, tmp_path):
    import onnx

    from training import export
    from training.analysis import int8_sensitivity

    run, _ = trained_run
    out = tmp_path / "model"
    export.main(["--run", str(run), "--out", str(out), "--max-pieces", "1000", "--parity-texts", "10"])
    report = int8_sensitivity.main(["--run", str(run), "--model", str(out), "--texts", "12",
                                    "--out", str(tmp_path / "sensitivity.json")])
    groups = report["group_in_fp32"]
    # one encoder layer: query/key/value read one activation, then attention output, feed-forward in and out
    assert len(groups) == 4 and any("query" in name for name in groups)
    assert all(0 <= v <= 1 for v in [*groups.values(), report["all_int8"], report["matmuls_only_int8"]])
    assert report["margins"]["logit_shift_std"] > 0  # int8 moved the logits: the comparison measured something
    assert json.loads((tmp_path / "sensitivity.json").read_text(encoding="utf-8")) == report

    kept = next(name for name in groups if "query" in name)
    export.main(["--run", str(run), "--out", str(tmp_path / "mixed"), "--max-pieces", "1000", "--parity-texts", "10",
                 "--keep-fp32", kept])
    nodes = {n.name: n.op_type for n in onnx.load(str(tmp_path / "mixed" / "model.onnx")).graph.node}
    assert nodes[kept] == "MatMul" and "MatMulInteger" in nodes.values()
    manifest = json.loads((tmp_path / "mixed" / "manifest.json").read_text(encoding="utf-8"))
    assert f"left in fp32: {kept}" in manifest["extra"]["quantization"]


def test_evaluation_records_metrics_and_model_card(trained_run, tmp_path):
    from training import evaluation, export
    from tests.test_training import write_shared_layout

    run, _ = trained_run
    out = tmp_path / "model"
    export.main(["--run", str(run), "--out", str(out), "--max-pieces", "120", "--parity-texts", "10"])
    data = write_shared_layout(tmp_path / "data")
    examples = tmp_path / "examples.jsonl"
    from training import prepare

    prepare.main(["--data", str(data), "--out", str(examples)])
    evaluation.main(["--model", str(out), "--data", str(data), "--examples", str(examples),
                     "--eval-dir", str(tmp_path / "eval"), "--skip-bench"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    test = manifest["metrics"]["tweeteval_test"]
    assert test["n"] == 2 and len(test["macro_f1_ci95"]) == 2
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "tweeteval_test" in card and "Reproduce" in card


def test_vocabulary_pruning_keeps_the_budget_and_the_training_pieces(tmp_path):
    from tokenizers import Tokenizer

    from tests.factory import CORPUS, tiny_tokenizer_file
    from training.lib.prune_vocab import prune

    path = tiny_tokenizer_file(tmp_path / "tokenizer.json")
    kept, pruned = prune(path, CORPUS * 2, max_pieces=120)
    assert len(kept) == len(pruned["model"]["vocab"]) == 120
    assert kept[:4] == [0, 1, 2, 3]  # special ids unchanged
    small = Tokenizer.from_str(__import__("json").dumps(pruned))
    full = Tokenizer.from_file(str(path))
    text = CORPUS[0]
    # every training piece was kept, so training text tokenizes to the same pieces
    assert small.encode(text).tokens == full.encode(text).tokens
    assert small.encode("zzzz qqq").ids  # unseen text still tokenizes
