"""Training options on tiny random models: losses, chain-thaw, LoRA, and the two-process distributed run."""
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from tests.factory import tiny_encoder_dir, tiny_examples  # noqa: E402
from training.lib.losses import class_weights, emoji_loss  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def batch(seed=0, n=16, labels=5):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, labels, generator=g) * 3, torch.randint(0, labels, (n,), generator=g)


def test_class_weights_follow_inverse_square_root_frequency_with_mean_one():
    counts = [400, 100, 25]
    w = class_weights(counts, 0.5)
    assert w[1] / w[0] == pytest.approx(2.0) and w[2] / w[1] == pytest.approx(2.0)  # α ∝ 1/√freq
    freq = torch.tensor(counts, dtype=torch.float) / sum(counts)
    assert (w * freq).sum().item() == pytest.approx(1.0)
    assert torch.allclose(class_weights(counts, 0.0), torch.ones(3))


def test_plain_and_weighted_cross_entropy_match_the_textbook_formula():
    logits, y = batch()
    w = class_weights([50, 30, 10, 5, 5], 0.5)
    nll = -logits.log_softmax(-1)[torch.arange(len(y)), y]
    assert emoji_loss(logits, y, kind="ce", weight=w).item() == pytest.approx(nll.mean().item(), rel=1e-6)
    weighted = (w[y] * nll).sum() / w[y].sum()
    assert emoji_loss(logits, y, kind="weighted", weight=w).item() == pytest.approx(weighted.item(), rel=1e-6)


def test_focal_loss_with_gamma_zero_is_weighted_cross_entropy_even_with_smoothing():
    logits, y = batch(1)
    w = class_weights([50, 30, 10, 5, 5], 0.5)
    for smoothing in (0.0, 0.1):
        focal = emoji_loss(logits, y, kind="focal", weight=w, gamma=0.0, label_smoothing=smoothing)
        weighted = emoji_loss(logits, y, kind="weighted", weight=w, label_smoothing=smoothing)
        assert focal.item() == pytest.approx(weighted.item(), rel=1e-6)


def test_focal_loss_matches_its_formula_and_down_weights_easy_examples():
    logits, y = batch(2)
    w = class_weights([50, 30, 10, 5, 5], 0.5)
    p = logits.softmax(-1)[torch.arange(len(y)), y]
    expected = (w[y] * (1 - p) ** 2 * -p.log()).sum() / w[y].sum()
    got = emoji_loss(logits, y, kind="focal", weight=w, gamma=2.0)
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)
    easy = torch.tensor([[8.0, 0.0], [8.0, 0.0]]), torch.tensor([0, 0])
    hard = torch.tensor([[0.0, 1.0], [0.0, 1.0]]), torch.tensor([0, 0])
    ratio_easy = (emoji_loss(*easy, kind="focal", gamma=2.0) / emoji_loss(*easy, kind="ce")).item()
    ratio_hard = (emoji_loss(*hard, kind="focal", gamma=2.0) / emoji_loss(*hard, kind="ce")).item()
    assert ratio_easy < 1e-5 < 0.4 < ratio_hard  # (1-p)^2: ≈0 when right, ≈0.53 when wrong


def test_config_checks_the_new_options():
    from training.lib.train_config import TrainConfig

    assert TrainConfig(loss="FOCAL").loss == "focal"
    with pytest.raises(ValueError, match="loss must be one of"):
        TrainConfig(loss="hinge")
    with pytest.raises(ValueError, match="precision"):
        TrainConfig(precision="fp8")
    with pytest.raises(ValueError, match="chain_thaw and lora_r"):
        TrainConfig(chain_thaw=True, lora_r=4)
    with pytest.raises(ValueError, match="label_smoothing"):
        TrainConfig(label_smoothing=1.5)


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("options")
    return tiny_encoder_dir(root / "encoder"), tiny_examples(root / "examples.jsonl"), root


def common_args(encoder, examples, out):
    return [f"--base_model={encoder}", f"--examples={examples}", f"--out_dir={out}", "--batch_size=8",
            "--min_label_count=1", "--num_layers=2", "--checkpoint_every=100"]


def test_chain_thaw_updates_only_the_stage_in_training(tiny_data):
    from training import train
    from training.lib.model import EmojiClassifier, chain_thaw_stages, load_encoder

    encoder, examples, root = tiny_data
    # 2 steps per stage: head (0-1), embeddings (2-3), layer 0 (4-5), layer 1 (6-7), all (8-9)
    train.main([*common_args(encoder, examples, root / "thaw-head"), "--chain_thaw=true",
                "--chain_thaw_steps=2", "--max_steps=2", "--freeze_embeddings=false"])
    saved = torch.load(root / "thaw-head" / "model.pt", weights_only=False)["state_dict"]
    start = EmojiClassifier(load_encoder(str(encoder)), 8).state_dict()
    assert all(torch.equal(saved[k], start[k]) for k in start if k.startswith("encoder."))  # head-only stage
    assert not torch.equal(saved["head.weight"], start["head.weight"])

    train.main([*common_args(encoder, examples, root / "thaw-l0"), "--chain_thaw=true",
                "--chain_thaw_steps=2", "--max_steps=6", "--freeze_embeddings=false"])
    saved = torch.load(root / "thaw-l0" / "model.pt", weights_only=False)["state_dict"]
    changed = {k.split(".")[2] + "." + k.split(".")[3] for k in start
               if k.startswith("encoder.encoder.layer") and not torch.equal(saved[k], start[k])}
    assert changed == {"layer.0"}  # layer 1 thaws only at step 6
    model = EmojiClassifier(load_encoder(str(encoder)), 8)
    assert len(chain_thaw_stages(model)) == 1 + 1 + 2 + 1  # head, embeddings, 2 layers, all


