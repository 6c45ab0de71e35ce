"""The training pipeline end to end on tiny random models: prepare → train → resume → export → load."""
import json
from pathlib import Path

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


def test_train_continues_a_shipped_model_folder_with_its_labels_and_vocabulary(tiny_model, tmp_path):
    """init_from a model folder: its int8 weights come back in torch, its labels keep their order (the
    examples' own counts would order them otherwise), and training moves the weights from there."""
    import torch
    from training import train
    from training.lib.dequantize import recover

    examples = tmp_path / "examples.jsonl"
    rows = [json.loads(line) for line in tiny_examples(tmp_path / "all.jsonl").read_text().splitlines()]
    examples.write_text("".join(json.dumps({**r, "emoji": "😂"}, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")  # one label only: counts alone would give a one-row head
    run = tmp_path / "run"
    train.main([f"--init_from={tiny_model}", f"--examples={examples}", f"--out_dir={run}", "--max_steps=3",
                "--batch_size=8", "--min_label_count=1", "--learning_rate=1e-2"])
    saved = torch.load(run / "model.pt", weights_only=False)
    start, labels, _ = recover(tiny_model)
    assert saved["labels"] == labels and saved["config"]["base_model"] == str(run / "base")
    assert (run / "base" / "tokenizer.json").read_bytes() == (tiny_model / "tokenizer.json").read_bytes()
    query = "encoder.encoder.layer.0.attention.self.query.weight"
    assert saved["state_dict"][query].shape == start.state_dict()[query].shape
    assert not torch.allclose(saved["state_dict"][query], start.state_dict()[query])


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


def test_vocabulary_pruning_spells_every_supported_language_without_unknown_pieces(tmp_path):
    from tokenizers import Tokenizer

    from tests.factory import CORPUS, tiny_tokenizer_file
    from training.lib.prune_vocab import SPECIAL_IDS, choose_pieces, piece_counts

    path = tiny_tokenizer_file(tmp_path / "tokenizer.json")
    tokenizer_json = json.loads(path.read_text(encoding="utf-8"))
    full = Tokenizer.from_file(str(path))
    training = CORPUS[:3] * 2  # English only: no Chinese piece is used by the training texts
    words = {"zh": {"我爱你": 0.01, "海边": 0.002}}
    budget = len(set(SPECIAL_IDS) | set(piece_counts(full, training)))  # every piece the training texts use ...
    without = choose_pieces(tokenizer_json, full, training, budget)
    with_letters = choose_pieces(tokenizer_json, full, training, budget + 5, words)  # ... then the letters
    vocab = tokenizer_json["model"]["vocab"]
    letters = {i for i, (piece, _) in enumerate(vocab) if piece in set("我爱你海边")}
    assert letters and not letters & set(without) and letters <= set(with_letters)
    assert set(without) <= set(with_letters)  # what fine-tuning saw stays


def test_vocabulary_pruning_keeps_common_words_whole_most_frequency_per_piece_first(tmp_path):
    from tokenizers import Tokenizer

    from tests.factory import tiny_tokenizer_file
    from training.lib.prune_vocab import whole_words

    full = Tokenizer.from_file(str(tiny_tokenizer_file(tmp_path / "tokenizer.json")))
    pieces = {w: set(full.encode(w, add_special_tokens=False).ids) for w in ("birthday", "christmas", "paella")}
    words = {"en": {"birthday": 0.02, "christmas": 0.01}, "es": {"paella": 0.001}}
    everything = whole_words(full, words, set(), room=100)
    assert set(everything) == set().union(*pieces.values())  # each language's words spelled whole
    # with room for one word only: the one with the most of its language's mass per piece ("paella" is all of
    # Spanish's mass here, so it wins however rare), and never a word cut short
    room = len(pieces["paella"])
    assert set(whole_words(full, words, set(), room=room)) == pieces["paella"]
    assert whole_words(full, words, set().union(*pieces.values()), room=100) == []  # nothing left to add


def test_vocabulary_pruning_counts_capitalised_words_by_the_unigram_odds():
    from tokenizers import Tokenizer, models, pre_tokenizers

    from training.lib.prune_vocab import FIRST_WORD_SHARE, whole_words, with_capitalised_forms

    # "▁Kopf" is one likely piece while "kopf" is spelled letter by letter; "und" is the other way round
    vocab = [("<unk>", 0.0), ("▁Kopf", -3.0), ("▁und", -2.0), ("▁", -4.0),
             *((ch, -5.0) for ch in "kopfKUund"), ("海", -6.0)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    words = {"de": {"kopf": 0.5, "und": 0.5}, "zh": {"海": 1.0}}
    cased = with_capitalised_forms(tokenizer, vocab, words)
    assert cased["zh"] == {"海": 1.0}  # a script without case is left as it is
    assert cased["de"]["kopf"] + cased["de"]["Kopf"] == 0.5 == cased["de"]["und"] + cased["de"]["Und"]
    assert cased["de"]["Kopf"] > 0.49  # the form the unigram model reads as a word takes the mass
    assert cased["de"]["Und"] == pytest.approx(0.5 * FIRST_WORD_SHARE, rel=1e-3)  # opening a message only
    piece = {p: i for i, (p, _) in enumerate(vocab)}
    assert whole_words(tokenizer, words, set(), room=1) == [piece["▁und"]]  # lower case alone: "und" is cheaper
    assert whole_words(tokenizer, cased, set(), room=1) == [piece["▁Kopf"]]  # with the cases: "Kopf" weighs more


def test_revocab_swaps_in_a_new_vocabulary_and_refuses_trained_embeddings(trained_run, tmp_path):
    from tests.factory import tiny_examples
    from training import export, revocab

    run, args = trained_run
    out = tmp_path / "model"
    export.main(["--run", str(run), "--out", str(out), "--parity-texts", "20"])
    encoder = next(a.split("=", 1)[1] for a in args if a.startswith("--base_model="))
    examples = tiny_examples(tmp_path / "examples.jsonl")
    common = ["--model", str(out), "--base", encoder, "--examples", str(examples), "--explain", str(tmp_path / "none")]
    parity = revocab.main([*common, "--max-pieces", "100", "--version", "0.0.2"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "0.0.2" and manifest["extra"]["vocabulary_pieces"] == 100
    assert "4-bit blocks" in manifest["extra"]["quantization"]  # the base's rows, stored exactly
    assert len(json.loads((out / "tokenizer.json").read_text(encoding="utf-8"))["model"]["vocab"]) == 100
    assert set(parity) == {"test"} and 0 <= parity["test"] <= 1
    assert Assistant(out).suggest("I love pizza", k=3)  # hashes and shapes agree: it loads and runs

    from safetensors.torch import load_file, save_file

    weights = load_file(f"{encoder}/model.safetensors")
    name = next(k for k in weights if k.endswith("word_embeddings.weight"))
    weights[name] = weights[name] + 1.0  # another base: the rows no longer match
    other = tmp_path / "other"
    other.mkdir()
    save_file(weights, str(other / "model.safetensors"))
    (other / "tokenizer.json").write_bytes(Path(encoder, "tokenizer.json").read_bytes())
    with pytest.raises(SystemExit, match="differ from the base encoder"):
        revocab.main([*common[:2], "--base", str(other), *common[4:]])


def test_revocab_maps_the_explain_context_onto_the_new_pieces(tmp_path):
    from assistant.core.explain import ContextModel
    from training.explain.export_ranker import write_context
    from training.revocab import rebind_explain

    rng = np.random.default_rng(0)
    old_rows, new_rows = rng.normal(size=(300, 16)), rng.normal(size=(280, 16))
    projection = rng.normal(size=(16, 4))
    write_context(tmp_path / "context.npz", ContextModel(rng.normal(size=(32, 4)), np.zeros(4), old_rows @ projection))
    manifest = {"context": {"predictor_sha256": "old"}, "files": {"context.npz": "x"}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert "not bound" in rebind_explain(tmp_path, "another", "new", old_rows, new_rows, "p 1")
    assert "mapped" in rebind_explain(tmp_path, "old", "new", old_rows, new_rows, "p 1", version="0.2.1")
    written = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert written["version"] == "0.2.1" and written["context"] == {"predictor_sha256": "new", "predictor": "p 1"}
    assert written["created_by"]["rebound"].startswith("context piece vectors mapped onto p 1's vocabulary")
    rebound = ContextModel.load(tmp_path / "context.npz")
    expected = new_rows @ projection
    assert np.abs(rebound.dense_piece_vectors() - expected).max() < 0.02 * np.abs(expected).max()  # int8 rows
    assert json.loads((tmp_path / "manifest.json").read_text())["context"]["predictor_sha256"] == "new"


def test_a_run_joins_the_feelings_training_messages_weighted_by_place_and_never_their_validation_rows(tmp_path,
                                                                                                       tiny_model):
    import torch

    from tests.factory import LABELS
    from training import train
    from training.lib.feelings import PLACE_WEIGHTS, feelings_examples

    feelings = tmp_path / "feelings.jsonl"
    rows = [{"text": f"so tired today {i}", "lang": "en", "expected": [LABELS[1], LABELS[0]], "split": "train"}
            for i in range(3)] + [{"text": "kept for choosing settings", "lang": "en", "expected": [LABELS[1]],
                                   "split": "val"}]
    feelings.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    joined = feelings_examples(feelings)
    assert [r["text"] for r in joined] == [f"so tired today {i}" for i in range(3)]
    assert joined[0]["targets"] == {LABELS[1]: PLACE_WEIGHTS[0], LABELS[0]: PLACE_WEIGHTS[1]}
    assert {r["source"] for r in joined} == {"feelings"} and {r["split"] for r in joined} == {"train"}

    examples = tiny_examples(tmp_path / "examples.jsonl")
    mix_train = sum(json.loads(line)["split"] == "train" for line in examples.read_text(encoding="utf-8").splitlines())
    run = tmp_path / "run"
    train.main([f"--init_from={tiny_model}", f"--examples={examples}", f"--feelings={feelings}", f"--out_dir={run}",
                "--max_steps=2", "--batch_size=4", "--source_weights=feelings:2"])
    saved = torch.load(run / "model.pt", weights_only=False)
    assert saved["train_examples"] == mix_train + 3 and saved["labels"] == LABELS
    shipped = json.loads((tiny_model / "manifest.json").read_text(encoding="utf-8"))
    assert saved["started_from"] == f"{shipped['name']} {shipped['version']}"  # the lineage the export writes down
    assert saved["commands"][:-1] == shipped["created_by"]["commands"] and "training.train" in saved["commands"][-1]