def test_lora_trains_adapters_and_saves_a_plain_model_that_exports(tiny_data, tmp_path):
    pytest.importorskip("peft")
    from training import export, train
    from training.lib.model import load_trained

    encoder, examples, root = tiny_data
    run = root / "lora"
    train.main([*common_args(encoder, examples, run), "--lora_r=4", "--max_steps=3", "--learning_rate=1e-2"])
    state = torch.load(run / "model.pt", weights_only=False)["state_dict"]
    assert not any("lora" in k for k in state)  # merged before saving
    model, _ = load_trained(run)  # loads into a plain EmojiClassifier
    from training.lib.model import EmojiClassifier, load_encoder

    start = EmojiClassifier(load_encoder(str(encoder), 2), 8).state_dict()
    query = "encoder.encoder.layer.0.attention.self.query.weight"
    key = "encoder.encoder.layer.0.attention.self.key.weight"
    assert not torch.equal(state[query], start[query])  # adapters were folded in
    assert torch.equal(state[key], start[key])  # untouched by LoRA
    out = export.main(["--run", str(run), "--out", str(tmp_path / "model"), "--max-pieces", "200",
                       "--parity-texts", "10"])
    assert (out / "model.onnx").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_distributed_run_on_gloo_trains_one_model(tiny_data, tmp_path):
    from training.lib.model import load_trained

    encoder, examples, _ = tiny_data
    run = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
               "--master_port", str(free_port()), "-m", "training.train",
               *common_args(encoder, examples, run), "--max_steps=4", "--checkpoint_every=2", "--threads=1"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "rank 0 of 2 on cpu" in output and "rank 1 of 2 on cpu" in output
    checksums = dict(re.findall(r"rank (\d) head checksum (\S+)", output))
    assert set(checksums) == {"0", "1"} and checksums["0"] == checksums["1"]  # gradients were averaged
    assert output.count("saved ") == 1  # rank 0 alone writes
    model, saved = load_trained(run)
    assert saved["steps"] == 4 and (run / "val_logits.npz").exists()


def test_bf16_autocast_and_focal_loss_train_on_cpu(tiny_data):
    from training import train

    encoder, examples, root = tiny_data
    run = root / "bf16"
    train.main([*common_args(encoder, examples, run), "--precision=bf16", "--loss=focal", "--label_smoothing=0.1",
                "--max_steps=2"])
    assert torch.load(run / "model.pt", weights_only=False)["config"]["loss"] == "focal"
    with pytest.raises(ValueError, match="fp16 needs a GPU"):
        train.main([*common_args(encoder, examples, root / "fp16"), "--precision=fp16", "--max_steps=1"])


def test_case_augmentation_draws_each_text_in_both_cases_in_turn(tiny_data, monkeypatch):
    from collections import Counter

    from assistant.core.tokenizer import TextEncoder
    from training import train
    from training.lib import loop
    from training.lib.train_config import TrainConfig

    encoder, examples, root = tiny_data
    tok = TextEncoder(encoder / "tokenizer.json", max_length=32)
    rows = [{"text": "so tired today", "emoji": "😴"}, {"text": "我好累", "emoji": "😴"}]
    data = loop.TrainingSet.of(rows, ["😴", "❤️"], Counter({"😴": 2}), tok, TrainConfig(case_augment=True))
    written, flipped = tok.token_ids(["so tired today", "So tired today"])
    assert {tuple(data.token_ids(0, step)) for step in (0, 1)} == {tuple(written), tuple(flipped)}
    assert data.token_ids(1, 0) == data.token_ids(1, 1)  # no case to flip
    assert loop.TrainingSet.of(rows, ["😴"], Counter(), tok, TrainConfig()).case_ids is None  # off by default

    seen = []  # what the loop really feeds the encoder
    pad = TextEncoder.pad
    monkeypatch.setattr(TextEncoder, "pad", lambda self, ids: seen.extend(map(tuple, ids)) or pad(self, ids))
    train.main([*common_args(encoder, examples, root / "cased"), "--case_augment=true", "--max_steps=12"])
    texts = [json.loads(line)["text"] for line in examples.read_text(encoding="utf-8").splitlines()
             if json.loads(line)["split"] == "train"]
    ids = {tuple(i) for i in tok.token_ids(texts)}
    upper = {tuple(i) for i in tok.token_ids([t[:1].swapcase() + t[1:] for t in texts])} - ids
    assert upper & set(seen) and ids & set(seen)  # both forms were trained on


def test_every_step_of_emoji_train_resolves_to_a_module_with_main(capsys):
    import importlib

    from training.__main__ import ANALYSIS, COMMANDS, STEPS, main

    assert {"train", "evaluate", "open-set"} <= set(STEPS) and {"baselines", "transfer", "speed"} <= set(ANALYSIS)
    for module, _ in COMMANDS.values():
        assert callable(importlib.import_module(module).main)
    assert main([]) == 0 and "transfer" in capsys.readouterr().out
    assert main(["no-such-step"]) == 2
